"""The client admin's API clients and webhook endpoints: the same services, views and
Casbin permissions as ``/api/v1/api-clients`` and ``/api/v1/webhooks`` (docs/machine-api.md,
"In the console"). A new or rotated client secret, and a new endpoint's signing secret,
are shown once, on the page answering the form (never stored, never shown again)."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from sqlalchemy.ext.asyncio import AsyncSession

from timeward.auth.actor import Actor
from timeward.machine import service as clients
from timeward.machine.schemas import NewClientBody
from timeward.machine.views import client_view, secret_view
from timeward.paging import PageRequest
from timeward.web.dependencies import AppServices, CurrentActor, DbSession
from timeward.web.pages.forms import api_body
from timeward.web.pages.layout import page, redirect, render, viewer_for
from timeward.webhooks import service as webhooks
from timeward.webhooks.events import EVENT_TYPES
from timeward.webhooks.routes import register_endpoint
from timeward.webhooks.schemas import NewEndpointBody
from timeward.webhooks.views import delivery_view, endpoint_view

CLIENTS, WEBHOOKS = "/admin/api-clients", "/admin/webhooks"
LONG_LIST = PageRequest(limit=200)
AnyRequest = Request[Any, Any, Any]


async def _fields(request: AnyRequest, *lists: str) -> dict[str, Any]:
    """The posted form, the fields in ``lists`` as every value they were sent with."""
    form = await request.form()
    values: dict[str, Any] = {key: form.get(key) for key in form if key not in lists}
    values.update({key: form.getall(key) for key in lists if key in form})
    return values


def _end_of_day(value: Any) -> Any:
    """A date field (YYYY-MM-DD) as the API's instant: the start of that day, UTC."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return f"{date.fromisoformat(value.strip()).isoformat()}T00:00:00Z"
    except ValueError:
        return value  # the API's struct names the field


class MachineAdminPages(Controller):
    path = "/admin"
    include_in_schema = False

    async def _render(
        self, request: AnyRequest, session: AsyncSession, actor: Actor, template: str, **ctx: Any
    ) -> Response[Any]:
        answer = render(request, template, viewer=await viewer_for(request, session, actor), **ctx)
        answer.headers["Cache-Control"] = "no-store"  # a secret may be on it
        return answer

    # API clients (OAuth2 client credentials)

    @get("/api-clients", opt=page("api_clients", "read"))
    async def api_clients(
        self, request: AnyRequest, actor: CurrentActor, session: DbSession
    ) -> Response[Any]:
        rows = await clients.list_clients(session, actor.require_tenant(), LONG_LIST)
        return await self._render(
            request,
            session,
            actor,
            "admin/api_clients.html",
            clients=[client_view(c) for c in rows[: LONG_LIST.limit]],
            scopes=clients.SCOPES,
        )

    @post("/api-clients", opt=page("api_clients", "create"))
    async def create_client(
        self, request: AnyRequest, actor: CurrentActor, session: DbSession, services: AppServices
    ) -> Response[Any]:
        values = await _fields(request, "scopes")
        values["expires_at"] = _end_of_day(values.get("expires_at"))
        body = api_body(values, NewClientBody)
        spec = clients.NewClient(body.name, tuple(body.scopes), body.expires_at)
        issued = await clients.create_client(
            session, services.audit, actor.require_tenant(), spec, actor.acting
        )
        return await self._render(
            request, session, actor, "admin/api_client_secret.html", issued=secret_view(issued)
        )

    @post("/api-clients/{client_id:uuid}/rotate", opt=page("api_clients", "update"))
    async def rotate_client(
        self,
        request: AnyRequest,
        client_id: FromPath[UUID],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> Response[Any]:
        issued = await clients.rotate_secret(
            session, services.audit, actor.require_tenant(), client_id, actor.acting
        )
        return await self._render(
            request, session, actor, "admin/api_client_secret.html", issued=secret_view(issued)
        )

    @post("/api-clients/{client_id:uuid}/revoke", opt=page("api_clients", "delete"))
    async def revoke_client(
        self,
        client_id: FromPath[UUID],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> Response[Any]:
        await clients.revoke_client(
            session, services.audit, actor.require_tenant(), client_id, actor.acting
        )
        return redirect(CLIENTS, flash="api_client_revoked")

    # Webhook endpoints, their delivery logs

    @get("/webhooks", opt=page("webhooks", "read"))
    async def webhooks(
        self, request: AnyRequest, actor: CurrentActor, session: DbSession
    ) -> Response[Any]:
        rows = await webhooks.list_endpoints(session, actor.require_tenant(), LONG_LIST)
        return await self._render(
            request,
            session,
            actor,
            "admin/webhooks.html",
            endpoints=[endpoint_view(e) for e in rows[: LONG_LIST.limit]],
            events=EVENT_TYPES,
        )

    @post("/webhooks", opt=page("webhooks", "create"))
    async def register_endpoint(
        self, request: AnyRequest, actor: CurrentActor, session: DbSession, services: AppServices
    ) -> Response[Any]:
        values = await _fields(request, "events")
        values["allow_private_network"] = values.get("allow_private_network") == "on"
        body = api_body(values, NewEndpointBody)
        registered = await register_endpoint(body, actor, session, services)
        return await self._render(
            request, session, actor, "admin/webhook_secret.html", registered=registered
        )

    @get("/webhooks/{endpoint_id:uuid}", opt=page("webhooks", "read"))
    async def webhook(
        self,
        request: AnyRequest,
        endpoint_id: FromPath[UUID],
        actor: CurrentActor,
        session: DbSession,
    ) -> Response[Any]:
        tenant_id = actor.require_tenant()
        endpoint = await webhooks.get_endpoint(session, tenant_id, endpoint_id)
        log = await webhooks.list_deliveries(session, tenant_id, endpoint_id, LONG_LIST)
        return await self._render(
            request,
            session,
            actor,
            "admin/webhook.html",
            endpoint=endpoint_view(endpoint),
            deliveries=[delivery_view(d, t) for d, t in log[: LONG_LIST.limit]],
        )

    @post("/webhooks/{endpoint_id:uuid}/delete", opt=page("webhooks", "delete"))
    async def remove_endpoint(
        self,
        endpoint_id: FromPath[UUID],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> Response[Any]:
        await webhooks.remove(
            session, services.audit, actor.require_tenant(), endpoint_id, actor.acting
        )
        return redirect(WEBHOOKS, flash="webhook_removed")

    @post("/webhooks/{endpoint_id:uuid}/enable", opt=page("webhooks", "update"))
    async def enable_endpoint(
        self,
        endpoint_id: FromPath[UUID],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> Response[Any]:
        await webhooks.enable(
            session, services.audit, actor.require_tenant(), endpoint_id, actor.acting
        )
        return redirect(f"{WEBHOOKS}/{endpoint_id}", flash="webhook_enabled")

    @post(
        "/webhooks/{endpoint_id:uuid}/deliveries/{delivery_id:uuid}/redeliver",
        opt=page("webhooks", "update"),
    )
    async def redeliver(
        self,
        endpoint_id: FromPath[UUID],
        delivery_id: FromPath[UUID],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> Response[Any]:
        tenant_id = actor.require_tenant()
        await webhooks.redeliver(
            session, services.audit, tenant_id, endpoint_id, delivery_id, actor.acting
        )
        return redirect(f"{WEBHOOKS}/{endpoint_id}", flash="webhook_redelivered")
