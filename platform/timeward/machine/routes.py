"""A client admin's machine clients; the OAuth2 token endpoint they use."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, delete, get, post
from litestar.exceptions import HTTPException
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_429_TOO_MANY_REQUESTS

from timeward.auth.service import LoginThrottled
from timeward.authz.guard import PUBLIC, requires
from timeward.machine import oauth, service
from timeward.machine.schemas import (
    ClientView,
    ClientWithSecret,
    NewClientBody,
    OAuthError,
    OAuthToken,
)
from timeward.machine.views import client_view, secret_view, token_answer
from timeward.paging import Page, make_page
from timeward.web.dependencies import AppServices, CurrentActor, DbSession
from timeward.web.pagination import RequestedPage


class ApiClientsController(Controller):
    path = "/api/v1/api-clients"
    tags = ["machine clients"]

    @post("/", opt=requires("api_clients", "create"), summary="Create a machine client")
    async def create_client(
        self,
        data: JSONBody[NewClientBody],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> ClientWithSecret:
        spec = service.NewClient(data.name, tuple(data.scopes), data.expires_at)
        issued = await service.create_client(
            session, services.audit, actor.require_tenant(), spec, actor.acting
        )
        return secret_view(issued)

    @get("/", opt=requires("api_clients", "read"), summary="This tenant's machine clients")
    async def list_clients(
        self, actor: CurrentActor, session: DbSession, page: RequestedPage
    ) -> Page[ClientView]:
        rows = await service.list_clients(session, actor.require_tenant(), page)
        return make_page([client_view(c) for c in rows], page)

    @post(
        "/{client_id:uuid}/rotate",
        opt=requires("api_clients", "update"),
        summary="A new secret; the old one and its tokens stop working at once",
        status_code=200,
    )
    async def rotate_secret(
        self,
        client_id: FromPath[UUID],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> ClientWithSecret:
        issued = await service.rotate_secret(
            session, services.audit, actor.require_tenant(), client_id, actor.acting
        )
        return secret_view(issued)

    @delete(
        "/{client_id:uuid}",
        opt=requires("api_clients", "delete"),
        summary="Revoke at once: no new token, and its tokens are refused",
        status_code=200,
    )
    async def revoke_client(
        self,
        client_id: FromPath[UUID],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> ClientView:
        client = await service.revoke_client(
            session, services.audit, actor.require_tenant(), client_id, actor.acting
        )
        return client_view(client)


class OAuthController(Controller):
    path = "/oauth"
    tags = ["machine clients"]
    opt = PUBLIC

    @post(
        "/token",
        summary="OAuth2 client credentials (client_secret_basic or client_secret_post)",
        description="A form body (RFC 6749 §4.4): grant_type=client_credentials, scope, and "
        "client_id/client_secret unless sent by HTTP Basic. Errors are RFC 6749 §5.2's.",
        status_code=200,
        responses={
            400: ResponseSpec(OAuthError, description="invalid_request, invalid_scope, ..."),
            401: ResponseSpec(OAuthError, description="invalid_client"),
        },
    )
    async def token(
        self, request: Request[Any, Any, Any], services: AppServices
    ) -> Response[OAuthToken | OAuthError]:
        form = await request.form()
        fields = {key: str(value) for key, value in form.items() if isinstance(value, str)}
        address = request.client.host if request.client else "unknown"
        try:
            answer = await oauth.token_response(
                services, str(request.url), request.headers, fields, address
            )
        except LoginThrottled as exc:
            raise HTTPException(
                status_code=HTTP_429_TOO_MANY_REQUESTS,
                detail="Too many token requests. Try again later.",
                headers={"Retry-After": str(exc.retry_after)},
            ) from exc
        return Response(
            token_answer(answer), status_code=answer.status, headers=dict(answer.headers)
        )
