"""Portability to another organisation: the requester names a recipient when filing; once
the employer's export is built, nothing goes out until the requester confirms; then the
recipient is mailed an expiring link to that same export (docs/privacy-requests.md,
"Portability to another organisation").

The link's token is derived, not stored: an HMAC of the tenant and export ids under a key
derived from the master key (as the instructions' receipt tokens). It opens only the
export the requester confirmed, only while that export lives (the export's own expiry and
purge), so a rebuilt export or an expired one answers 410.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tenants.employees.models import Employee
from tenants.privacy_requests import messages
from tenants.privacy_requests.models import (
    PrivacyExport,
    PrivacyRequest,
    RequestType,
    TransferState,
)
from tenants.privacy_requests.service.queries import downloadable, tenant_name
from tenants.privacy_requests.service.steps import (
    record_step,
    requester_reference,
    tell_admins_step,
    tell_requester,
)
from tenants.settings.regional import recipient_language
from timeward.acting import SYSTEM, Acting
from timeward.audit.log import AuditLog
from timeward.crypto.master_key import derive_key
from timeward.errors import Conflict, Gone, InvalidInput, NotFound
from timeward.links import link
from timeward.mail.categories import Essential
from timeward.mail.service import queue_email
from timeward.translations import phrase, translator

TRANSFER_PURPOSE = "privacy-transfers"
TRANSFER_BASE = "/privacy-transfers"
EXPIRED = (
    "This download link has expired and the file has been deleted. Ask the person who sent "
    "it to have it sent again."
)


@dataclass(frozen=True)
class Recipient:
    """The organisation a portability request's data is to go to."""

    name: str
    email: str


def transfer_token(master_key: bytes, tenant_id: UUID, export_id: UUID) -> str:
    key = derive_key(master_key, TRANSFER_PURPOSE)
    return hmac.new(key, tenant_id.bytes + export_id.bytes, hashlib.sha256).hexdigest()


def check_transfer_token(master_key: bytes, tenant_id: UUID, export_id: UUID, token: str) -> bool:
    expected = transfer_token(master_key, tenant_id, export_id).encode()
    return hmac.compare_digest(expected, token.encode("utf-8", "surrogatepass"))


def transfer_path(master_key: bytes, tenant_id: UUID, export_id: UUID) -> str:
    """The recipient's page (who sent it, until when, the download button)."""
    token = transfer_token(master_key, tenant_id, export_id)
    return f"{TRANSFER_BASE}/{tenant_id}/{export_id}?token={token}"


def name_recipient(request: PrivacyRequest, recipient: Recipient | None) -> None:
    """Store the recipient a filing names: a portability request only (else 422), and not
    over a transfer already confirmed or cancelled (a joined filing keeps that one)."""
    if recipient is None:
        return
    if request.request_type != RequestType.PORTABILITY:
        raise InvalidInput.on_field("recipient", "only a portability request has a recipient")
    if request.transfer_state in (TransferState.SENT, TransferState.CANCELLED):
        return
    request.recipient_name, request.recipient_email = recipient.name.strip(), recipient.email


def _said(request: PrivacyRequest) -> dict[str, str]:
    assert request.recipient_name is not None and request.recipient_email is not None
    return {"recipient": request.recipient_name, "address": request.recipient_email}


async def await_confirmation(
    session: AsyncSession, audit: AuditLog, request: PrivacyRequest, export: PrivacyExport
) -> bool:
    """Called when the export is built: a request naming a recipient waits for the
    requester's confirmation (a new export asks again). False: nothing to transfer."""
    if request.recipient_email is None or request.transfer_state == TransferState.CANCELLED:
        return False
    now = export.created_at
    request.transfer_state, request.transfer_export_id = TransferState.AWAITING, None
    request.transfer_confirmed_at = None
    await record_step(
        session,
        audit,
        request,
        "transfer_awaiting",
        SYSTEM,
        now,
        from_status=request.status,
        message=phrase(messages.TRANSFER_AWAITING, **_said(request)),
    )
    controller = await tenant_name(session, request.tenant_id)
    reference, expires = requester_reference(request), export.expires_at
    name, address = request.recipient_name or "", request.recipient_email
    await tell_requester(
        session,
        request,
        lambda t: messages.transfer_to_confirm(controller, reference, name, address, expires, t),
    )
    return True


