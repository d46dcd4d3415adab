"""Filing, deciding and fulfilling privacy requests, in the caller's tenant transaction.

The platform routes and records; every decision is a client admin's (the routes check
the role). Each status change goes through the pure table in :mod:`.transitions` (an
illegal one is a 409), is audited on the tenant's chain, appears in the request's
timeline, and is told to the requester and the tenant's client admins (e-mail through
the outbox, sent by a job after commit, and in the app).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

import structlog
from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tenants.employees.models import Employee
from tenants.employees.service import update_employee
from tenants.privacy_requests import messages
from tenants.privacy_requests.deadlines import (
    Deadline,
    deadline,
    due_on_receipt,
    extended_due,
    request_calendar,
)
from tenants.privacy_requests.models import (
    Channel,
    FulfilmentState,
    PrivacyExport,
    PrivacyRequest,
    PrivacyRequestEvent,
    RequestType,
)
from tenants.privacy_requests.processor import processor_due_changed
from tenants.privacy_requests.transitions import (
    OPEN,
    Action,
    IllegalTransition,
    Status,
    next_status,
)
from timeward.audit.log import AuditEntry, AuditLog
from timeward.db.base import new_id
from timeward.deadlines import ExtensionRefusal, ExtensionRefused, TenantCalendar
from timeward.errors import Conflict, DomainError, InvalidInput, NotFound
from timeward.identity.models import Membership, Tenant, User, UserStatus
from timeward.identity.service import client_admins
from timeward.jobs.after_commit import enqueue_after_commit
from timeward.mail.service import queue_email
from timeward.notifications.service import notify
from timeward.paging import PageRequest

log = structlog.get_logger("timeward.privacy_requests")

SIGNED_IN = "signed_in"  # identity of a request filed by a signed-in member for themselves
MAX_FULFILMENT_ATTEMPTS = 5
EXPORT_TYPES = frozenset({RequestType.ACCESS, RequestType.PORTABILITY})
FLAG_TYPES = frozenset(
    {RequestType.RESTRICTION, RequestType.OBJECTION, RequestType.CONSENT_WITHDRAWAL}
)
RECTIFIABLE = frozenset(
    {"name", "work_email", "phone", "postal_address", "job_title", "employee_number", "hire_date"}
)
_EXTENSION_STATUS = {
    ExtensionRefusal.NOT_ALLOWED: Conflict,
    ExtensionRefusal.DEADLINE_PASSED: Conflict,
    ExtensionRefusal.REASON_REQUIRED: InvalidInput,
    ExtensionRefusal.NOT_LATER: InvalidInput,
    ExtensionRefusal.TOO_LONG: InvalidInput,
}


class Gone(DomainError):
    """The thing existed but is no more (an expired download link)."""

    status_code = 410


@dataclass(frozen=True)
class By:
    """Who acts: a member of the tenant (None: the system, e.g. a job)."""

    user_id: UUID | None
    role: str


SYSTEM = By(None, "system")


# --- Reading --------------------------------------------------------------------------


async def get_request(
    session: AsyncSession, tenant_id: UUID, request_id: UUID, *, lock: bool = False
) -> PrivacyRequest:
    """The tenant's request; another tenant's (or none) is not found."""
    query = select(PrivacyRequest).where(
        PrivacyRequest.tenant_id == tenant_id, PrivacyRequest.id == request_id
    )
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    request = await session.scalar(query)
    if request is None:
        raise NotFound("Privacy request")
    return request


async def my_request(
    session: AsyncSession, tenant_id: UUID, user_id: UUID, request_id: UUID
) -> PrivacyRequest:
    """A request the caller filed; anyone else's is not found."""
    request = await session.scalar(
        select(PrivacyRequest).where(
            PrivacyRequest.tenant_id == tenant_id,
            PrivacyRequest.id == request_id,
            PrivacyRequest.requester_user_id == user_id,
        )
    )
    if request is None:
        raise NotFound("Privacy request")
    return request


