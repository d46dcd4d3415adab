"""The client admin's decisions: verify the identity, extend, refuse, complete."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from tenants.privacy_requests import messages
from tenants.privacy_requests.deadlines import (
    extended_due,
)
from tenants.privacy_requests.models import (
    FulfilmentState,
    PrivacyRequest,
    RequestType,
)
from tenants.privacy_requests.processor import processor_due_changed
from tenants.privacy_requests.service.checks import (
    check_transition,
    require_idle,
    require_verified,
)
from tenants.privacy_requests.service.job_starts import (
    SCRUB_CONTACT,
    start_after_commit,
)
from tenants.privacy_requests.service.queries import calendar_of, tenant_name
from tenants.privacy_requests.service.steps import (
    answer_requester,
    apply_transition,
    requester_reference,
    tell_admins_step,
    tell_requester,
)
from tenants.privacy_requests.transitions import (
    OPEN,
    Action,
    Status,
)
from timeward.acting import Acting
from timeward.audit.log import AuditLog
from timeward.deadlines import ExtensionRefusal, ExtensionRefused
from timeward.errors import Conflict, InvalidInput
from timeward.translations import phrase

_EXTENSION_STATUS = {
    ExtensionRefusal.NOT_ALLOWED: Conflict,
    ExtensionRefusal.DEADLINE_PASSED: Conflict,
    ExtensionRefusal.REASON_REQUIRED: InvalidInput,
    ExtensionRefusal.NOT_LATER: InvalidInput,
    ExtensionRefusal.TOO_LONG: InvalidInput,
}


async def verify_identity(
    session: AsyncSession,
    audit: AuditLog,
    request: PrivacyRequest,
    by: Acting,
    method: str,
    note: str | None,
    now: datetime,
) -> PrivacyRequest:
    """Record the identity as verified, and how. ``note`` (optional) joins the timeline
    message, which the requester reads too; it never reaches the audit log."""
    if request.identity_verified_at is not None:
        raise Conflict("The requester's identity is already verified.", reason="already_verified")
    method_words = method.replace("_", " ")
    message = (
        phrase(messages.IDENTITY_CONFIRMED_NOTE, method=method_words, note=note.strip())
        if note and note.strip()
        else phrase(messages.IDENTITY_CONFIRMED, method=method_words)
    )
    await apply_transition(
        session,
        audit,
        request,
        Action.VERIFY_IDENTITY,
        by,
        now,
        name="identity_verified",
        message=message,
        details={"method": method},
    )
    request.identity_verified_at, request.identity_method = now, method
    request.identity_verified_by = by.member_id
    due = request.due_date
    await answer_requester(
        session,
        request,
        lambda controller, ref, t: messages.identity_verified(controller, ref, due, t),
    )
    return request


async def extend(
    session: AsyncSession,
    audit: AuditLog,
    request: PrivacyRequest,
    by: Acting,
    new_due: date,
    reason: str,
    now: datetime,
) -> PrivacyRequest:
    due, told = await extension_message(session, request, new_due, reason, now)
    controller = await tenant_name(session, request.tenant_id)
    await apply_transition(
        session,
        audit,
        request,
        Action.EXTEND,
        by,
        now,
        name="extended",
        message=phrase(
            messages.EXTENDED,
            controller=controller,
            due=due.isoformat(),
            reason=reason.strip(),
        ),
        details={"due_date": due.isoformat(), "previous_due_date": request.due_date.isoformat()},
    )
    request.due_date, request.extension_reason, request.extended_at = due, reason.strip(), now
    request.decided_by = by.member_id
    await processor_due_changed(session, request)
    await tell_requester(session, request, told)
    await tell_admins_step(session, request, f"deadline extended to {due.isoformat()}")
    return request


async def extension_message(
    session: AsyncSession, request: PrivacyRequest, new_due: date, reason: str, now: datetime
) -> tuple[date, messages.Compose]:
    """The new due date and the message the requester will be sent, or the refusal of the
    extension (409/400). :func:`extend` sends exactly this; the console shows it first."""
    check_transition(request, Action.EXTEND)
    try:
        due = extended_due(
            request.received_at, request.due_date, new_due, reason, now, calendar_of(request)
        )
    except ExtensionRefused as exc:
        raise _EXTENSION_STATUS[exc.code](exc.message, reason=str(exc.code)) from None
    controller = await tenant_name(session, request.tenant_id)
    reference = requester_reference(request)
    return due, lambda t: messages.extended(controller, reference, reason, due, t)


async def refusal_message(
    session: AsyncSession, request: PrivacyRequest, reason: str
) -> messages.Compose:
    """What :func:`refuse` sends the requester (with the right to complain)."""
    check_transition(request, Action.REFUSE)
    controller = await tenant_name(session, request.tenant_id)
    reference = requester_reference(request)
    kind = request.request_type
    return lambda t: messages.refused(controller, reference, reason, kind, t)


async def refuse(
    session: AsyncSession,
    audit: AuditLog,
    request: PrivacyRequest,
    by: Acting,
    reason: str,
    now: datetime,
) -> PrivacyRequest:
    require_idle(request)
    if request.fulfilment_state == FulfilmentState.DONE:
        raise Conflict(
            "This request has already been carried out; complete it instead.",
            reason="already_fulfilled",
        )
    controller = await tenant_name(session, request.tenant_id)
    told = await refusal_message(session, request, reason)
    await apply_transition(
        session,
        audit,
        request,
        Action.REFUSE,
        by,
        now,
        name="refused",
        message=messages.refusal_step(controller, request.request_type, reason),
    )
    request.refusal_reason, request.decided_at, request.decided_by = (
        reason.strip(),
        now,
        by.member_id,
    )
    await tell_requester(session, request, told)
    await tell_admins_step(session, request, "refused")
    return request


async def complete(
    session: AsyncSession,
    audit: AuditLog,
    request: PrivacyRequest,
    by: Acting,
    note: str | None,
    now: datetime,
) -> PrivacyRequest:
    """The answer. Every type needs its fulfilment done first (export built, erasure run,
    data corrected, flags set)."""
    if request.fulfilment_state != FulfilmentState.DONE and Status(request.status) in OPEN:
        require_verified(request)
        raise Conflict(
            "Carry out the request before completing it (export, erasure, correction or flags).",
            reason="not_fulfilled",
        )
    controller = await tenant_name(session, request.tenant_id)
    await apply_transition(
        session,
        audit,
        request,
        Action.COMPLETE,
        by,
        now,
        name="completed",
        message=phrase(messages.ANSWERED_NOTE, controller=controller, note=note.strip())
        if note
        else phrase(messages.ANSWERED, controller=controller),
    )
    request.completion_note = note.strip() if note else None
    request.decided_at, request.decided_by = now, by.member_id
    reference, kind, report = (
        requester_reference(request),
        request.request_type,
        request.fulfilment_report,
    )
    await tell_requester(
        session,
        request,
        lambda t: messages.completed(controller, reference, kind, note, report, t),
    )
    await tell_admins_step(session, request, "completed")
    if request.request_type == RequestType.ERASURE:
        # The answer above is the last thing sent to the person: clear the contact once sent.
        request.contact_scrub_pending = True
        start_after_commit(session, SCRUB_CONTACT, str(request.tenant_id), str(request.id))
    return request
