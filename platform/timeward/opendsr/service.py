"""OpenDSR requests (processor side): a controller's privacy tool, authenticated as the
tenant's machine client, asks for one subject's erasure, access or portability and
follows it.

An erasure is a ``delete_subject`` instruction made by ``create_instruction``, the
console's own path; its status is the instruction's, mapped to the four OpenDSR ones.
An access or portability request is a privacy request of the tenant's queue, filed for
the controller's tool and fulfilled by the console's export (``start_export`` and its
job); answered when the export is built, it is completed, and ``results_url`` reaches
the export until it expires. Each status callback URL becomes a callback endpoint of
timeward.webhooks hearing that instruction's or request's changes. Identities that
match no employee of the tenant make a request completed at once with zero results,
recorded like the others (docs/machine-api.md).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from uuid import UUID

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from tenants.employees.models import Employee
from tenants.privacy_requests import service as privacy
from tenants.privacy_requests.models import PrivacyExport, PrivacyRequest, RequestType
from tenants.privacy_requests.transitions import open_dsr_status as privacy_opendsr_status
from timeward import clock
from timeward.acting import Acting
from timeward.audit.log import AuditEntry, AuditLog
from timeward.auth.keys import KeyRing
from timeward.config import WebhookSettings
from timeward.crypto.link_tokens import check_link_token, link_token
from timeward.db.base import new_id
from timeward.db.session import Database, Scope
from timeward.errors import Conflict, InvalidInput, NotFound
from timeward.identity.models import User
from timeward.instructions.instructing import NewInstruction, cancel_by_client, create_instruction
from timeward.instructions.models import Instruction
from timeward.instructions.states import Kind, Status, open_dsr_status
from timeward.opendsr.callbacks import sign_detached
from timeward.opendsr.models import OpenDsrRequest
from timeward.opendsr.schemas import OpenDsrRequestBody
from timeward.webhooks.events import OPENDSR
from timeward.webhooks.models import WebhookEndpoint
from timeward.webhooks.service import check_target

SUPPORTED_TYPES = ("erasure", "access", "portability")
EXPORTS = {"access": RequestType.ACCESS, "portability": RequestType.PORTABILITY}
COMPLETED, CANCELLED = "completed", "cancelled"
RESULTS_PURPOSE = "opendsr-results"
RESULTS_BASE = "/opendsr/v1/results"


@dataclass(frozen=True)
class Outcome:
    request: OpenDsrRequest
    status: str
    created: bool  # False: the same subject_request_id was sent before
    results_count: int | None = None  # rows in the export of a completed access request
    has_results: bool = False  # an export to fetch at results_url


@dataclass(frozen=True)
class Context:
    keys: KeyRing
    audit: AuditLog
    webhooks: WebhookSettings


def _digest(value: str) -> str:
    return "sha256:" + hashlib.sha256(value.strip().lower().encode()).hexdigest()


def encoded(body: OpenDsrRequestBody) -> str:
    """The request as received, base64, each identity value replaced by its digest."""
    raw = {
        "api_version": body.api_version,
        "regulation": body.regulation,
        "subject_request_id": body.subject_request_id,
        "subject_request_type": body.subject_request_type,
        "submitted_time": body.submitted_time.isoformat(),
        "subject_identities": [
            {
                "identity_type": i.identity_type,
                "identity_format": i.identity_format,
                "identity_value": _digest(i.identity_value),
            }
            for i in body.subject_identities
        ],
        "status_callback_urls": body.status_callback_urls,
    }
    text = json.dumps(raw, separators=(",", ":"), sort_keys=True)
    return base64.b64encode(text.encode()).decode()


async def matching_employee(
    session: AsyncSession, tenant_id: UUID, body: OpenDsrRequestBody
) -> UUID | None:
    """The one employee of this tenant every identity names, or None when none does.
    Identities naming different employees are refused (422)."""
    found: set[UUID] = set()
    for identity in body.subject_identities:
        value = identity.identity_value.strip()
        if identity.identity_type == "email":
            account = select(User.id).where(func.lower(User.email) == value.lower())
            condition = or_(
                func.lower(Employee.work_email) == value.lower(), Employee.user_id.in_(account)
            )
        else:
            condition = Employee.employee_number == value
        ids = await session.scalars(
            select(Employee.id).where(Employee.tenant_id == tenant_id, condition)
        )
        found.update(ids.all())
    if len(found) > 1:
        raise InvalidInput.on_field("subject_identities", "name more than one person")
    return next(iter(found), None)


async def _existing(
    session: AsyncSession, tenant_id: UUID, subject_request_id: str
) -> OpenDsrRequest | None:
    return await session.scalar(
        select(OpenDsrRequest).where(
            OpenDsrRequest.tenant_id == tenant_id,
            OpenDsrRequest.subject_request_id == subject_request_id,
        )
    )


async def receive(
    session: AsyncSession, ctx: Context, tenant_id: UUID, body: OpenDsrRequestBody, by: Acting
) -> Outcome:
    existing = await _existing(session, tenant_id, body.subject_request_id)
    if existing is not None:  # the controller's idempotency key: the first request stands
        return await _outcome(session, existing, created=False)
    for n, url in enumerate(body.status_callback_urls):
        allowed = ctx.webhooks.private_networks
        await check_target(url, private_allowed=allowed, field=f"status_callback_urls[{n}]")
    assert by.user_id is not None
    employee_id = await matching_employee(session, tenant_id, body)
    encoded_request = encoded(body)
    now = clock.now()
    request = OpenDsrRequest(
        tenant_id=tenant_id,
        id=new_id(),
        subject_request_id=body.subject_request_id,
        subject_request_type=body.subject_request_type,
        regulation=body.regulation,
        api_version=body.api_version,
        submitted_time=body.submitted_time,
        received_time=now,
        status=COMPLETED,
        results_count=0,
        encoded_request=encoded_request,
        processor_signature=await sign_detached(ctx.keys, encoded_request.encode()),
        requested_by=by.user_id,
    )
    export: PrivacyRequest | None = None
    if employee_id is not None and body.subject_request_type in EXPORTS:
        request_type = EXPORTS[body.subject_request_type]
        export = await privacy.file_for_controller(
            session, ctx.audit, tenant_id, by, request_type, employee_id, now
        )
        request.privacy_request_id, request.results_count = export.id, None
        request.expected_completion_time = _end_of(export.due_date)
    elif employee_id is not None:
        spec = NewInstruction(Kind.DELETE_SUBJECT, subject_id=employee_id)
        instruction = await create_instruction(session, tenant_id, spec, by, audit=ctx.audit)
        request.instruction_id, request.results_count = instruction.id, None
        request.expected_completion_time = _end_of(instruction.due_on)
    session.add(request)
    await session.flush()
    for url in body.status_callback_urls if employee_id is not None else ():
        _callback_endpoint(session, request, url, by)
    if export is not None:  # after the callbacks, so that they hear it start
        await privacy.start_export(session, ctx.audit, export, by, now)
    details = {"subject_request_id": request.subject_request_id, "matched": employee_id is not None}
    details["type"] = request.subject_request_type
    entry = AuditEntry.by(by, "opendsr.request_received", "opendsr_request", request.id, details)
    await ctx.audit.append(session, tenant_id, entry)
    return await _outcome(session, request, created=True)


def _end_of(day: date) -> datetime:
    return datetime.combine(day, time(23, 59, 59), tzinfo=UTC)


def _callback_endpoint(
    session: AsyncSession, request: OpenDsrRequest, url: str, by: Acting
) -> None:
    assert by.user_id is not None
    session.add(
        WebhookEndpoint(
            tenant_id=request.tenant_id,
            url=url,
            events=[
                "instruction.status_changed"
                if request.instruction_id
                else "privacy_request.status_changed"
            ],
            secret_salt=os.urandom(16),
            allow_private_network=True,  # checked above against the deployment's setting
            created_by=by.user_id,
            created_by_role=by.role,
            kind=OPENDSR,
            instruction_id=request.instruction_id,
            context={
                "controller_id": str(request.tenant_id),
                "subject_request_id": request.subject_request_id,
                "status_callback_url": url,
                # an export's callbacks hear its privacy request (webhooks.events)
                "privacy_request_id": str(request.privacy_request_id or ""),
            },
        )
    )


async def _outcome(session: AsyncSession, request: OpenDsrRequest, *, created: bool) -> Outcome:
    """The request's OpenDSR status: its instruction's or privacy request's, mapped; with
    the export's row count once an access or portability request is answered."""
    if request.instruction_id is not None:
        key = (request.tenant_id, request.instruction_id)
        instruction = await session.get(Instruction, key)
        if instruction is not None:  # else gone with the tenant's data
            status = str(open_dsr_status(Status(instruction.status)))
            return Outcome(request, status, created)
    if request.privacy_request_id is not None:
        answer = await session.get(PrivacyRequest, (request.tenant_id, request.privacy_request_id))
        if answer is not None:
            status = privacy_opendsr_status(answer.status) or request.status
            rows = (answer.fulfilment_report or {}).get("tables")
            if status == COMPLETED and isinstance(rows, dict):
                return Outcome(request, status, created, sum(rows.values()), has_results=True)
            return Outcome(request, status, created)
    return Outcome(request, request.status, created, request.results_count)