@dataclass(frozen=True)
class QueueFilter:
    status: Status | None = None
    open_only: bool = False
    overdue_only: bool = False


async def list_queue(
    session: AsyncSession, tenant_id: UUID, page: PageRequest, where: QueueFilter, today: date
) -> list[PrivacyRequest]:
    """The tenant's requests, the nearest deadline first."""
    query = select(PrivacyRequest).where(PrivacyRequest.tenant_id == tenant_id)
    if where.status is not None:
        query = query.where(PrivacyRequest.status == where.status)
    if where.open_only or where.overdue_only:
        query = query.where(PrivacyRequest.status.in_([s.value for s in OPEN]))
    if where.overdue_only:
        query = query.where(PrivacyRequest.due_date < today)
    rows = await session.scalars(
        query.order_by(PrivacyRequest.due_date, PrivacyRequest.received_at, PrivacyRequest.id)
        .limit(page.fetch)
        .offset(page.offset)
    )
    return list(rows.all())


async def list_mine(
    session: AsyncSession, tenant_id: UUID, user_id: UUID, page: PageRequest
) -> list[PrivacyRequest]:
    rows = await session.scalars(
        select(PrivacyRequest)
        .where(PrivacyRequest.tenant_id == tenant_id, PrivacyRequest.requester_user_id == user_id)
        .order_by(PrivacyRequest.received_at.desc(), PrivacyRequest.id)
        .limit(page.fetch)
        .offset(page.offset)
    )
    return list(rows.all())


async def timeline(
    session: AsyncSession, tenant_id: UUID, request_id: UUID, *, requester_view: bool
) -> list[PrivacyRequestEvent]:
    query = select(PrivacyRequestEvent).where(
        PrivacyRequestEvent.tenant_id == tenant_id, PrivacyRequestEvent.request_id == request_id
    )
    if requester_view:
        query = query.where(PrivacyRequestEvent.message.is_not(None))
    rows = await session.scalars(query.order_by(PrivacyRequestEvent.seq))
    return list(rows.all())


async def latest_export(
    session: AsyncSession, tenant_id: UUID, request_id: UUID
) -> PrivacyExport | None:
    return await session.scalar(
        select(PrivacyExport)
        .where(PrivacyExport.tenant_id == tenant_id, PrivacyExport.request_id == request_id)
        .order_by(PrivacyExport.created_at.desc(), PrivacyExport.id)
        .limit(1)
    )


async def downloadable(
    session: AsyncSession, request: PrivacyRequest, now: datetime
) -> PrivacyExport:
    """The export's bytes while the link lives: 404 before one exists, 410 after expiry."""
    export = await latest_export(session, request.tenant_id, request.id)
    if export is None:
        raise NotFound("Export")
    if export.content is None or export.expires_at <= now:
        raise Gone("This export has expired and its file has been deleted.")
    return export


async def tenant_name(session: AsyncSession, tenant_id: UUID) -> str:
    name = await session.scalar(select(Tenant.name).where(Tenant.id == tenant_id))
    assert name is not None
    return name


def calendar_of(request: PrivacyRequest) -> TenantCalendar:
    return request_calendar(request.calendar_country, request.calendar_subdivision)


def deadline_of(request: PrivacyRequest, now: datetime) -> Deadline:
    return deadline(
        request.received_at, request.due_date, request.original_due_date, calendar_of(request), now
    )


# --- Recording and telling --------------------------------------------------------------