def _require_awaiting(request: PrivacyRequest) -> None:
    if request.transfer_state != TransferState.AWAITING:
        raise Conflict(
            "There is no transfer waiting for your confirmation.", reason="no_transfer_pending"
        )


async def confirm_transfer(
    session: AsyncSession,
    audit: AuditLog,
    request: PrivacyRequest,
    by: Acting,
    master_key: bytes,
    now: datetime,
) -> PrivacyRequest:
    """The requester confirms: the recipient is mailed the link (after commit, through the
    outbox) and the timeline says so. 409 unless a transfer awaits; 410 once the export
    expired (the employer builds it again)."""
    _require_awaiting(request)
    export = await downloadable(session, request, now)
    request.transfer_state, request.transfer_export_id = TransferState.SENT, export.id
    request.transfer_confirmed_at, request.updated_at = now, now
    url = link(transfer_path(master_key, request.tenant_id, export.id))
    controller = await tenant_name(session, request.tenant_id)
    person = await _person(session, request)
    language = await recipient_language(session, request.tenant_id, None)
    t = translator(language)
    mail = messages.transfer_to_recipient(person, controller, url, export.expires_at, t)
    assert request.recipient_email is not None
    await queue_email(
        session,
        request.tenant_id,
        request.recipient_email,
        mail.subject,
        mail.body,
        category=Essential.PRIVACY_REQUEST,
        t=t,
    )
    await record_step(
        session,
        audit,
        request,
        "transfer_sent",
        by,
        now,
        from_status=request.status,
        message=phrase(
            messages.TRANSFER_SENT, **_said(request), until=f"{export.expires_at:%Y-%m-%d %H:%M}"
        ),
        details={"export_id": str(export.id)},
    )
    await tell_admins_step(session, request, "the requester confirmed; the export link was sent")
    return request


async def cancel_transfer(
    session: AsyncSession, audit: AuditLog, request: PrivacyRequest, by: Acting, now: datetime
) -> PrivacyRequest:
    """The requester cancels before confirming: nothing is sent, now or later."""
    _require_awaiting(request)
    request.transfer_state, request.updated_at = TransferState.CANCELLED, now
    await record_step(
        session,
        audit,
        request,
        "transfer_cancelled",
        by,
        now,
        from_status=request.status,
        message=phrase(messages.TRANSFER_CANCELLED, recipient=request.recipient_name or ""),
    )
    await tell_admins_step(session, request, "the requester cancelled the transfer")
    return request


async def _person(session: AsyncSession, request: PrivacyRequest) -> str:
    """Who the recipient is told sent it: the person's name, else their address."""
    name = None
    if request.subject_employee_id is not None:
        name = await session.scalar(
            select(Employee.name).where(
                Employee.tenant_id == request.tenant_id,
                Employee.id == request.subject_employee_id,
            )
        )
    return name or request.contact_email or ""


@dataclass(frozen=True)
class Transfer:
    request: PrivacyRequest
    export: PrivacyExport
    sender: str  # the person's name
    controller: str


async def transfer_for_recipient(
    session: AsyncSession, tenant_id: UUID, export_id: UUID, now: datetime
) -> Transfer:
    """The transfer of this export; the caller checked the token, and a token is only
    ever given out for an export the requester confirmed. 404 for an unknown export;
    410 once its file expired or a newer export of the request replaced it."""
    export = await session.get(PrivacyExport, (tenant_id, export_id))
    if export is None:
        raise NotFound("Download")
    request = await session.get(PrivacyRequest, (tenant_id, export.request_id))
    assert request is not None
    current = request.transfer_state == TransferState.SENT
    if not current or request.transfer_export_id != export.id:
        raise Gone(EXPIRED)
    if export.content is None or export.expires_at <= now:
        raise Gone(EXPIRED)
    controller = await tenant_name(session, tenant_id)
    return Transfer(request, export, await _person(session, request), controller)


async def record_download(
    session: AsyncSession, audit: AuditLog, transfer: Transfer, now: datetime
) -> None:
    """Each download by the recipient is a timeline step the requester reads."""
    request = transfer.request
    await record_step(
        session,
        audit,
        request,
        "transfer_downloaded",
        SYSTEM,
        now,
        from_status=request.status,
        message=phrase(messages.TRANSFER_DOWNLOADED, recipient=request.recipient_name or ""),
        details={"export_id": str(transfer.export.id)},
    )
