"""Bearer-token authentication: the tenant of every request comes from the token alone."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import structlog
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, NotFoundException
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult

from timeward.auth.actor import Actor
from timeward.auth.status import cached_role
from timeward.auth.tokens import InvalidToken
from timeward.machine.service import client_is_live
from timeward.services import Services
from timeward.support.service import SUPPORT_ROLE, live_grant_for

SUPPORT_TENANT_HEADER = "x-support-tenant"
CHALLENGE = {"WWW-Authenticate": 'Bearer realm="timeward"'}


def unauthorized(detail: str) -> NotAuthorizedException:
    return NotAuthorizedException(detail=detail, headers=CHALLENGE)


def _bearer_token(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    header = connection.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise unauthorized("Missing bearer token.")
    return token.strip()


async def _support_actor(services: Services, staff: Actor, tenant_header: str) -> Actor:
    """Platform staff acting inside a tenant: only under a live grant, else nothing exists."""
    try:
        tenant_id = UUID(tenant_header)
    except ValueError as exc:
        raise NotFoundException() from exc
    grant_id = await live_grant_for(services.database, tenant_id, staff.user_id)
    if grant_id is None:
        raise NotFoundException()
    return staff.under_grant(tenant_id, grant_id, SUPPORT_ROLE)


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
        if actor.machine is not None:
            if not await client_is_live(services.database, actor):
                raise unauthorized(
                    "This client is revoked, expired or rotated, or its tenant is no longer active."
                )
        else:
            cache = connection.app.state.account_cache
            role = await cached_role(cache, services.database, actor.user_id, actor.tenant_id)
            if role != actor.role:
                raise unauthorized("This account, its role or its tenant is no longer active.")
        support_tenant = connection.headers.get(SUPPORT_TENANT_HEADER)
        if support_tenant and actor.is_platform:
            actor = await _support_actor(services, actor, support_tenant)
        structlog.contextvars.bind_contextvars(
            tenant_id=str(actor.tenant_id) if actor.tenant_id else "platform",
            actor_id=str(actor.user_id),
        )
        return AuthenticationResult(user=actor, auth=token)
