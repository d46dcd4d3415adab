"""Bearer-token authentication: the tenant of every request comes from the token alone."""

from __future__ import annotations

from typing import Any

import structlog
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult

from timeward.auth.status import current_role
from timeward.auth.tokens import InvalidToken
from timeward.services import Services

CHALLENGE = {"WWW-Authenticate": 'Bearer realm="timeward"'}


def unauthorized(detail: str) -> NotAuthorizedException:
    return NotAuthorizedException(detail=detail, headers=CHALLENGE)


def _bearer_token(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    header = connection.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise unauthorized("Missing bearer token.")
    return token.strip()


class TokenAuthenticationMiddleware(AbstractAuthenticationMiddleware):
    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        services: Services = connection.app.state.services
        token = _bearer_token(connection)
        try:
            actor = await services.tokens.verify(token)
        except InvalidToken as exc:
            raise unauthorized(f"Invalid token: {exc}.") from exc
        role = await current_role(services.database, actor.user_id, actor.tenant_id)
        if role != actor.role:
            raise unauthorized("This account, its role or its tenant is no longer active.")
        structlog.contextvars.bind_contextvars(
            tenant_id=str(actor.tenant_id) if actor.tenant_id else "platform",
            actor_id=str(actor.user_id),
        )
        return AuthenticationResult(user=actor, auth=token)