async def find(session: AsyncSession, tenant_id: UUID, subject_request_id: str) -> Outcome:
    request = await _existing(session, tenant_id, subject_request_id)
    if request is None:
        raise NotFound("OpenDSR request")
    return await _outcome(session, request, created=False)


def results_url(master_key: bytes, public_url: str, outcome: Outcome) -> str | None:
    """The export's capability link, once there is one; it answers 410 after the export
    expired (the console's own expiry, TIMEWARD_PRIVACY_EXPORT_DAYS)."""
    if not outcome.has_results:
        return None
    request = outcome.request
    token = link_token(master_key, RESULTS_PURPOSE, request.tenant_id, request.id)
    base = public_url.rstrip("/")
    return f"{base}{RESULTS_BASE}/{request.tenant_id}/{request.id}?token={token}"


async def results(
    database: Database,
    audit: AuditLog,
    master_key: bytes,
    ids: tuple[UUID, UUID],
    token: str,
) -> PrivacyExport:
    """The export behind a results_url (the console's download: 404 before it exists,
    410 once expired); a wrong token is indistinguishable from an unknown request.
    Audited as downloaded through the link."""
    tenant_id, request_id = ids
    if not check_link_token(master_key, RESULTS_PURPOSE, token, tenant_id, request_id):
        raise NotFound("OpenDSR results")
    async with database.transaction(Scope.TENANT, tenant_id) as session:
        request = await session.get(OpenDsrRequest, (tenant_id, request_id))
        if request is None or request.privacy_request_id is None:
            raise NotFound("OpenDSR results")
        answer = await privacy.get_request(session, tenant_id, request.privacy_request_id)
        export = await privacy.downloadable(session, answer, clock.now())
        details = {"subject_request_id": request.subject_request_id}
        entry = AuditEntry(
            "opendsr.results_downloaded",
            None,
            "results_link",
            "opendsr_request",
            request.id,
            details=details,
        )
        await audit.append(session, tenant_id, entry)
    return export


async def cancel(
    session: AsyncSession, ctx: Context, tenant_id: UUID, subject_request_id: str, by: Acting
) -> Outcome:
    """Withdraw a pending request: its instruction is canceled (409 once it has started)."""
    outcome = await find(session, tenant_id, subject_request_id)
    request = outcome.request
    if request.instruction_id is None or outcome.status != "pending":
        raise Conflict(f"This request is {outcome.status}; only a pending one can be cancelled.")
    reason = "Cancelled by the controller's OpenDSR request"
    await cancel_by_client(session, ctx.audit, tenant_id, request.instruction_id, by, reason)
    entry = AuditEntry.by(by, "opendsr.request_cancelled", "opendsr_request", request.id)
    await ctx.audit.append(session, tenant_id, entry)
    return Outcome(request, CANCELLED, created=False)
