"""Platform staff (processor): the instruction queue across tenants, status changes,
bulk retry, certificates, and legal holds. Metadata only: never the personal data."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, get, post
from litestar.params import FromPath, FromQuery, JSONBody

from timeward import clock
from timeward.authz.guard import requires
from timeward.instructions import service
from timeward.instructions.holds import NewHold, list_holds
from timeward.instructions.schemas import (
    CertificateView,
    HoldView,
    InstructionDetail,
    NewHoldBody,
    QueueItemView,
    ReleaseBody,
    RetriedView,
    RetryBody,
    StaffStatusBody,
)
from timeward.instructions.states import OPEN, Status
from timeward.instructions.views import certificate_view, detail_view, hold_view, queue_view
from timeward.web.dependencies import AppServices, CurrentActor, DbSession
from timeward.web.pagination import Page, RequestedPage, make_page


class PlatformInstructionsController(Controller):
    path = "/api/v1/platform/instructions"
    tags = ["platform"]

    @get(
        "/",
        opt=requires("platform_instructions", "read"),
        summary="Open instructions of every tenant, earliest due first, with days left",
    )
    async def queue(
        self,
        session: DbSession,
        page: RequestedPage,
        status: FromQuery[list[Status] | None] = None,
    ) -> Page[QueueItemView]:
        statuses = tuple(status) if status else tuple(OPEN)
        items = await service.queue(session, clock.now(), statuses=statuses, page=page)
        return make_page([queue_view(item) for item in items], page)

    @get(
        "/{instruction_id:uuid}",
        opt=requires("platform_instructions", "read"),
        summary="One instruction: metadata, full history, per-table progress",
    )
    async def get_instruction(
        self, instruction_id: FromPath[UUID], services: AppServices
    ) -> InstructionDetail:
        detail = await service.staff_detail(services.database, instruction_id)
        return detail_view(detail, client=False)

    @post(
        "/{instruction_id:uuid}/status",
        opt=requires("platform_instructions", "update"),
        summary="Pause, resume (scheduled), retry a failed one, reject or cancel",
        status_code=200,
    )
    async def change_status(
        self,
        instruction_id: FromPath[UUID],
        data: JSONBody[StaffStatusBody],
        actor: CurrentActor,
        services: AppServices,
    ) -> QueueItemView:
        await service.staff_change_status(
            services.database,
            services.audit,
            instruction_id,
            data.status,
            actor.acting,
            data.reason,
        )
        item = await service.staff_queue_item(services.database, clock.now(), instruction_id)
        return queue_view(item)

    @post(
        "/retry-failed",
        opt=requires("platform_instructions", "update"),
        summary="Re-process failed instructions (listed, or all) from where each failed",
        status_code=200,
    )
    async def retry_failed(
        self, data: JSONBody[RetryBody], actor: CurrentActor, services: AppServices
    ) -> RetriedView:
        retried = await service.retry_failed(
            services.database, services.audit, actor.acting, data.instruction_ids
        )
        return RetriedView(retried)

    @get(
        "/{instruction_id:uuid}/certificate",
        opt=requires("platform_instructions", "read"),
        summary="The newest certificate of an instruction",
    )
    async def certificate(
        self, instruction_id: FromPath[UUID], services: AppServices
    ) -> CertificateView:
        certificate = await service.staff_certificate(services.database, instruction_id)
        return certificate_view(certificate)


class PlatformLegalHoldsController(Controller):
    path = "/api/v1/platform/legal-holds"
    tags = ["platform"]

    @get("/", opt=requires("platform_legal_holds", "read"), summary="Every legal hold")
    async def list_holds(
        self,
        session: DbSession,
        page: RequestedPage,
        tenant_id: FromQuery[UUID | None] = None,
        active: FromQuery[bool] = False,
    ) -> Page[HoldView]:
        holds = await list_holds(session, tenant_id=tenant_id, active_only=active, page=page)
        return make_page([hold_view(h) for h in holds], page)

    @post("/", opt=requires("platform_legal_holds", "create"), summary="Record a legal hold")
    async def place(
        self,
        data: JSONBody[NewHoldBody],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> HoldView:
        spec = NewHold(
            data.tenant_id,
            data.scope,
            data.basis,
            data.reference,
            data.client_may_be_told,
            data.subject_id,
            data.subject_user_id,
            data.review_on,
        )
        hold = await service.place_legal_hold(
            session, services.database, services.audit, spec, actor.acting
        )
        return hold_view(hold)

    @post(
        "/{hold_id:uuid}/release",
        opt=requires("platform_legal_holds", "update"),
        summary="Release a legal hold; instructions it held back run again",
        status_code=200,
    )
    async def release(
        self,
        hold_id: FromPath[UUID],
        data: JSONBody[ReleaseBody],
        actor: CurrentActor,
        services: AppServices,
    ) -> HoldView:
        hold = await service.release_legal_hold(
            services.database, services.audit, hold_id, actor.acting, data.reason
        )
        return hold_view(hold)