async def record_step(
    session: AsyncSession,
    audit: AuditLog,
    request: PrivacyRequest,
    name: str,
    by: By,
    now: datetime,
    *,
    from_status: str | None,
    message: str | None,
    details: Mapping[str, Any] | None = None,
) -> None:
    """One timeline step and its audit event (ids, codes and field names only)."""
    last = await session.scalar(
        select(func.max(PrivacyRequestEvent.seq)).where(
            PrivacyRequestEvent.tenant_id == request.tenant_id,
            PrivacyRequestEvent.request_id == request.id,
        )
    )
    session.add(
        PrivacyRequestEvent(
            tenant_id=request.tenant_id,
            id=new_id(),
            request_id=request.id,
            seq=(last or 0) + 1,
            at=now,
            action=name,
            from_status=from_status,
            to_status=request.status,
            actor_role=by.role,
            message=message,
        )
    )
    audit_details: dict[str, Any] = {"type": request.request_type, "status": request.status}
    if from_status is not None and from_status != request.status:
        audit_details["from"] = from_status
    audit_details.update(details or {})
    await audit.append(
        session,
        request.tenant_id,
        AuditEntry(
            f"privacy_request.{name}",
            by.user_id,
            by.role,
            "privacy_request",
            request.id,
            details=audit_details,
        ),
    )


_PAST = {
    Action.VERIFY_IDENTITY: "verified",
    Action.START: "worked on",
    Action.EXTEND: "extended",
    Action.REFUSE: "refused",
    Action.COMPLETE: "completed",
}


def check_transition(request: PrivacyRequest, action: Action) -> Status:
    """The status ``action`` leads to; an illegal transition is a 409."""
    try:
        return next_status(request.status, action)
    except IllegalTransition as exc:
        raise Conflict(
            f"A request that is {exc.status} cannot be {_PAST[action]}.",
            reason="illegal_transition",
            current_status=str(exc.status),
            action=str(action),
        ) from None


async def _transition(
    session: AsyncSession,
    audit: AuditLog,
    request: PrivacyRequest,
    action: Action,
    by: By,
    now: datetime,
    *,
    name: str | None = None,
    message: str | None = None,
    details: Mapping[str, Any] | None = None,
) -> None:
    new = check_transition(request, action)
    previous = request.status
    request.status = new
    request.updated_at = now
    await record_step(
        session,
        audit,
        request,
        name or str(action),
        by,
        now,
        from_status=previous,
        message=message,
        details=details,
    )


async def _active_member(session: AsyncSession, tenant_id: UUID, user_id: UUID | None) -> bool:
    if user_id is None:
        return False
    status = await session.scalar(
        select(Membership.status).where(
            Membership.tenant_id == tenant_id, Membership.user_id == user_id
        )
    )
    return status == UserStatus.ACTIVE


def requester_reference(request: PrivacyRequest) -> UUID:
    """The reference the requester was given: the public intake's receipt names the
    submission (one per matching employer), an in-app request its own id."""
    return request.intake_id or request.id


async def tell_requester(
    session: AsyncSession, request: PrivacyRequest, message: messages.Message
) -> None:
    """By e-mail to the contact address and in the app when they are a member."""
    if request.contact_email:
        try:
            await queue_email(
                session, request.tenant_id, request.contact_email, message.subject, message.body
            )
        except ValueError:  # not one deliverable address: the request stays, in the app
            log.warning("privacy_request.contact_unusable", request_id=str(request.id))
    if await _active_member(session, request.tenant_id, request.requester_user_id):
        assert request.requester_user_id is not None
        await notify(
            session,
            request.tenant_id,
            [request.requester_user_id],
            message.kind,
            message.subject,
            message.body,
        )


async def tell_admins(session: AsyncSession, tenant_id: UUID, message: messages.Message) -> int:
    admins = await client_admins(session, tenant_id)
    await notify(
        session, tenant_id, [a.user_id for a in admins], message.kind, message.subject, message.body
    )
    for admin in admins:
        try:
            await queue_email(session, tenant_id, admin.email, message.subject, message.body)
        except ValueError:  # an address stored before addresses were checked strictly
            log.warning("privacy_request.admin_address_unusable", user_id=str(admin.user_id))
    return len(admins)


