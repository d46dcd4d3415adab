"""The processor's queue: the overview, the instruction queue across tenants, one
instruction (history, progress per table, certificate, the operator's actions) and the
bulk retry of failed ones. Each page has the permission of its API twin
(``/api/v1/platform/instructions``) and calls the same services and views; every action
is audited as the API audits it. Ids only: nothing of a subject's personal data."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from sqlalchemy.ext.asyncio import AsyncSession

from timeward import clock
from timeward.breaches import service as breaches
from timeward.breaches.views import incident_summary
from timeward.db.session import Scope
from timeward.errors import NotFound
from timeward.instructions import service
from timeward.instructions.holds import list_holds
from timeward.instructions.queries import QueueItem, kept_by_holds, progress_totals
from timeward.instructions.schemas import StaffStatusBody
from timeward.instructions.states import OPEN, Status
from timeward.instructions.views import certificate_view, detail_view, hold_view, queue_view
from timeward.paging import PageRequest
from timeward.services import Services
from timeward.subprocessors import service as subprocessors
from timeward.subprocessors.views import registry_view
from timeward.web.dependencies import AppServices, CurrentActor, DbSession
from timeward.web.pages.forms import read_form
from timeward.web.pages.layout import Form, page, redirect
from timeward.web.pages.staff.layout import Field, staff_page, staff_viewer, uuid_list
from timeward.web.pagination import RequestedPage

ESCALATIONS = ("overdue", "nearing", "ok")
# What an operator may ask of an instruction here (the API's StaffStatusBody statuses).
ACTIONS = (Status.SCHEDULED, Status.PAUSED, Status.REJECTED, Status.CANCELED)
WHOLE_QUEUE = PageRequest(limit=200)


class StatusForm(msgspec.Struct):
    status: Field = ""
    reason: Field = ""


class RetryForm(msgspec.Struct):
    instruction_ids: Field = ""
    confirmed: Field = ""


async def _all_open(session: AsyncSession, statuses: tuple[Status, ...]) -> list[QueueItem]:
    """Every instruction of these statuses, page by page of the queue query."""
    found: list[QueueItem] = []
    request = WHOLE_QUEUE
    while True:
        items = await service.queue(session, clock.now(), statuses=statuses, page=request)
        found += items[: request.limit]
        if len(items) <= request.limit:
            return found
        request = PageRequest(request.limit, request.offset + request.limit)


async def _queue_rows(session: AsyncSession, items: list[QueueItem]) -> list[dict[str, Any]]:
    totals = await progress_totals(session, [item.instruction.id for item in items])
    return [
        {"item": queue_view(item), "progress": totals.get(item.instruction.id, (0, 0))}
        for item in items
    ]


class StaffInstructionPages(Controller):
    @get("/staff", opt=page("platform_instructions", "read"), include_in_schema=False)
    async def overview(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> Response[Any]:
        """Counts by status and escalation, failures, open breach notices, objection windows."""
        items = await _all_open(session, tuple(OPEN))
        by_status: dict[str, int] = {}
        by_escalation = dict.fromkeys(ESCALATIONS, 0)
        for item in items:
            by_status[item.instruction.status] = by_status.get(item.instruction.status, 0) + 1
            by_escalation[item.escalation] = by_escalation.get(item.escalation, 0) + 1
        failed = await _all_open(session, (Status.FAILED,))
        incidents = await breaches.list_incidents(session, WHOLE_QUEUE)
        open_breaches = [incident_summary(i) for i in incidents if i.unnotified]
        registry = registry_view(await subprocessors.registry(session))
        return staff_page(
            request,
            "staff/overview.html",
            await staff_viewer(request, services, actor),
            open_count=len(items),
            by_status=sorted(by_status.items()),
            by_escalation=by_escalation,
            failed=await _queue_rows(session, failed),
            open_breaches=open_breaches,
            objection_windows=[c for c in registry.changes if c.objection_open],
        )

    @get("/staff/instructions", opt=page("platform_instructions", "read"), include_in_schema=False)
    async def queue(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
        page: RequestedPage,
    ) -> Response[Any]:
        items = await service.queue(session, clock.now(), statuses=tuple(OPEN), page=page)
        more = len(items) > page.limit
        return staff_page(
            request,
            "staff/queue.html",
            await staff_viewer(request, services, actor),
            rows=await _queue_rows(session, items[: page.limit]),
            next_offset=page.offset + page.limit if more else None,
            limit=page.limit,
        )

    @get(
        "/staff/instructions/{instruction_id:uuid}",
        opt=page("platform_instructions", "read"),
        include_in_schema=False,
    )
    async def instruction(
        self,
        request: Request[Any, Any, Any],
        instruction_id: FromPath[UUID],
        actor: CurrentActor,
        services: AppServices,
    ) -> Response[Any]:
        detail = await service.staff_detail(services.database, instruction_id)
        item = await service.staff_queue_item(services.database, clock.now(), instruction_id)
        try:
            certificate = certificate_view(
                await service.staff_certificate(services.database, instruction_id)
            )
        except NotFound:
            certificate = None
        holds = await _holds_keeping(services, detail.instruction.tenant_id, instruction_id)
        return staff_page(
            request,
            "staff/instruction.html",
            await staff_viewer(request, services, actor),
            detail=detail_view(detail, client=False),
            item=queue_view(item),
            certificate=certificate,
            holds=holds,
            actions=ACTIONS,
        )

    @post(
        "/staff/instructions/{instruction_id:uuid}/status",
        opt=page("platform_instructions", "update"),
        include_in_schema=False,
    )
    async def change_status(
        self,
        instruction_id: FromPath[UUID],
        data: Annotated[StatusForm, Form],
        actor: CurrentActor,
        services: AppServices,
    ) -> Response[Any]:
        """Retry a failed one from where it stopped, pause, resume, reject or cancel."""
        body = read_form(
            {"status": data.status, "reason": data.reason.strip() or None}, StaffStatusBody
        )
        await service.staff_change_status(
            services.database,
            services.audit,
            instruction_id,
            body.status,
            actor.acting,
            body.reason,
        )
        return redirect(f"/staff/instructions/{instruction_id}", flash="instruction_changed")

    @get(
        "/staff/instructions/retry-failed",
        opt=page("platform_instructions", "update"),
        include_in_schema=False,
    )
    async def confirm_retry(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> Response[Any]:
        """The failed instructions, to confirm before they are all retried."""
        failed = await _all_open(session, (Status.FAILED,))
        return staff_page(
            request,
            "staff/retry.html",
            await staff_viewer(request, services, actor),
            rows=await _queue_rows(session, failed),
        )

    @post(
        "/staff/instructions/retry-failed",
        opt=page("platform_instructions", "update"),
        include_in_schema=False,
    )
    async def retry_failed(
        self, data: Annotated[RetryForm, Form], actor: CurrentActor, services: AppServices
    ) -> Response[Any]:
        if data.confirmed != "yes":
            return redirect("/staff/instructions/retry-failed")
        chosen = uuid_list(data.instruction_ids)
        await service.retry_failed(services.database, services.audit, actor.acting, chosen)
        return redirect("/staff/instructions", flash="instructions_retried")


async def _holds_keeping(services: Services, tenant_id: UUID, instruction_id: UUID) -> list[Any]:
    """The legal holds whose basis the instruction's retained rows name."""
    async with services.database.transaction(Scope.PLATFORM, read_only=True) as session:
        holds = await list_holds(session, tenant_id=tenant_id)
        kept = await kept_by_holds(session, holds)
    return [hold_view(h) for h in holds if instruction_id in kept.get(h.id, [])]
