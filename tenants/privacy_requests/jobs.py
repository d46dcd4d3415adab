"""Privacy-request jobs: build an export, run an erasure, clear the requester's contact
after the final answer, route public submissions, and the periodic ones (flag overdue
requests daily, delete expired exports, re-enqueue stranded work).

Every actor takes ids, locks its row (waiting a few seconds at most for another
transaction, then retrying later) and reads its state first: a second copy of a
message, or a message re-enqueued by the reconciler, does nothing once the work is done.
Fulfilment jobs count their attempts on the request and mark it failed, telling the
client admins, after the last.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import structlog
from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tenants.privacy_requests import intake, messages, service
from tenants.privacy_requests.erasure import erase_with_tenant_policy
from tenants.privacy_requests.export import SCHEMA_VERSION, collect, package
from tenants.privacy_requests.identity import remove_login_identity
from tenants.privacy_requests.models import (
    Channel,
    FulfilmentState,
    PrivacyIntake,
    PrivacyRequest,
    RequestType,
)
from tenants.privacy_requests.processor import (
    pending_processor_erasures,
    processor_instructions,
    request_processor_erasure,
)
from tenants.privacy_requests.subject import (
    SubjectRef,
    SubjectUnclear,
    subject_emails,
    subject_of,
)
from timeward import clock
from timeward.acting import SYSTEM
from timeward.crypto.data_keys import DataKeys
from timeward.db.queries import lock_waiting_briefly
from timeward.db.session import Database, Scope
from timeward.jobs.after_commit import enqueue_after_commit
from timeward.jobs.registry import job
from timeward.jobs.runtime import job_audit, job_database, job_settings
from timeward.jobs.tenants import tenant_ids
from timeward.mail.delivery import DeliveryFailed, deliver_email
from timeward.mail.models import EmailStatus, OutboundEmail
from timeward.translations import phrase

log = structlog.get_logger("timeward.privacy_requests")

MAX_ATTEMPTS = service.MAX_FULFILMENT_ATTEMPTS
# Longer than the longest retry back-off (10 minutes): such work was lost, not waiting.
STRANDED_AFTER = timedelta(minutes=15)
RETRIES = {"max_retries": MAX_ATTEMPTS - 1, "min_backoff": 30_000, "max_backoff": 600_000}


class _Keys:
    keys: DataKeys | None = None


def _data_keys() -> DataKeys:
    if _Keys.keys is None:
        _Keys.keys = DataKeys(job_settings().resolve_master_key())
    return _Keys.keys


async def _locked(
    session: AsyncSession, tenant_id: UUID, request_id: UUID, *states: FulfilmentState
) -> PrivacyRequest | None:
    """Waits out a decision an HTTP request is making on the same request (a double click's
    409): skipping its lock left the job done without doing anything."""
    return await lock_waiting_briefly(
        session,
        select(PrivacyRequest).where(
            PrivacyRequest.tenant_id == tenant_id,
            PrivacyRequest.id == request_id,
            PrivacyRequest.fulfilment_state.in_([s.value for s in states]),
        ),
    )


async def _claim(database: Database, tenant_id: UUID, request_id: UUID) -> int | None:
    """Count an attempt; None when there is nothing to do (done, held, or out of attempts)."""
    async with database.transaction(Scope.TENANT, tenant_id) as session:
        request = await _locked(
            session, tenant_id, request_id, FulfilmentState.QUEUED, FulfilmentState.RUNNING
        )
        if request is None:
            return None
        if request.fulfilment_attempts >= MAX_ATTEMPTS:
            await _mark_failed(session, request)
            return None
        request.fulfilment_attempts += 1
        request.updated_at = clock.now()
        return request.fulfilment_attempts


RETRIES_SPENT = "the job failed after its retries; start it again from the queue"
UNCLEAR = (
    "the job stopped without changing anything: the request matches more than one "
    "employee record or login; link the person's record to their login (or correct the "
    "work e-mail of the record that is not theirs), then start it again"
)


async def _mark_failed(
    session: AsyncSession, request: PrivacyRequest, why: str = RETRIES_SPENT, reason: str = ""
) -> None:
    now = clock.now()
    request.fulfilment_state, request.updated_at = FulfilmentState.FAILED, now
    details: dict[str, Any] = {"attempts": request.fulfilment_attempts}
    if reason:
        details["reason"] = reason
    await service.record_step(
        session,
        job_audit(),
        request,
        "fulfilment_failed",
        SYSTEM,
        now,
        from_status=request.status,
        message=None,
        details=details,
    )
    await service.tell_admins_step(session, request, why)


async def _run(
    tenant_id: str, request_id: str, work: Callable[[Database, UUID, UUID], Awaitable[None]]
) -> None:
    database = job_database()
    tenant, rid = UUID(tenant_id), UUID(request_id)
    attempt = await _claim(database, tenant, rid)
    if attempt is None:
        return
    try:
        await work(database, tenant, rid)
    except SubjectUnclear:  # no retry can settle whose data it is: fail now, say why
        async with database.transaction(Scope.TENANT, tenant) as session:
            request = await _locked(session, tenant, rid, FulfilmentState.QUEUED)
            if request is not None:
                await _mark_failed(session, request, UNCLEAR, "subject_unclear")
        log.warning("privacy_request.subject_unclear", request_id=request_id)
    except Exception:
        if attempt >= MAX_ATTEMPTS:
            async with database.transaction(Scope.TENANT, tenant) as session:
                request = await _locked(
                    session, tenant, rid, FulfilmentState.QUEUED, FulfilmentState.RUNNING
                )
                if request is not None:
                    await _mark_failed(session, request)
        raise


# --- Access and portability -------------------------------------------------------------


async def _build_export(database: Database, tenant_id: UUID, request_id: UUID) -> None:
    async with database.transaction(Scope.TENANT, tenant_id) as session:
        request = await _locked(session, tenant_id, request_id, FulfilmentState.QUEUED)
        if request is None:
            return
        now = clock.now()
        subject = await subject_of(session, request)
        tables = await collect(
            session, _data_keys(), subject, extra_emails=(request.contact_email,)
        )
        controller = await service.tenant_name(session, tenant_id)
        built = package(request, controller, subject, tables, now)
        export = await service.store_export(
            session,
            request,
            built.content,
            built.sha256,
            SCHEMA_VERSION,
            now,
            job_settings().privacy.export_days,
        )
        own = request.requester_user_id is not None
        reference, expires_at = service.requester_reference(request), export.expires_at
        await service.mark_fulfilled(
            session,
            job_audit(),
            request,
            SYSTEM,
            now,
            "export_built",
            {
                "export_id": str(export.id),
                "schema_version": SCHEMA_VERSION,
                "size_bytes": export.size_bytes,
                "sha256": export.sha256,
                "expires_at": export.expires_at.isoformat(),
                "tables": built.tables,
            },
            phrase(messages.EXPORT_READY, until=f"{export.expires_at:%Y-%m-%d %H:%M}")
            if own
            else None,
        )
        # A recipient named: the requester confirms before anything goes to it; the
        # export-ready mail would say the same twice.
        if not await service.await_confirmation(session, job_audit(), request, export):
            await service.tell_requester(
                session,
                request,
                lambda t: messages.export_ready(controller, reference, expires_at, own=own, t=t),
            )
        await service.tell_admins_step(
            session, request, f"the export is ready until {export.expires_at:%Y-%m-%d %H:%M} UTC"
        )
        if request.channel == Channel.OPENDSR:  # the controller's tool fetches it: answered
            await service.complete(session, job_audit(), request, SYSTEM, None, now)


@job(queue="privacy", time_limit=600_000, **RETRIES)
async def build_privacy_export(tenant_id: str, request_id: str) -> None:
    """Build the zip of an access or portability request (idempotent)."""
    await _run(tenant_id, request_id, _build_export)


# --- Erasure --------------------------------------------------------------------------------


async def _erase_tenant_part(database: Database, tenant_id: UUID, request_id: UUID) -> None:
    async with database.transaction(Scope.TENANT, tenant_id) as session:
        request = await _locked(session, tenant_id, request_id, FulfilmentState.QUEUED)
        if request is None:
            return
        now = clock.now()
        subject = await subject_of(session, request)
        emails = await subject_emails(session, subject, (request.contact_email,))
        erased = await erase_with_tenant_policy(
            session, subject, emails, audit_key=job_audit().key, now=now, keep_request=request.id
        )
        report = erased.report
        await session.refresh(request)
        request.fulfilment_report = {
            **erased.as_json(),
            "subject": {
                "employee_id": str(subject.employee_id) if subject.employee_id else None,
                "user_id": str(subject.user_id) if subject.user_id else None,
            },
            "processor_instruction": "requested",
        }
        request.identity_removal_user_id = subject.user_id
        request.fulfilment_state, request.updated_at = FulfilmentState.RUNNING, now
        await request_processor_erasure(session, tenant_id, subject, request.id, request.due_date)
        await service.record_step(
            session,
            job_audit(),
            request,
            "erased",
            SYSTEM,
            now,
            from_status=request.status,
            message=None,
            details={"tables": len(report.tables), "locations": report.locations_destroyed},
        )


async def _finish_erasure(database: Database, tenant_id: UUID, request_id: UUID) -> None:
    async with database.transaction(Scope.TENANT, tenant_id) as session:
        request = await _locked(session, tenant_id, request_id, FulfilmentState.RUNNING)
        if request is None:
            return
        user_id = request.identity_removal_user_id
    if user_id is not None:
        await remove_login_identity(database, user_id, tenant_id)
    async with database.transaction(Scope.TENANT, tenant_id) as session:
        request = await _locked(session, tenant_id, request_id, FulfilmentState.RUNNING)
        if request is None:
            return
        now = clock.now()
        request.identity_removal_user_id = None
        request.fulfilment_state, request.fulfilled_at = FulfilmentState.DONE, now
        request.fulfilment_report = {
            **(request.fulfilment_report or {}),
            "login_account": "access to your company removed" if user_id else "none",
        }
        request.updated_at = now
        await service.record_step(
            session,
            job_audit(),
            request,
            "erasure_done",
            SYSTEM,
            now,
            from_status=request.status,
            message=None,
        )
        await service.tell_admins_step(
            session, request, "the erasure is done; review the report and complete the request"
        )


async def _erase(database: Database, tenant_id: UUID, request_id: UUID) -> None:
    await _erase_tenant_part(database, tenant_id, request_id)
    await _finish_erasure(database, tenant_id, request_id)


@job(queue="privacy", time_limit=600_000, **RETRIES)
async def erase_privacy_subject(tenant_id: str, request_id: str) -> None:
    """Erase the subject: the tenant's part in one transaction, then the login identity.

    Resumable: a worker killed after the tenant's part finds the request ``running`` and
    goes on with the identity; killed during it, nothing was committed.
    """
    await _run(tenant_id, request_id, _erase)


SCRUB_FIRST_DELAY_MS = 2_000
SCRUB_MAX_DELAY_MS = 600_000
SCRUB_MAX_WAITS = 12  # then the reconciler takes over (every 5 minutes)


async def _deliver_pending(database: Database, tenant: UUID, address: str) -> None:
    """Send what is still queued to the address now (delivery is idempotent and locked)."""
    async with database.transaction(Scope.TENANT, tenant) as session:
        pending = (
            await session.scalars(
                select(OutboundEmail.id).where(
                    OutboundEmail.tenant_id == tenant,
                    func.lower(OutboundEmail.recipient) == address,
                    OutboundEmail.status == EmailStatus.PENDING,
                )
            )
        ).all()
    for email_id in pending:
        try:
            await deliver_email(database, job_settings().smtp, tenant, email_id)
        except DeliveryFailed:
            continue  # its own job retries it; the address waits until then


@job(queue="privacy", max_retries=3)
async def scrub_requester_contact(tenant_id: str, request_id: str, waits: int = 0) -> None:
    """After an erasure's final answer: make sure it has left, then forget the address.

    While an e-mail to the address is still pending (being sent, or waiting for a retry),
    the job comes back later (2 s, doubling, up to 10 minutes; then the reconciler).
    """
    database = job_database()
    tenant, rid = UUID(tenant_id), UUID(request_id)
    async with database.transaction(Scope.TENANT, tenant) as session:
        contact = await session.scalar(
            select(PrivacyRequest.contact_email).where(
                PrivacyRequest.tenant_id == tenant,
                PrivacyRequest.id == rid,
                PrivacyRequest.contact_scrub_pending.is_(True),
            )
        )
    address = contact.strip().lower() if contact else None
    if address:
        await _deliver_pending(database, tenant, address)
    come_back = False
    async with database.transaction(Scope.TENANT, tenant) as session:
        request = await lock_waiting_briefly(
            session,
            select(PrivacyRequest).where(
                PrivacyRequest.tenant_id == tenant,
                PrivacyRequest.id == rid,
                PrivacyRequest.contact_scrub_pending.is_(True),
            ),
        )
        if request is None:
            return
        if address:
            same = (OutboundEmail.tenant_id == tenant) & (
                func.lower(OutboundEmail.recipient) == address
            )
            waiting = await session.scalar(
                select(func.count())
                .select_from(OutboundEmail)
                .where(same, OutboundEmail.status == EmailStatus.PENDING)
            )
            if waiting:
                come_back = True
            else:
                await session.execute(delete(OutboundEmail).where(same))
        if not come_back:
            request.contact_email = None
            request.details = None
            request.contact_scrub_pending = False
        request.updated_at = clock.now()
    if come_back and waits < SCRUB_MAX_WAITS:
        delay = min(SCRUB_FIRST_DELAY_MS * 2**waits, SCRUB_MAX_DELAY_MS)
        scrub_requester_contact.send_with_options(
            args=(tenant_id, request_id, waits + 1), delay=delay
        )


# --- Public intake ---------------------------------------------------------------------------


@job(queue="privacy", **RETRIES)
async def match_public_request(intake_id: str) -> None:
    """Route one public submission to every tenant holding data for its address."""
    await intake.route_submission(job_database(), job_audit(), UUID(intake_id))


# --- Periodic -------------------------------------------------------------------------------


@job(queue="maintenance", max_retries=0)
async def flag_overdue_privacy_requests() -> None:
    """Daily: tell each tenant's client admins about its overdue requests, once a day."""
    database = job_database()
    now = clock.now()
    flagged = 0
    for tenant_id in await tenant_ids(database):
        async with database.transaction(Scope.TENANT, tenant_id) as session:
            await service.announce_due_soon(session, tenant_id, now)
            overdue = await service.overdue_requests(session, tenant_id, now)
            if not overdue:
                continue
            name = await service.tenant_name(session, tenant_id)
            listed = [(r.id, r.request_type, r.due_date) for r in overdue]
            await service.tell_admins(
                session, tenant_id, messages.overdue(name, listed, now.date())
            )
            for request in overdue:
                request.overdue_notified_on = now.date()
                await service.record_step(
                    session,
                    job_audit(),
                    request,
                    "overdue_flagged",
                    SYSTEM,
                    now,
                    from_status=request.status,
                    message=None,
                    details={"due_date": request.due_date.isoformat()},
                )
            flagged += len(overdue)
    log.info("privacy_request.overdue_flagged", requests=flagged)