async def tell_admins_step(session: AsyncSession, request: PrivacyRequest, what: str) -> None:
    name = await tenant_name(session, request.tenant_id)
    await tell_admins(
        session,
        request.tenant_id,
        messages.admin_step(name, request.request_type, request.id, what),
    )


# --- Filing -------------------------------------------------------------------------------


async def _new_request(
    session: AsyncSession,
    tenant_id: UUID,
    request_type: RequestType,
    channel: Channel,
    now: datetime,
    **values: Any,
) -> PrivacyRequest:
    tenant = await session.get(Tenant, tenant_id)
    assert tenant is not None
    calendar = request_calendar(tenant.country, tenant.subdivision)
    due = due_on_receipt(now, calendar)
    request = PrivacyRequest(
        tenant_id=tenant_id,
        id=new_id(),
        request_type=request_type,
        channel=channel,
        received_at=now,
        calendar_country=tenant.country,
        calendar_subdivision=tenant.subdivision,
        original_due_date=due,
        due_date=due,
        fulfilment_state=FulfilmentState.NONE,
        fulfilment_attempts=0,
        contact_scrub_pending=False,
        created_at=now,
        updated_at=now,
        **values,
    )
    session.add(request)
    await session.flush()
    return request


async def join_open_own(
    session: AsyncSession,
    audit: AuditLog,
    tenant_id: UUID,
    by: By,
    request_type: RequestType,
    details: str | None,
    now: datetime,
) -> PrivacyRequest | None:
    """The member's open request of this type, joined by their new filing; None: file one
    (with :func:`file_own`, in the same transaction, which keeps the filing serialised)."""
    assert by.user_id is not None
    mine = PrivacyRequest.requester_user_id == by.user_id
    return await _join_open(session, audit, tenant_id, request_type, mine, by, details, now)


async def file_own(
    session: AsyncSession,
    audit: AuditLog,
    tenant_id: UUID,
    by: By,
    request_type: RequestType,
    details: str | None,
    now: datetime,
) -> PrivacyRequest:
    """A signed-in member files for themselves: identity verified by their sign-in."""
    assert by.user_id is not None
    employee_id = await session.scalar(
        select(Employee.id).where(Employee.tenant_id == tenant_id, Employee.user_id == by.user_id)
    )
    email = await session.scalar(select(User.email).where(User.id == by.user_id))
    request = await _new_request(
        session,
        tenant_id,
        request_type,
        Channel.APP,
        now,
        status=Status.RECEIVED,
        subject_employee_id=employee_id,
        subject_user_id=by.user_id,
        requester_user_id=by.user_id,
        contact_email=email,
        details=details,
        identity_verified_at=now,
        identity_method=SIGNED_IN,
        identity_verified_by=by.user_id,
    )
    await _announce_filed(session, audit, request, by, now, verified=True)
    return request


async def file_from_intake(
    session: AsyncSession,
    audit: AuditLog,
    tenant_id: UUID,
    intake_id: UUID,
    subject: tuple[UUID | None, UUID | None],
    email: str,
    request_type: RequestType,
    details: str | None,
    received_at: datetime,
) -> PrivacyRequest | None:
    """The public intake's request in one matched tenant; None if already created there."""
    exists = await session.scalar(
        select(PrivacyRequest.id).where(
            PrivacyRequest.tenant_id == tenant_id, PrivacyRequest.intake_id == intake_id
        )
    )
    if exists is not None:
        return None
    same_address = and_(
        PrivacyRequest.channel == Channel.PUBLIC,
        func.lower(PrivacyRequest.contact_email) == email.strip().lower(),
    )
    joined = await _join_open(
        session, audit, tenant_id, request_type, same_address, SYSTEM, details, received_at
    )
    if joined is not None:
        return joined
    employee_id, user_id = subject
    request = await _new_request(
        session,
        tenant_id,
        request_type,
        Channel.PUBLIC,
        received_at,
        status=Status.IDENTITY_PENDING,
        subject_employee_id=employee_id,
        subject_user_id=user_id,
        intake_id=intake_id,
        contact_email=email,
        details=details,
    )
    await _announce_filed(session, audit, request, SYSTEM, received_at, verified=False)
    return request


