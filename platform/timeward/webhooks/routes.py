"""Webhook endpoints of a tenant: a client admin, or a machine client with
``webhooks:manage``, registers, lists, removes and re-enables them, reads the delivery
log and redelivers."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, delete, get, post
from litestar.params import FromPath, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from timeward.auth.actor import Actor
from timeward.authz.guard import requires
from timeward.paging import Page, make_page
from timeward.services import Services
from timeward.web.dependencies import AppServices, CurrentActor, DbSession
from timeward.web.pagination import RequestedPage
from timeward.webhooks import service
from timeward.webhooks.schemas import (
    DeliveryView,
    EndpointView,
    NewEndpointBody,
    RegisteredEndpointView,
)
from timeward.webhooks.views import delivery_view, endpoint_view, registered_view


async def register_endpoint(
    data: NewEndpointBody, actor: Actor, session: AsyncSession, services: Services
) -> RegisteredEndpointView:
    """Register from the API's body (the API's and the admin page's)."""
    settings = services.settings
    spec = service.NewEndpoint(
        data.url, tuple(data.events), data.description, data.allow_private_network
    )
    registered = await service.register(
        session,
        services.audit,
        actor.require_tenant(),
        spec,
        actor.acting,
        settings=settings.webhooks,
        master_key=settings.resolve_master_key(),
    )
    return registered_view(registered)


class WebhooksController(Controller):
    path = "/api/v1/webhooks"
    tags = ["webhooks"]

    @post("/", opt=requires("webhooks", "create"), summary="Register an endpoint")
    async def register(
        self,
        data: JSONBody[NewEndpointBody],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> RegisteredEndpointView:
        return await register_endpoint(data, actor, session, services)

    @get("/", opt=requires("webhooks", "read"), summary="This tenant's endpoints")
    async def list_endpoints(
        self, actor: CurrentActor, session: DbSession, page: RequestedPage
    ) -> Page[EndpointView]:
        rows = await service.list_endpoints(session, actor.require_tenant(), page)
        return make_page([endpoint_view(e) for e in rows], page)

    @delete(
        "/{endpoint_id:uuid}",
        opt=requires("webhooks", "delete"),
        summary="Remove an endpoint and its delivery log",
        status_code=204,
    )
    async def remove(
        self,
        endpoint_id: FromPath[UUID],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> None:
        await service.remove(
            session, services.audit, actor.require_tenant(), endpoint_id, actor.acting
        )

    @post(
        "/{endpoint_id:uuid}/enable",
        opt=requires("webhooks", "update"),
        summary="Enable a disabled endpoint; what waited is delivered in order",
        status_code=200,
    )
    async def enable(
        self,
        endpoint_id: FromPath[UUID],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> EndpointView:
        endpoint = await service.enable(
            session, services.audit, actor.require_tenant(), endpoint_id, actor.acting
        )
        return endpoint_view(endpoint)

    @get(
        "/{endpoint_id:uuid}/deliveries",
        opt=requires("webhooks", "read"),
        summary="The delivery log: status code, latency, attempts",
    )
    async def deliveries(
        self,
        endpoint_id: FromPath[UUID],
        actor: CurrentActor,
        session: DbSession,
        page: RequestedPage,
    ) -> Page[DeliveryView]:
        rows = await service.list_deliveries(session, actor.require_tenant(), endpoint_id, page)
        return make_page([delivery_view(d, t) for d, t in rows], page)

    @post(
        "/{endpoint_id:uuid}/deliveries/{delivery_id:uuid}/redeliver",
        opt=requires("webhooks", "update"),
        summary="Send an event again",
        status_code=202,
    )
    async def redeliver(
        self,
        endpoint_id: FromPath[UUID],
        delivery_id: FromPath[UUID],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> DeliveryView:
        again = await service.redeliver(
            session, services.audit, actor.require_tenant(), endpoint_id, delivery_id, actor.acting
        )
        return delivery_view(again, "")
