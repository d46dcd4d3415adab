"""Filing: a member files for themselves, the public intake files in each matched tenant;
a new filing joins the requester's open request of the same type."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tenants.employees.models import Employee
from tenants.privacy_requests import messages
from tenants.privacy_requests.deadlines import (
    due_on_receipt,
    request_calendar,
)
from tenants.privacy_requests.models import (
    Channel,
    FulfilmentState,
    ObjectionTarget,
    PrivacyRequest,
    RequestType,
)
from tenants.privacy_requests.service.queries import tenant_name
from tenants.privacy_requests.service.steps import (
    record_step,
    requester_reference,
    tell_admins,
    tell_requester,
)
from tenants.privacy_requests.transitions import (
    OPEN,
    Status,
)
from timeward.acting import SYSTEM, Acting
from timeward.audit.log import AuditLog
from timeward.db.base import new_id
from timeward.identity.models import Tenant, User

SIGNED_IN = "signed_in"  # identity of a request filed by a signed-in member for themselves
# Identity of a request the controller's own privacy tool sent (OpenDSR): the controller
# verified whom it is about before sending it.
BY_CONTROLLER_TOOL = "controller_tool"


async def new_request(
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
    by: Acting,
    request_type: RequestType,
    details: str | None,
    now: datetime,
    target: ObjectionTarget | None = None,
) -> PrivacyRequest | None:
    """The member's open request of this type (and objection target), joined by their new
    filing; None: file one (with :func:`file_own`, in the same transaction, which keeps
    the filing serialised)."""
    assert by.user_id is not None
    mine = and_(
        PrivacyRequest.requester_user_id == by.user_id,
        PrivacyRequest.objection_target.is_not_distinct_from(target),
    )
    return await _join_open(session, audit, tenant_id, request_type, mine, by, details, now)


async def file_own(
    session: AsyncSession,
    audit: AuditLog,
    tenant_id: UUID,
    by: Acting,
    request_type: RequestType,
    details: str | None,
    now: datetime,
    target: ObjectionTarget | None = None,
) -> PrivacyRequest:
    """A signed-in member files for themselves: identity verified by their sign-in.
    ``target``: what an objection is against (checked by the caller)."""
    assert by.user_id is not None
    employee_id = await session.scalar(
        select(Employee.id).where(Employee.tenant_id == tenant_id, Employee.user_id == by.user_id)
    )
    email = await session.scalar(select(User.email).where(User.id == by.user_id))
    request = await new_request(
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
        objection_target=target,
        identity_verified_at=now,
        identity_method=SIGNED_IN,
        identity_verified_by=by.user_id,
    )
    await _announce_filed(session, audit, request, by, now, verified=True)
    return request


async def file_for_controller(
    session: AsyncSession,
    audit: AuditLog,
    tenant_id: UUID,
    by: Acting,
    request_type: RequestType,
    employee_id: UUID,
    now: datetime,
) -> PrivacyRequest:
    """The controller's privacy tool (a machine client) files a request about one of the
    tenant's employees; nobody is the requester to write to, the tool follows it."""
    user_id = await session.scalar(
        select(Employee.user_id).where(Employee.tenant_id == tenant_id, Employee.id == employee_id)
    )
    request = await new_request(
        session,
        tenant_id,
        request_type,
        Channel.OPENDSR,
        now,
        status=Status.RECEIVED,
        subject_employee_id=employee_id,
        subject_user_id=user_id,
        identity_verified_at=now,
        identity_method=BY_CONTROLLER_TOOL,
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
    request = await new_request(
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
    by: Acting,
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
    by: Acting,
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
    reference = requester_reference(request)
    await tell_requester(
        session,
        request,
        lambda t: messages.filed(
            controller, request_type, reference, request.due_date, verified=verified, t=t
        ),
    )
    await tell_admins(
        session,
        request.tenant_id,
        messages.new_request(
            controller, request_type, request.id, request.due_date, identity_pending=not verified
        ),
    )