async def _join_open(
    session: AsyncSession,
    audit: AuditLog,
    tenant_id: UUID,
    request_type: RequestType,
    same_requester: ColumnElement[bool],
    by: By,
    details: str | None,
    now: datetime,
) -> PrivacyRequest | None:
    """The requester's open request of this type, which a new filing joins (a timeline
    step keeping any new text, no mail), or None to file a new one. Filings of one
    type in one tenant are serialised, so a double submission cannot make two."""
    key = f"privacy-filing:{tenant_id}:{request_type}"
    await session.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(key, 0))))
    request = await session.scalar(
        select(PrivacyRequest)
        .where(
            PrivacyRequest.tenant_id == tenant_id,
            PrivacyRequest.request_type == request_type,
            PrivacyRequest.status.in_(OPEN),
            same_requester,
        )
        .order_by(PrivacyRequest.received_at)
        .limit(1)
    )
    if request is not None:
        message = messages.joined(details if details and details != request.details else None)
        await record_step(
            session, audit, request, "joined", by, now, from_status=request.status, message=message
        )
    return request


async def _announce_filed(
    session: AsyncSession,
    audit: AuditLog,
    request: PrivacyRequest,
    by: By,
    now: datetime,
    *,
    verified: bool,
) -> None:
    """The 'filed' step: audited timeline entry, the requester's and the admins' messages."""
    controller = await tenant_name(session, request.tenant_id)
    request_type = RequestType(request.request_type)
    summary = messages.filed_summary(controller, request.due_date, verified=verified)
    await record_step(
        session,
        audit,
        request,
        "filed",
        by,
        now,
        from_status=None,
        message=summary,
        details={"channel": request.channel},
    )
    await tell_requester(
        session,
        request,
        messages.filed(
            controller,
            request_type,
            requester_reference(request),
            request.due_date,
            verified=verified,
        ),
    )
    await tell_admins(
        session,
        request.tenant_id,
        messages.new_request(
            controller, request_type, request.id, request.due_date, identity_pending=not verified
        ),
    )


# --- Decisions (client admin) ---------------------------------------------------------------


def _require_verified(request: PrivacyRequest) -> None:
    if request.identity_verified_at is None:
        raise Conflict(
            "The requester's identity is not verified yet: nothing is disclosed, changed or "
            "erased before it is.",
            reason="identity_not_verified",
        )


def _require_type(request: PrivacyRequest, allowed: frozenset[RequestType], what: str) -> None:
    if RequestType(request.request_type) not in allowed:
        raise Conflict(
            f"This is {messages.with_article(request.request_type)} request: "
            f"{what} does not answer it.",
            reason="wrong_request_type",
        )


def _require_idle(request: PrivacyRequest) -> None:
    if request.fulfilment_state in (FulfilmentState.QUEUED, FulfilmentState.RUNNING):
        raise Conflict(
            "A job is working on this request; wait for it to finish.", reason="fulfilment_running"
        )


async def verify_identity(
    session: AsyncSession,
    audit: AuditLog,
    request: PrivacyRequest,
    by: By,
    method: str,
    now: datetime,
) -> PrivacyRequest:
    if request.identity_verified_at is not None:
        raise Conflict("The requester's identity is already verified.", reason="already_verified")
    await _transition(
        session,
        audit,
        request,
        Action.VERIFY_IDENTITY,
        by,
        now,
        name="identity_verified",
        message=f"Your identity was confirmed ({method.replace('_', ' ')}).",
        details={"method": method},
    )
    request.identity_verified_at, request.identity_method = now, method
    request.identity_verified_by = by.user_id
    controller = await tenant_name(session, request.tenant_id)
    await tell_requester(
        session,
        request,
        messages.identity_verified(controller, requester_reference(request), request.due_date),
    )
    return request


