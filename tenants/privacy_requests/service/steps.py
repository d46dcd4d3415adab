"""Recording and telling: each step is a timeline entry and an audit event; the requester
and the client admins are told by e-mail (outbox, sent after commit) and in the app."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import structlog
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tenants.privacy_requests import messages
from tenants.privacy_requests.models import (
    PrivacyRequest,
    PrivacyRequestEvent,
)
from tenants.privacy_requests.service.checks import (
    check_transition,
)
from tenants.privacy_requests.service.queries import tenant_name
from tenants.privacy_requests.transitions import (
    OPEN,
    Action,
)
from tenants.settings.regional import recipient_language
from timeward.acting import Acting
from timeward.audit.log import AuditEntry, AuditLog
from timeward.db.base import new_id
from timeward.identity.models import Membership, UserStatus
from timeward.identity.service import client_admins
from timeward.mail.categories import Essential
from timeward.mail.service import queue_email
from timeward.notifications.service import notify
from timeward.translations import Phrase, Translator, translator
from timeward.webhooks.events import emit

log = structlog.get_logger("timeward.privacy_requests")


def timeline_event(
    request: PrivacyRequest,
    seq: int,
    at: datetime,
    name: str,
    from_status: str | None,
    actor_role: str | None,
    message: Phrase | None,
) -> PrivacyRequestEvent:
    """A timeline row; the requester's words in English and as their source and values."""
    return PrivacyRequestEvent(
        tenant_id=request.tenant_id,
        id=new_id(),
        request_id=request.id,
        seq=seq,
        at=at,
        action=name,
        from_status=from_status,
        to_status=request.status,
        actor_role=actor_role,
        message=message.english if message else None,
        message_key=message.message if message else None,
        message_values=message.values if message else None,
    )


async def record_step(
    session: AsyncSession,
    audit: AuditLog,
    request: PrivacyRequest,
    name: str,
    by: Acting,
    now: datetime,
    *,
    from_status: str | None,
    message: Phrase | None,
    details: Mapping[str, Any] | None = None,
) -> None:
    """One timeline step and its audit event (ids, codes and field names only). The
    requester's words are stored in English and as their source and values."""
    last = await session.scalar(
        select(func.max(PrivacyRequestEvent.seq)).where(
            PrivacyRequestEvent.tenant_id == request.tenant_id,
            PrivacyRequestEvent.request_id == request.id,
        )
    )
    session.add(timeline_event(request, (last or 0) + 1, now, name, from_status, by.role, message))
    audit_details: dict[str, Any] = {"type": request.request_type, "status": request.status}
    if from_status is not None and from_status != request.status:
        audit_details["from"] = from_status
    audit_details.update(details or {})
    if from_status is None or from_status != request.status:
        await emit(session, request.tenant_id, *_event(request, from_status))
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


def _event(request: PrivacyRequest, previous: str | None) -> tuple[str, dict[str, Any]]:
    """The webhook of a filing or a status change: ids, type, statuses, due date."""
    kind = "privacy_request.filed" if previous is None else "privacy_request.status_changed"
    data = {
        "request_id": request.id,
        "request_type": request.request_type,
        "status": request.status,
        "previous_status": previous,
        "due_date": request.due_date,
    }
    return kind, data


DUE_SOON = timedelta(days=7)


async def announce_due_soon(session: AsyncSession, tenant_id: UUID, now: datetime) -> int:
    """The ``privacy_request.due_soon`` webhook of every open request due within a week,
    once per request and due date (an extension announces it again)."""
    today = now.date()
    rows = await session.scalars(
        select(PrivacyRequest).where(
            PrivacyRequest.tenant_id == tenant_id,
            PrivacyRequest.status.in_([s.value for s in OPEN]),
            PrivacyRequest.due_date >= today,
            PrivacyRequest.due_date <= today + DUE_SOON,
        )
    )
    announced = 0
    for request in rows.all():
        key = f"privacy_request.due_soon:{request.id}:{request.due_date.isoformat()}"
        data = {"request_id": request.id, "request_type": request.request_type}
        data.update({"status": request.status, "due_date": request.due_date})
        if await emit(session, tenant_id, "privacy_request.due_soon", data, dedupe_key=key):
            announced += 1
    return announced


async def apply_transition(
    session: AsyncSession,
    audit: AuditLog,
    request: PrivacyRequest,
    action: Action,
    by: Acting,
    now: datetime,
    *,
    name: str | None = None,
    message: Phrase | None = None,
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


async def in_requesters_language(
    session: AsyncSession, request: PrivacyRequest, compose: messages.Compose
) -> messages.Message:
    """The message as the requester will read it (the console shows it before sending)."""
    language = await recipient_language(session, request.tenant_id, request.requester_user_id)
    return compose(translator(language))


async def tell_requester(
    session: AsyncSession, request: PrivacyRequest, compose: messages.Compose
) -> None:
    """By e-mail to the contact address and in the app when they are a member, in their
    language: the one they chose, else their employer's default (docs/web.md)."""
    language = await recipient_language(session, request.tenant_id, request.requester_user_id)
    t = translator(language)
    message = compose(t)
    if request.contact_email:
        try:
            await queue_email(
                session,
                request.tenant_id,
                request.contact_email,
                message.subject,
                message.body,
                category=Essential.PRIVACY_REQUEST,
                t=t,
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


async def answer_requester(
    session: AsyncSession,
    request: PrivacyRequest,
    compose: Callable[[str, UUID, Translator], messages.Message],
) -> None:
    """Tell the requester a message composed from their employer's name and the reference
    they know the request by, in their language."""
    controller = await tenant_name(session, request.tenant_id)
    reference = requester_reference(request)
    await tell_requester(session, request, lambda t: compose(controller, reference, t))


async def tell_admins(session: AsyncSession, tenant_id: UUID, message: messages.Message) -> int:
    admins = await client_admins(session, tenant_id)
    await notify(
        session, tenant_id, [a.user_id for a in admins], message.kind, message.subject, message.body
    )
    for admin in admins:
        try:
            await queue_email(
                session,
                tenant_id,
                admin.email,
                message.subject,
                message.body,
                category=Essential.PRIVACY_REQUEST,
            )
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
