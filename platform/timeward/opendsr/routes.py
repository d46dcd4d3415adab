"""OpenDSR 2.0 on the processor side: discovery (public), requests (a machine client with
``instructions:write`` to send and cancel, ``instructions:read`` to follow; a client
admin's token works too)."""

from __future__ import annotations

from litestar import Controller, Response, delete, get, post
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from timeward.authz.guard import PUBLIC, requires
from timeward.links import link
from timeward.opendsr import service
from timeward.opendsr.callbacks import processor_domain
from timeward.opendsr.schemas import Discovery, OpenDsrRequestBody, OpenDsrResponse
from timeward.opendsr.views import discovery_view, request_view
from timeward.services import Services
from timeward.web.dependencies import AppServices, CurrentActor, DbSession


def _context(services: Services) -> service.Context:
    return service.Context(services.keys, services.audit, services.settings.webhooks)


class OpenDsrDiscoveryController(Controller):
    path = "/opendsr/v1"
    tags = ["opendsr"]
    opt = PUBLIC

    @get("/discovery", summary="What this processor supports, and its signing keys")
    async def discovery(self, services: AppServices) -> Discovery:
        domain = processor_domain(services.settings.public_url)
        jwks = await services.keys.published()
        return discovery_view(domain, link("/.well-known/jwks.json"), jwks)


class OpenDsrRequestsController(Controller):
    path = "/opendsr/v1/requests"
    tags = ["opendsr"]

    @post(
        "/",
        opt=requires("instructions", "create"),
        summary="Send a request about one subject (idempotent by subject_request_id)",
    )
    async def create_request(
        self,
        data: JSONBody[OpenDsrRequestBody],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> Response[OpenDsrResponse]:
        outcome = await service.receive(
            session, _context(services), actor.require_tenant(), data, actor.acting
        )
        status = HTTP_201_CREATED if outcome.created else HTTP_200_OK
        return Response(request_view(outcome), status_code=status)

    @get(
        "/{subject_request_id:str}",
        opt=requires("instructions", "read"),
        summary="The request's status",
    )
    async def get_request(
        self, subject_request_id: FromPath[str], actor: CurrentActor, session: DbSession
    ) -> OpenDsrResponse:
        outcome = await service.find(session, actor.require_tenant(), subject_request_id)
        return request_view(outcome)

    @delete(
        "/{subject_request_id:str}",
        opt=requires("instructions", "cancel"),
        summary="Cancel a pending request",
        status_code=200,
    )
    async def cancel_request(
        self,
        subject_request_id: FromPath[str],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> OpenDsrResponse:
        outcome = await service.cancel(
            session, _context(services), actor.require_tenant(), subject_request_id, actor.acting
        )
        return request_view(outcome)