async def extend(
    session: AsyncSession,
    audit: AuditLog,
    request: PrivacyRequest,
    by: By,
    new_due: date,
    reason: str,
    now: datetime,
) -> PrivacyRequest:
    check_transition(request, Action.EXTEND)
    try:
        due = extended_due(
            request.received_at, request.due_date, new_due, reason, now, calendar_of(request)
        )
    except ExtensionRefused as exc:
        raise _EXTENSION_STATUS[exc.code](exc.message, reason=str(exc.code)) from None
    controller = await tenant_name(session, request.tenant_id)
    message = messages.extended(controller, requester_reference(request), reason, due)
    await _transition(
        session,
        audit,
        request,
        Action.EXTEND,
        by,
        now,
        name="extended",
        message=f"{controller} needs more time: the new date is {due.isoformat()}. "
        f"The reason: {reason.strip()}",
        details={"due_date": due.isoformat(), "previous_due_date": request.due_date.isoformat()},
    )
    request.due_date, request.extension_reason, request.extended_at = due, reason.strip(), now
    request.decided_by = by.user_id
    await processor_due_changed(session, request)
    await tell_requester(session, request, message)
    await tell_admins_step(session, request, f"deadline extended to {due.isoformat()}")
    return request


async def refuse(
    session: AsyncSession,
    audit: AuditLog,
    request: PrivacyRequest,
    by: By,
    reason: str,
    now: datetime,
) -> PrivacyRequest:
    _require_idle(request)
    if request.fulfilment_state == FulfilmentState.DONE:
        raise Conflict(
            "This request has already been carried out; complete it instead.",
            reason="already_fulfilled",
        )
    controller = await tenant_name(session, request.tenant_id)
    await _transition(
        session,
        audit,
        request,
        Action.REFUSE,
        by,
        now,
        name="refused",
        message=f"{controller} refused your request. The reason: {reason.strip()}",
    )
    request.refusal_reason, request.decided_at, request.decided_by = reason.strip(), now, by.user_id
    await tell_requester(
        session, request, messages.refused(controller, requester_reference(request), reason)
    )
    await tell_admins_step(session, request, "refused")
    return request


async def complete(
    session: AsyncSession,
    audit: AuditLog,
    request: PrivacyRequest,
    by: By,
    note: str | None,
    now: datetime,
) -> PrivacyRequest:
    """The answer. Every type needs its fulfilment done first (export built, erasure run,
    data corrected, flags set)."""
    if request.fulfilment_state != FulfilmentState.DONE and Status(request.status) in OPEN:
        _require_verified(request)
        raise Conflict(
            "Carry out the request before completing it (export, erasure, correction or flags).",
            reason="not_fulfilled",
        )
    controller = await tenant_name(session, request.tenant_id)
    await _transition(
        session,
        audit,
        request,
        Action.COMPLETE,
        by,
        now,
        name="completed",
        message=f"{controller} has answered your request." + (f" {note.strip()}" if note else ""),
    )
    request.completion_note = note.strip() if note else None
    request.decided_at, request.decided_by = now, by.user_id
    await tell_requester(
        session,
        request,
        messages.completed(
            controller,
            requester_reference(request),
            request.request_type,
            note,
            request.fulfilment_report,
        ),
    )
    await tell_admins_step(session, request, "completed")
    if request.request_type == RequestType.ERASURE:
        # The answer above is the last thing sent to the person: clear the contact once sent.
        from tenants.privacy_requests.jobs import scrub_requester_contact

        request.contact_scrub_pending = True
        enqueue_after_commit(
            session, scrub_requester_contact, str(request.tenant_id), str(request.id)
        )
    return request


# --- Fulfilment (client admin) ---------------------------------------------------------------


