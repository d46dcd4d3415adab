"""Fulfilment by the client admin: start the export or erasure job, correct the subject's
details, set the flags, and record a fulfilment done."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tenants.employees.models import Employee
from tenants.employees.service import (
    change_employee,
    ensure_writable,
    get_employee,
    update_employee,
)
from tenants.locations.service import reduce_locations
from tenants.privacy_requests import messages
from tenants.privacy_requests.models import (
    FulfilmentState,
    ObjectionTarget,
    PrivacyRequest,
    RequestType,
)
from tenants.privacy_requests.service.checks import (
    require_idle,
    require_type,
    require_verified,
)
from tenants.privacy_requests.service.job_starts import (
    BUILD_EXPORT,
    ERASE_SUBJECT,
    start_after_commit,
)
from tenants.privacy_requests.service.queries import tenant_name
from tenants.privacy_requests.service.steps import (
    answer_requester,
    apply_transition,
    record_step,
    requester_reference,
    tell_admins_step,
    tell_requester,
)
from tenants.privacy_requests.subject import subject_of
from tenants.privacy_requests.transitions import (
    Action,
)
from tenants.settings.models import LocationMode
from tenants.settings.service import limit_after_objection, location_policy
from timeward.acting import Acting
from timeward.audit.log import AuditEntry, AuditLog
from timeward.errors import Conflict, InvalidInput
from timeward.translations import Phrase, phrase

MAX_FULFILMENT_ATTEMPTS = 5
EXPORT_TYPES = frozenset({RequestType.ACCESS, RequestType.PORTABILITY})
FLAG_TYPES = frozenset(
    {RequestType.RESTRICTION, RequestType.OBJECTION, RequestType.CONSENT_WITHDRAWAL}
)
RECTIFIABLE = frozenset(
    {"name", "work_email", "phone", "postal_address", "job_title", "employee_number", "hire_date"}
)


async def _start(
    session: AsyncSession,
    audit: AuditLog,
    request: PrivacyRequest,
    by: Acting,
    now: datetime,
    name: str,
) -> None:
    require_verified(request)
    require_idle(request)
    await subject_of(session, request)  # SubjectUnclear (409) now, not a failed job later
    await apply_transition(session, audit, request, Action.START, by, now, name=name)
    request.fulfilment_requested_at, request.fulfilment_by = now, by.member_id


async def start_export(
    session: AsyncSession, audit: AuditLog, request: PrivacyRequest, by: Acting, now: datetime
) -> PrivacyRequest:
    """Queue the job that builds the zip (access and portability)."""
    require_type(request, EXPORT_TYPES, "an export")
    await _start(session, audit, request, by, now, "export_requested")
    request.fulfilment_state, request.fulfilment_attempts = FulfilmentState.QUEUED, 0
    start_after_commit(session, BUILD_EXPORT, str(request.tenant_id), str(request.id))
    return request


async def start_erasure(
    session: AsyncSession, audit: AuditLog, request: PrivacyRequest, by: Acting, now: datetime
) -> PrivacyRequest:
    """Queue the erasure job (once: an erasure that ran cannot run again)."""
    require_type(request, frozenset({RequestType.ERASURE}), "an erasure")
    if request.fulfilment_state == FulfilmentState.DONE:
        raise Conflict("The erasure has already been carried out.", reason="already_fulfilled")
    await _start(session, audit, request, by, now, "erasure_requested")
    request.fulfilment_state, request.fulfilment_attempts = FulfilmentState.QUEUED, 0
    start_after_commit(session, ERASE_SUBJECT, str(request.tenant_id), str(request.id))
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
    by: Acting,
    changes: Mapping[str, Any],
    now: datetime,
) -> list[str]:
    """Correct the subject's details (audited, field names only); returns what changed."""
    require_type(request, frozenset({RequestType.RECTIFICATION}), "a correction")
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
        phrase(messages.CORRECTED, fields=", ".join(changed))
        if changed
        else phrase(messages.CORRECTED_NOTHING),
    )
    corrected = {field: getattr(employee, field) for field in changed}
    await answer_requester(
        session,
        request,
        lambda controller, ref, t: messages.rectified(controller, ref, corrected, t),
    )
    return changed


async def _flags(
    session: AsyncSession, request: PrivacyRequest, employee: Employee
) -> dict[str, bool | str]:
    """The flags a request of this type (and objection target) sets on the employee."""
    if request.request_type == RequestType.RESTRICTION:
        return {"processing_restricted": True}
    target = request.objection_target
    if target == ObjectionTarget.MARKETING:
        return {"marketing_opt_in": False}
    if target == ObjectionTarget.DIRECTORY:
        return {"directory_excluded": True}
    if target == ObjectionTarget.LOCATION:
        policy = await location_policy(session, request.tenant_id)
        limit = limit_after_objection(policy)
        if employee.location_limit == LocationMode.OFF:
            limit = LocationMode.OFF  # never loosen a stricter limit already set
        return {"location_limit": str(limit)}
    return {"marketing_opt_in": False, "directory_excluded": True}