@job(queue="maintenance", max_retries=0)
async def purge_expired_privacy_exports() -> None:
    """Delete the files of expired exports (hourly: a link dies at once, its bytes within
    the hour)."""
    database = job_database()
    now = clock.now()
    purged = 0
    for tenant_id in await tenant_ids(database):
        async with database.transaction(Scope.TENANT, tenant_id) as session:
            purged += await service.purge_expired_exports(session, tenant_id, now)
    log.info("privacy_export.purged", exports=purged)


_FULFILMENT_ACTORS: dict[str, Any] = {
    RequestType.ACCESS: build_privacy_export,
    RequestType.PORTABILITY: build_privacy_export,
    RequestType.ERASURE: erase_privacy_subject,
}


async def _reconcile_tenant(session: AsyncSession, tenant_id: UUID, cutoff: datetime) -> int:
    now = clock.now()
    stranded = (
        await session.scalars(
            select(PrivacyRequest)
            .where(
                PrivacyRequest.tenant_id == tenant_id,
                PrivacyRequest.updated_at < cutoff,
                PrivacyRequest.fulfilment_state.in_(
                    [FulfilmentState.QUEUED.value, FulfilmentState.RUNNING.value]
                )
                | PrivacyRequest.contact_scrub_pending.is_(True),
            )
            .with_for_update(skip_locked=True)
        )
    ).all()
    for request in stranded:
        request.updated_at = now
        if request.contact_scrub_pending:
            actor = scrub_requester_contact
        else:
            actor = _FULFILMENT_ACTORS[request.request_type]
        enqueue_after_commit(session, actor, str(tenant_id), str(request.id))
    if processor_instructions() is not None:
        for request_id in await pending_processor_erasures(session, tenant_id):
            request = await service.get_request(session, tenant_id, request_id)
            ids = (request.fulfilment_report or {}).get("subject", {})
            subject = SubjectRef(
                tenant_id,
                UUID(ids["employee_id"]) if ids.get("employee_id") else None,
                UUID(ids["user_id"]) if ids.get("user_id") else None,
            )
            await request_processor_erasure(
                session, tenant_id, subject, request.id, request.due_date
            )
    return len(stranded)


@job(queue="maintenance", max_retries=0)
async def reconcile_privacy_requests() -> None:
    """Every 5 minutes: re-enqueue submissions and fulfilment jobs whose message was lost,
    and hand recorded processor erasures to the instructions feature once it is wired."""
    database = job_database()
    cutoff = clock.now() - STRANDED_AFTER
    async with database.transaction(Scope.AUTH) as session:
        ids = (
            (
                await session.execute(
                    update(PrivacyIntake)
                    .where(PrivacyIntake.enqueued_at < cutoff)
                    .values(enqueued_at=clock.now())
                    .returning(PrivacyIntake.id)
                )
            )
            .scalars()
            .all()
        )
        for intake_id in ids:
            enqueue_after_commit(session, match_public_request, str(intake_id))
    total = len(ids)
    for tenant_id in await tenant_ids(database):
        async with database.transaction(Scope.TENANT, tenant_id) as session:
            total += await _reconcile_tenant(session, tenant_id, cutoff)
    log.info("privacy_request.reconciled", re_enqueued=total)