async def _start(
    session: AsyncSession,
    audit: AuditLog,
    request: PrivacyRequest,
    by: By,
    now: datetime,
    name: str,
) -> None:
    _require_verified(request)
    _require_idle(request)
    await _transition(session, audit, request, Action.START, by, now, name=name)
    request.fulfilment_requested_at, request.fulfilment_by = now, by.user_id


async def start_export(
    session: AsyncSession, audit: AuditLog, request: PrivacyRequest, by: By, now: datetime
) -> PrivacyRequest:
    """Queue the job that builds the zip (access and portability)."""
    from tenants.privacy_requests.jobs import build_privacy_export

    _require_type(request, EXPORT_TYPES, "an export")
    await _start(session, audit, request, by, now, "export_requested")
    request.fulfilment_state, request.fulfilment_attempts = FulfilmentState.QUEUED, 0
    enqueue_after_commit(session, build_privacy_export, str(request.tenant_id), str(request.id))
    return request


async def start_erasure(
    session: AsyncSession, audit: AuditLog, request: PrivacyRequest, by: By, now: datetime
) -> PrivacyRequest:
    """Queue the erasure job (once: an erasure that ran cannot run again)."""
    from tenants.privacy_requests.jobs import erase_privacy_subject

    _require_type(request, frozenset({RequestType.ERASURE}), "an erasure")
    if request.fulfilment_state == FulfilmentState.DONE:
        raise Conflict("The erasure has already been carried out.", reason="already_fulfilled")
    await _start(session, audit, request, by, now, "erasure_requested")
    request.fulfilment_state, request.fulfilment_attempts = FulfilmentState.QUEUED, 0
    enqueue_after_commit(session, erase_privacy_subject, str(request.tenant_id), str(request.id))
    return request


async def _subject_employee(session: AsyncSession, request: PrivacyRequest) -> Employee:
    if request.subject_employee_id is None:
        raise Conflict(
            "This person has no employee record in your company: there is nothing to change.",
            reason="no_employee_record",
        )
    employee = await session.scalar(
        select(Employee)
        .where(Employee.tenant_id == request.tenant_id, Employee.id == request.subject_employee_id)
        .with_for_update()
    )
    assert employee is not None
    return employee


async def rectify(
    session: AsyncSession,
    audit: AuditLog,
    request: PrivacyRequest,
    by: By,
    changes: Mapping[str, Any],
    now: datetime,
) -> list[str]:
    """Correct the subject's details (audited, field names only); returns what changed."""
    _require_type(request, frozenset({RequestType.RECTIFICATION}), "a correction")
    unknown = set(changes) - RECTIFIABLE
    assert not unknown, unknown
    if not changes:
        raise InvalidInput("Name at least one detail to correct.")
    await _subject_employee(session, request)
    await _start(session, audit, request, by, now, "rectification_started")
    assert request.subject_employee_id is not None
    employee, changed = await update_employee(
        session, request.tenant_id, request.subject_employee_id, changes
    )
    await audit.append(
        session,
        request.tenant_id,
        AuditEntry(
            "employee.updated",
            by.user_id,
            by.role,
            "employee",
            employee.id,
            details={"fields": changed, "privacy_request_id": str(request.id)},
        ),
    )
    fields = sorted(set(changed) | set((request.fulfilment_report or {}).get("fields", [])))
    await mark_fulfilled(
        session,
        audit,
        request,
        by,
        now,
        "rectified",
        {"fields": fields},
        f"Corrected: {', '.join(changed) or 'nothing (the details were already right)'}.",
    )
    controller = await tenant_name(session, request.tenant_id)
    await tell_requester(
        session, request, messages.rectified(controller, requester_reference(request), changed)
    )
    return changed


