"""Response views of privacy requests, built from the service's reads.

A page of views costs a fixed number of queries whatever its size: names, timelines and
exports are loaded for the whole page at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from tenants.privacy_requests import messages, service
from tenants.privacy_requests.deadlines import Deadline
from tenants.privacy_requests.models import PrivacyExport, PrivacyRequest, PrivacyRequestEvent
from tenants.privacy_requests.schemas import (
    ControllerView,
    DeadlineView,
    EventView,
    ExportPreview,
    ExportView,
    FulfilmentView,
    IdentityView,
    MessageView,
    MyExportView,
    MyPrivacyRequestView,
    PrivacyRequestSummary,
    PrivacyRequestView,
    ProcessorInstructionView,
    SubjectView,
    TableCountView,
    TransferView,
)
from tenants.privacy_requests.transitions import allowed_actions
from timeward import clock
from timeward.translations import ENGLISH, Phrase, Translator


def _deadline(request: PrivacyRequest, now: datetime) -> DeadlineView:
    return _deadline_view(service.deadline_of(request, now))


def _deadline_view(d: Deadline) -> DeadlineView:
    return DeadlineView(d.due, d.original_due, d.latest_extension, d.days_left, d.light, d.overdue)


def _live(export: PrivacyExport, now: datetime) -> bool:
    return export.content is not None and export.expires_at > now


def _export_view(export: PrivacyExport | None, path: str, now: datetime) -> ExportView | None:
    if export is None:
        return None
    live = _live(export, now)
    return ExportView(
        export.id,
        export.schema_version,
        export.created_at,
        export.expires_at,
        export.size_bytes,
        export.sha256,
        live,
        path if live else None,
    )


def _subject_name(request: PrivacyRequest, names: dict[UUID, str]) -> str | None:
    if request.subject_employee_id is None:
        return None
    return names.get(request.subject_employee_id)


async def request_view(session: AsyncSession, request: PrivacyRequest) -> PrivacyRequestView:
    """The client admin's full view of one request, with its timeline."""
    now, tenant_id, rid = clock.now(), request.tenant_id, request.id
    events = await service.timeline(session, tenant_id, rid, requester_view=False)
    export = await service.latest_export(session, tenant_id, rid)
    names = await service.subject_names(session, tenant_id, [request])
    return PrivacyRequestView(
        id=request.id,
        request_type=request.request_type,
        objection_target=request.objection_target,
        status=request.status,
        channel=request.channel,
        subject=SubjectView(
            request.subject_employee_id, request.subject_user_id, _subject_name(request, names)
        ),
        contact_email=request.contact_email,
        details=request.details,
        received_at=request.received_at,
        deadline=_deadline(request, now),
        identity=IdentityView(
            request.identity_verified_at is not None,
            request.identity_verified_at,
            request.identity_method,
        ),
        extension_reason=request.extension_reason,
        refusal_reason=request.refusal_reason,
        completion_note=request.completion_note,
        fulfilment=FulfilmentView(
            request.fulfilment_state,
            request.fulfilment_requested_at,
            request.fulfilled_at,
            request.fulfilment_attempts,
            request.fulfilment_report,
        ),
        export=_export_view(export, f"/api/v1/privacy-requests/{request.id}/export", now),
        transfer=transfer_view(request),
        processor_instruction=ProcessorInstructionView(
            request.processor_instruction_requested_at, request.processor_instruction_id
        ),
        allowed_actions=[str(a) for a in allowed_actions(request.status)],
        events=[
            EventView(e.at, e.action, e.from_status, e.to_status, e.actor_role, e.message)
            for e in events
        ],
        created_at=request.created_at,
        updated_at=request.updated_at,
    )


async def queue_views(
    session: AsyncSession, requests: Sequence[PrivacyRequest]
) -> list[PrivacyRequestSummary]:
    """One line per request of a page of the admin's queue (all of one tenant)."""
    if not requests:
        return []
    now = clock.now()
    names = await service.subject_names(session, requests[0].tenant_id, requests)
    deadline_now = service.deadline_reader(now)
    return [
        PrivacyRequestSummary(
            id=r.id,
            request_type=r.request_type,
            status=r.status,
            channel=r.channel,
            subject_name=_subject_name(r, names),
            received_at=r.received_at,
            deadline=_deadline_view(deadline_now(r)),
            identity_verified=r.identity_verified_at is not None,
            fulfilment_state=r.fulfilment_state,
        )
        for r in requests
    ]


async def my_views(
    session: AsyncSession, requests: Sequence[PrivacyRequest], t: Translator = ENGLISH
) -> list[MyPrivacyRequestView]:
    """What the requester sees of each of their requests (all of one tenant), the
    explanation and timeline in the reader's language (the API's is English)."""
    if not requests:
        return []
    now, tenant_id = clock.now(), requests[0].tenant_id
    ids = [r.id for r in requests]
    controller = await service.tenant_name(session, tenant_id)
    events = await service.timelines(session, tenant_id, ids, requester_view=True)
    exports = await service.latest_exports(session, tenant_id, ids)
    return [_my_view(r, controller, events[r.id], exports.get(r.id), now, t) for r in requests]


async def my_view(
    session: AsyncSession, request: PrivacyRequest, t: Translator = ENGLISH
) -> MyPrivacyRequestView:
    [view] = await my_views(session, [request], t)
    return view


def _said(event: PrivacyRequestEvent, t: Translator) -> str:
    """A step's words in the reader's language; steps stored before migration 0013 kept
    only their English."""
    if event.message_key is None:
        return event.message or ""
    return Phrase(event.message_key, event.message_values or {})(t)


def _my_view(
    request: PrivacyRequest,
    controller: str,
    events: Sequence[PrivacyRequestEvent],
    export: PrivacyExport | None,
    now: datetime,
    t: Translator,
) -> MyPrivacyRequestView:
    mine = None
    if export is not None:
        live = _live(export, now)
        path = f"/api/v1/me/privacy-requests/{request.id}/export"
        mine = MyExportView(live, export.expires_at, path if live else None)
    verified = request.identity_verified_at is not None
    return MyPrivacyRequestView(
        id=request.id,
        request_type=request.request_type,
        objection_target=request.objection_target,
        status=request.status,
        controller=ControllerView(controller),
        explanation=messages.filed_summary(controller, request.due_date, verified=verified)(t),
        received_at=request.received_at,
        due_date=request.due_date,
        original_due_date=request.original_due_date,
        identity_verified=verified,
        extension_reason=request.extension_reason,
        refusal_reason=request.refusal_reason,
        completion_note=request.completion_note,
        messages=[MessageView(e.at, _said(e, t)) for e in events],
        export=mine,
        transfer=transfer_view(request),
    )


def transfer_view(request: PrivacyRequest) -> TransferView | None:
    if request.recipient_name is None or request.recipient_email is None:
        return None
    return TransferView(
        request.recipient_name,
        request.recipient_email,
        request.transfer_state,
        request.transfer_confirmed_at,
    )


def export_preview_view(tables: Sequence[service.TableCount]) -> ExportPreview:
    return ExportPreview(
        [TableCountView(t.table, t.label, t.rows) for t in tables],
        sum(t.rows for t in tables),
    )