async def apply_flags(
    session: AsyncSession, audit: AuditLog, request: PrivacyRequest, by: Acting, now: datetime
) -> dict[str, bool | str]:
    """Upholding: restriction freezes the data; an objection stops what it names
    (location: the employee's location limit; the directory; marketing) or, naming
    nothing, marketing and the directory, like a consent withdrawal."""
    require_type(request, FLAG_TYPES, "setting these flags")
    employee = await _subject_employee(session, request)
    await _start(session, audit, request, by, now, "flags_started")
    flags = await _flags(session, request, employee)
    changed = sorted(name for name, value in flags.items() if getattr(employee, name) != value)
    for name, value in flags.items():
        setattr(employee, name, value)
    employee.updated_at = now
    if "location_limit" in changed:
        await session.flush()
        await reduce_locations(session, request.tenant_id, now)  # stored coordinates too
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
        phrase(messages.flag_words(request.request_type, flags)),
    )
    kind = request.request_type
    await answer_requester(
        session,
        request,
        lambda controller, ref, t: messages.flags_applied(controller, ref, kind, flags, t),
    )
    return flags


async def lifting_message(
    session: AsyncSession, request: PrivacyRequest, reason: str
) -> messages.Compose:
    """What the requester is told before their restriction is lifted; refused (409) unless
    this restriction request's flag is set and still on."""
    require_type(request, frozenset({RequestType.RESTRICTION}), "lifting a restriction")
    employee = await _subject_employee(session, request)
    if request.fulfilment_state != FulfilmentState.DONE or not employee.processing_restricted:
        raise Conflict("The person's data is not restricted.", reason="not_restricted")
    if not reason.strip():
        raise InvalidInput("Give the reason the person is told.")
    controller = await tenant_name(session, request.tenant_id)
    reference = requester_reference(request)
    return lambda t: messages.restriction_lifting(controller, reference, reason, t)


async def lift_restriction(
    session: AsyncSession,
    audit: AuditLog,
    request: PrivacyRequest,
    by: Acting,
    reason: str,
    now: datetime,
) -> PrivacyRequest:
    """Lift the restriction this request set, telling the person first (GDPR Art. 18(3)):
    the message is queued and written to the timeline before the flag changes, in the same
    transaction. Allowed whatever the request's status (usually completed)."""
    told = await lifting_message(session, request, reason)
    await tell_requester(session, request, told)
    await record_step(
        session,
        audit,
        request,
        "restriction_lifted",
        by,
        now,
        from_status=request.status,
        message=phrase(messages.RESTRICTION_LIFTED, reason=reason.strip()),
    )
    assert request.subject_employee_id is not None
    await change_employee(
        session,
        audit,
        request.tenant_id,
        request.subject_employee_id,
        {"processing_restricted": False},
        by,
    )
    request.fulfilment_report = {
        **(request.fulfilment_report or {}),
        "flags": {"processing_restricted": False},
        "lifted_at": now.isoformat(),
    }
    request.updated_at = now
    await tell_admins_step(session, request, "restriction lifted")
    return request


async def lift_location_limit(
    session: AsyncSession,
    audit: AuditLog,
    tenant_id: UUID,
    employee_id: UUID,
    by: Acting,
    reason: str,
    now: datetime,
) -> Employee:
    """A client admin lifts the location limit an upheld objection set (e.g. the person
    withdrew the objection): from then on the tenant's mode applies to them again. 409
    without a limit, or while their data is restricted (lifting records more); the person
    is told the reason on the objection's timeline, by mail and in the app, and their home
    page says so."""
    if not reason.strip():
        raise InvalidInput("Give the reason the person is told.")
    employee = await get_employee(session, tenant_id, employee_id, lock=True)
    if employee.location_limit is None:
        raise Conflict("This employee has no location limit.", reason="no_location_limit")
    ensure_writable(employee)
    previous = employee.location_limit
    employee.location_limit, employee.location_limit_lifted_at = None, now
    employee.updated_at = now
    await audit.append(
        session,
        tenant_id,
        AuditEntry(
            "employee.location_limit_lifted",
            by.user_id,
            by.role,
            "employee",
            employee.id,
            details={"from": previous},
        ),
    )
    objection = await session.scalar(
        select(PrivacyRequest)
        .where(
            PrivacyRequest.tenant_id == tenant_id,
            PrivacyRequest.subject_employee_id == employee.id,
            PrivacyRequest.objection_target == ObjectionTarget.LOCATION,
            PrivacyRequest.fulfilment_state == FulfilmentState.DONE,
        )
        .order_by(PrivacyRequest.fulfilled_at.desc())
        .limit(1)
        .with_for_update()
    )
    if objection is not None:
        await record_step(
            session,
            audit,
            objection,
            "location_limit_lifted",
            by,
            now,
            from_status=objection.status,
            message=phrase(messages.LOCATION_LIMIT_LIFTED, reason=reason.strip()),
        )
        await answer_requester(
            session,
            objection,
            lambda controller, ref, t: messages.location_limit_lifted(controller, ref, reason, t),
        )
    return employee


async def mark_fulfilled(
    session: AsyncSession,
    audit: AuditLog,
    request: PrivacyRequest,
    by: Acting,
    now: datetime,
    name: str,
    report: dict[str, Any],
    message: Phrase | None,
) -> None:
    request.fulfilment_state, request.fulfilled_at = FulfilmentState.DONE, now
    request.fulfilment_report = report
    request.updated_at = now
    await record_step(
        session, audit, request, name, by, now, from_status=request.status, message=message
    )