async def apply_flags(
    session: AsyncSession, audit: AuditLog, request: PrivacyRequest, by: By, now: datetime
) -> dict[str, bool]:
    """Restriction freezes the data; objection and consent withdrawal stop marketing and
    take the person out of the directory."""
    _require_type(request, FLAG_TYPES, "setting these flags")
    employee = await _subject_employee(session, request)
    await _start(session, audit, request, by, now, "flags_started")
    if request.request_type == RequestType.RESTRICTION:
        flags = {"processing_restricted": True}
    else:
        flags = {"marketing_opt_in": False, "directory_excluded": True}
    changed = sorted(name for name, value in flags.items() if getattr(employee, name) != value)
    for name, value in flags.items():
        setattr(employee, name, value)
    employee.updated_at = now
    if changed:
        action = (
            "employee.restriction_set"
            if changed == ["processing_restricted"]
            else "employee.updated"
        )
        await audit.append(
            session,
            request.tenant_id,
            AuditEntry(
                action,
                by.user_id,
                by.role,
                "employee",
                employee.id,
                details={"fields": changed, "privacy_request_id": str(request.id)},
            ),
        )
    await mark_fulfilled(
        session,
        audit,
        request,
        by,
        now,
        "flags_applied",
        {"flags": flags},
        messages.FLAG_WORDS[RequestType(request.request_type)],
    )
    controller = await tenant_name(session, request.tenant_id)
    await tell_requester(
        session,
        request,
        messages.flags_applied(controller, requester_reference(request), request.request_type),
    )
    return flags


async def mark_fulfilled(
    session: AsyncSession,
    audit: AuditLog,
    request: PrivacyRequest,
    by: By,
    now: datetime,
    name: str,
    report: dict[str, Any],
    message: str | None,
) -> None:
    request.fulfilment_state, request.fulfilled_at = FulfilmentState.DONE, now
    request.fulfilment_report = report
    request.updated_at = now
    await record_step(
        session, audit, request, name, by, now, from_status=request.status, message=message
    )


# --- Export files ---------------------------------------------------------------------------


async def store_export(
    session: AsyncSession,
    request: PrivacyRequest,
    content: bytes,
    sha256: str,
    schema_version: str,
    now: datetime,
    days: int,
) -> PrivacyExport:
    """Keep the zip for ``days``; earlier exports of the request are deleted at once."""
    for old in (
        await session.scalars(
            select(PrivacyExport).where(
                PrivacyExport.tenant_id == request.tenant_id,
                PrivacyExport.request_id == request.id,
                PrivacyExport.content.is_not(None),
            )
        )
    ).all():
        old.content, old.deleted_at = None, now
    export = PrivacyExport(
        tenant_id=request.tenant_id,
        id=new_id(),
        request_id=request.id,
        schema_version=schema_version,
        content=content,
        size_bytes=len(content),
        sha256=sha256,
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    session.add(export)
    await session.flush()
    return export


async def purge_expired_exports(session: AsyncSession, tenant_id: UUID, now: datetime) -> int:
    """Delete the bytes of every export past its expiry (the row stays, as a record)."""
    rows = (
        await session.scalars(
            select(PrivacyExport)
            .where(
                PrivacyExport.tenant_id == tenant_id,
                PrivacyExport.content.is_not(None),
                PrivacyExport.expires_at <= now,
            )
            .with_for_update(skip_locked=True)
        )
    ).all()
    for export in rows:
        export.content, export.deleted_at = None, now
    return len(rows)


async def overdue_requests(
    session: AsyncSession, tenant_id: UUID, now: datetime
) -> list[PrivacyRequest]:
    """Open requests past their due date not yet flagged today (UTC day: see deadlines)."""
    today = now.date()
    rows = await session.scalars(
        select(PrivacyRequest)
        .where(
            PrivacyRequest.tenant_id == tenant_id,
            PrivacyRequest.status.in_([s.value for s in OPEN]),
            PrivacyRequest.due_date < today,
            (PrivacyRequest.overdue_notified_on.is_(None))
            | (PrivacyRequest.overdue_notified_on < today),
        )
        .order_by(PrivacyRequest.due_date, PrivacyRequest.id)
        .with_for_update(skip_locked=True)
    )
    return [r for r in rows.all() if deadline_of(r, now).overdue]
