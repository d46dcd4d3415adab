"""Platform staff keep the register; a client admin reads the requests it has been told
of; anyone reads the yearly counts. The staff pages call the helpers below too."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, Response, get, post
from litestar.params import FromPath, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from timeward import clock
from timeward.auth.actor import Actor
from timeward.authority_requests import service
from timeward.authority_requests.models import AuthorityRequest, Decision, OrderKind
from timeward.authority_requests.schemas import (
    ClientAuthorityRequestView,
    DecisionBody,
    NewAuthorityRequestBody,
    OrderReviewBody,
    RegisterEntryView,
    TransparencyView,
)
from timeward.authority_requests.views import (
    client_view,
    register_entries,
    transparency_view,
)
from timeward.authz.guard import PUBLIC, requires
from timeward.paging import Page, make_page
from timeward.services import Services
from timeward.web.dependencies import AppServices, CurrentActor, DbSession
from timeward.web.pagination import RequestedPage


async def record_request(
    data: NewAuthorityRequestBody, actor: Actor, session: AsyncSession, services: Services
) -> AuthorityRequest:
    """Enter a request in the register, audited (the API and the staff page)."""
    spec = service.NewAuthorityRequest(
        tenant_id=data.tenant_id,
        authority=data.authority,
        instrument=data.instrument,
        reference=data.reference,
        received_at=data.received_at,
        subject_ids=tuple(dict.fromkeys(data.subject_ids)),
        categories=tuple(dict.fromkeys(c.strip() for c in data.categories)),
        period_from=data.period_from,
        period_to=data.period_to,
        deadline=data.deadline,
        order_kind=OrderKind(data.order.kind),
        order_until=data.order.until,
        review_on=data.order.review_on,
    )
    return await service.record(session, services.database, services.audit, spec, actor.acting)


async def decide_request(
    request_id: UUID, data: DecisionBody, actor: Actor, session: AsyncSession, services: Services
) -> AuthorityRequest:
    return await service.decide(
        session,
        services.audit,
        request_id,
        Decision(data.decision),
        data.reason,
        data.disclosed,
        actor.acting,
    )


async def review_request_order(
    request_id: UUID, data: OrderReviewBody, actor: Actor, session: AsyncSession, services: Services
) -> AuthorityRequest:
    return await service.review_order(
        session, services.audit, request_id, data.lift, data.review_on, actor.acting
    )


async def register_views(
    session: AsyncSession, requests: list[AuthorityRequest]
) -> list[RegisterEntryView]:
    slugs = await service.tenant_slugs(session, list({r.tenant_id for r in requests}))
    return register_entries(requests, slugs, clock.now().date())


def disclosure_response(request_id: UUID, content: bytes, sha256: str) -> Response[bytes]:
    return Response(
        content,
        media_type="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="disclosure-{request_id}.zip"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
            "Digest": f"sha-256={sha256}",
        },
    )


class PlatformAuthorityRequestsController(Controller):
    path = "/api/v1/platform/authority-requests"
    tags = ["authority requests"]

    @post(
        "/",
        opt=requires("platform_authority_requests", "create"),
        summary="Enter a request from an authority in the register",
    )
    async def record(
        self,
        data: JSONBody[NewAuthorityRequestBody],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> RegisterEntryView:
        [view] = await register_views(
            session, [await record_request(data, actor, session, services)]
        )
        return view

    @get(
        "/",
        opt=requires("platform_authority_requests", "read"),
        summary="The register, newest first",
    )
    async def register(self, session: DbSession, page: RequestedPage) -> Page[RegisterEntryView]:
        found = await service.register(session, page)
        return make_page(await register_views(session, found), page)

    @get(
        "/{request_id:uuid}",
        opt=requires("platform_authority_requests", "read"),
        summary="One entry of the register",
    )
    async def entry(self, request_id: FromPath[UUID], session: DbSession) -> RegisterEntryView:
        [view] = await register_views(session, [await service.get_request(session, request_id)])
        return view

    @post(
        "/{request_id:uuid}/decision",
        opt=requires("platform_authority_requests", "update"),
        summary="Disclose in full, in part, or refuse (with a reason)",
        status_code=200,
    )
    async def decide(
        self,
        request_id: FromPath[UUID],
        data: JSONBody[DecisionBody],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> RegisterEntryView:
        decided = await decide_request(request_id, data, actor, session, services)
        [view] = await register_views(session, [decided])
        return view

    @post(
        "/{request_id:uuid}/order-review",
        opt=requires("platform_authority_requests", "update"),
        summary="Review a non-disclosure order: lift it, or keep it until the next review",
        status_code=200,
    )
    async def review_order(
        self,
        request_id: FromPath[UUID],
        data: JSONBody[OrderReviewBody],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> RegisterEntryView:
        reviewed = await review_request_order(request_id, data, actor, session, services)
        [view] = await register_views(session, [reviewed])
        return view

    @get(
        "/{request_id:uuid}/disclosure",
        opt=requires("platform_authority_requests", "read"),
        summary="The disclosure handed to the authority (a zip; its digest in the register)",
        media_type="application/zip",
    )
    async def disclosure(self, request_id: FromPath[UUID], session: DbSession) -> Response[bytes]:
        content, sha256 = await service.disclosure_file(session, request_id)
        return disclosure_response(request_id, content, sha256)


class AuthorityRequestsController(Controller):
    path = "/api/v1/authority-requests"
    tags = ["authority requests"]

    @get(
        "/",
        opt=requires("authority_requests", "read"),
        summary="Requests from authorities about this client that it has been told of",
    )
    async def list_requests(
        self, actor: CurrentActor, session: DbSession, page: RequestedPage
    ) -> Page[ClientAuthorityRequestView]:
        found = await service.client_requests(session, actor.require_tenant(), page)
        return make_page([client_view(r) for r in found], page)

    @get(
        "/{request_id:uuid}",
        opt=requires("authority_requests", "read"),
        summary="One request from an authority",
    )
    async def get_request(
        self, request_id: FromPath[UUID], actor: CurrentActor, session: DbSession
    ) -> ClientAuthorityRequestView:
        return client_view(
            await service.client_request(session, actor.require_tenant(), request_id)
        )


class TransparencyController(Controller):
    path = "/api/v1/public/transparency"
    tags = ["authority requests"]

    @get("/", opt=PUBLIC, summary="Requests from authorities per year, in counts only (public)")
    async def counts(self, services: AppServices) -> TransparencyView:
        years = await service.transparency(services.database)
        return transparency_view(services.settings.processor.name, years)
