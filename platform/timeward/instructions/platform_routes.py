"""Platform staff (processor): the instruction queue across tenants, status changes,
bulk retry, certificates, and legal holds. Metadata only: never the personal data."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, get, post
from litestar.params import FromPath, FromQuery, JSONBody

from timeward import clock
from timeward.audit.log import PLATFORM_CHAIN, AuditEntry
from timeward.authz.guard import requires
from timeward.db.session import Scope
from timeward.instructions import holds as hold_service
from timeward.instructions import service
from timeward.instructions.records import By
from timeward.instructions.states import OPEN, Party, Status
from timeward.instructions.views import (
    CertificateView,
    HoldView,
    InstructionDetail,
    NewHoldBody,
    QueueItemView,
    ReleaseBody,
    RetriedView,
    RetryBody,
    StaffStatusBody,
    certificate_view,
    event_view,
    hold_view,
    instruction_view,
    progress_view,
    queue_view,
)
from timeward.web.dependencies import AppServices, CurrentActor, DbSession
from timeward.web.pagination import PageLimit, PageOffset


def _staff(actor: CurrentActor) -> By:
    return By(Party.STAFF, actor.role, actor.user_id)


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
        status: FromQuery[list[Status] | None] = None,
        limit: PageLimit = 50,
        offset: PageOffset = 0,
    ) -> list[QueueItemView]:
        statuses = tuple(status) if status else tuple(OPEN)
        items = await service.queue(
            session, clock.now(), statuses=statuses, limit=limit, offset=offset
        )
        return [queue_view(item) for item in items]

    @get(
        "/{instruction_id:uuid}",
        opt=requires("platform_instructions", "read"),
        summary="One instruction: metadata, full history, per-table progress",
    )
    async def get_instruction(
        self, instruction_id: FromPath[UUID], services: AppServices
    ) -> InstructionDetail:
        tenant_id = await service.tenant_of(services.database, instruction_id)
        async with services.database.transaction(Scope.PLATFORM, read_only=True) as session:
            instruction = await service.get_instruction(session, tenant_id, instruction_id)
            events = await service.history(session, tenant_id, instruction_id, client_view=False)
            rows = await service.progress(session, tenant_id, instruction_id)
        return InstructionDetail(
            instruction_view(instruction, client=False),
            [event_view(e) for e in events],
            [progress_view(r, hide_holds=False) for r in rows],
        )

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
            _staff(actor),
            data.reason,
        )
        async with services.database.transaction(Scope.PLATFORM, read_only=True) as session:
            items = await service.queue(
                session, clock.now(), statuses=tuple(Status), instruction_id=instruction_id
            )
        return queue_view(items[0])

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
            services.database, services.audit, _staff(actor), data.instruction_ids
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
        tenant_id = await service.tenant_of(services.database, instruction_id)
        async with services.database.transaction(Scope.PLATFORM, read_only=True) as session:
            instruction = await service.get_instruction(session, tenant_id, instruction_id)
        certificate = await service.visible_certificate(
            services.database, instruction, client=False
        )
        return certificate_view(certificate)


class PlatformLegalHoldsController(Controller):
    path = "/api/v1/platform/legal-holds"
    tags = ["platform"]

    @get("/", opt=requires("platform_legal_holds", "read"), summary="Every legal hold")
    async def list_holds(
        self,
        session: DbSession,
        tenant_id: FromQuery[UUID | None] = None,
        active: FromQuery[bool] = False,
    ) -> list[HoldView]:
        holds = await hold_service.list_holds(session, tenant_id=tenant_id, active_only=active)
        return [hold_view(h) for h in holds]

    @post("/", opt=requires("platform_legal_holds", "create"), summary="Record a legal hold")
    async def place(
        self,
        data: JSONBody[NewHoldBody],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> HoldView:
        spec = hold_service.NewHold(
            data.tenant_id,
            data.scope,
            data.basis,
            data.reference,
            data.client_may_be_told,
            data.subject_id,
            data.subject_user_id,
        )
        hold = await hold_service.place_hold(session, spec, actor.user_id)
        details = {"tenant_id": str(hold.tenant_id), "scope": hold.scope}
        await services.audit.append(
            session,
            PLATFORM_CHAIN,
            AuditEntry(
                "legal_hold.placed",
                actor.user_id,
                actor.role,
                "legal_hold",
                hold.id,
                details=details,
            ),
        )
        if hold.client_may_be_told:
            entry = AuditEntry(
                "legal_hold.placed",
                actor.user_id,
                actor.role,
                "legal_hold",
                hold.id,
                details={"scope": hold.scope},
            )
            await services.audit.record(services.database, hold.tenant_id, entry)
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
        async with services.database.transaction(Scope.PLATFORM) as session:
            hold = await hold_service.release_hold(session, hold_id, actor.user_id, data.reason)
            await services.audit.append(
                session,
                PLATFORM_CHAIN,
                AuditEntry(
                    "legal_hold.released",
                    actor.user_id,
                    actor.role,
                    "legal_hold",
                    hold.id,
                    details={"tenant_id": str(hold.tenant_id)},
                ),
            )
        if hold.client_may_be_told:
            entry = AuditEntry(
                "legal_hold.released", actor.user_id, actor.role, "legal_hold", hold.id
            )
            await services.audit.record(services.database, hold.tenant_id, entry)
        await service.reschedule_after_release(services.database, services.audit, hold)
        return hold_view(hold)
