"""OpenDSR 2.0 on the processor side: discovery (public), requests (a machine client with
``instructions:write`` to send and cancel, ``instructions:read`` to follow; a client
admin's token works too)."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, Response, delete, get, post
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from tenants.privacy_requests.routes import GONE
from timeward.authz.guard import PUBLIC, requires
from timeward.links import link
from timeward.opendsr import service
from timeward.opendsr.callbacks import processor_domain
from timeward.opendsr.schemas import Discovery, OpenDsrRequestBody, OpenDsrResponse
from timeward.opendsr.views import discovery_view, request_view
from timeward.services import Services
from timeward.web.dependencies import AppServices, CurrentActor, DbSession
from timeward.web.downloads import zip_response


def _context(services: Services) -> service.Context:
    return service.Context(services.keys, services.audit, services.settings.webhooks)


def _view(services: Services, outcome: service.Outcome) -> OpenDsrResponse:
    settings = services.settings
    url = service.results_url(settings.resolve_master_key(), settings.public_url, outcome)
    return request_view(outcome, url)


class OpenDsrDiscoveryController(Controller):
    path = "/opendsr/v1"
    tags = ["opendsr"]
    opt = PUBLIC

    @get("/discovery", summary="What this processor supports, and its signing keys")
    async def discovery(self, services: AppServices) -> Discovery:
        domain = processor_domain(services.settings.public_url)
        jwks = await services.keys.published()
        return discovery_view(domain, link("/.well-known/jwks.json"), jwks)


class OpenDsrResultsController(Controller):
    path = service.RESULTS_BASE
    tags = ["opendsr"]
    opt = PUBLIC

    @get(
        "/{tenant_id:uuid}/{request_id:uuid}",
        summary="An access or portability request's export, by its results_url (expires)",
        media_type="application/zip",
        responses=GONE,
    )
    async def results(
        self,
        tenant_id: FromPath[UUID],
        request_id: FromPath[UUID],
        token: FromQuery[str],
        services: AppServices,
    ) -> Response[bytes]:
        master_key = services.settings.resolve_master_key()
        ids = (tenant_id, request_id)
        export = await service.results(services.database, services.audit, master_key, ids, token)
        return zip_response(export)


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
        return Response(_view(services, outcome), status_code=status)

    @get(
        "/{subject_request_id:str}",
        opt=requires("instructions", "read"),
        summary="The request's status",
    )
    async def get_request(
        self,
        subject_request_id: FromPath[str],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> OpenDsrResponse:
        outcome = await service.find(session, actor.require_tenant(), subject_request_id)
        return _view(services, outcome)

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
        return _view(services, outcome)
