"""Tell a client of a request from an authority, build a disclosure, sweep the register
for lapsed non-disclosure orders and reached review dates, alert staff of a review."""

from __future__ import annotations

from uuid import UUID

import structlog
from sqlalchemy import select

from timeward import clock
from timeward.acting import SYSTEM
from timeward.audit.log import PLATFORM_CHAIN, AuditEntry
from timeward.authority_requests import disclosure, service
from timeward.authority_requests.messages import authority_notice, review_alert
from timeward.authority_requests.models import AuthorityRequest
from timeward.crypto.data_keys import DataKeys
from timeward.db.session import Scope
from timeward.identity.models import Tenant
from timeward.identity.service import client_admins
from timeward.instructions.maintenance import mail_staff, staff_addresses
from timeward.jobs.registry import job
from timeward.jobs.runtime import job_audit, job_database, job_settings
from timeward.notices.delivery import deliver

log = structlog.get_logger("timeward.authority_requests")


@job(queue="notices", max_retries=5, min_backoff=30_000, max_backoff=600_000)
async def send_authority_notice(tenant_id: str, request_id: str) -> None:
    """Idempotent; checks the order again when it runs: while one is in force, nothing is
    sent (the sweep sends it when the order lapses)."""
    tenant = UUID(tenant_id)
    async with job_database().transaction(Scope.TENANT, tenant) as session:
        # Waits for a lock staff hold (a decision being recorded) instead of skipping the
        # row as ``notices.delivery.lock_pending`` does; a second run then finds it sent.
        request = await session.scalar(
            select(AuthorityRequest)
            .where(
                AuthorityRequest.tenant_id == tenant,
                AuthorityRequest.id == UUID(request_id),
                AuthorityRequest.notified_at.is_(None),
            )
            .with_for_update()
        )
        if request is None or service.order_in_force(request, clock.now().date()):
            return
        tenant_row = await session.get(Tenant, tenant)
        assert tenant_row is not None
        admins = await client_admins(session, tenant)
        if not admins:  # stays untold; the sweep tries again
            log.warning("authority_request.notice_without_recipients", request_id=request_id)
            return
        message = authority_notice(request, tenant_row.name, job_settings().processor)
        await deliver(session, request, tenant, admins, message)
        # On the tenant's own chain only now: before, the event would have told the client.
        entry = AuditEntry.by(
            SYSTEM,
            "authority_request.notified",
            "authority_request",
            request.id,
            {"recipients": len(admins)},
        )
        await job_audit().append(session, tenant, entry)


@job(queue="privacy", time_limit=600_000, max_retries=5, min_backoff=10_000)
async def build_authority_disclosure(tenant_id: str, request_id: str) -> None:
    """The export of exactly the scope, stored with its digest (idempotent)."""
    tenant, rid = UUID(tenant_id), UUID(request_id)
    keys = DataKeys(job_settings().resolve_master_key())
    async with job_database().transaction(Scope.TENANT, tenant) as session:
        request = await session.get(AuthorityRequest, (tenant, rid), with_for_update=True)
        if request is None or request.exported_at is not None or request.decision is None:
            return
        tenant_row = await session.get(Tenant, tenant)
        assert tenant_row is not None
        built = await disclosure.build(session, keys, request, tenant_row.name, clock.now())
        await service.store_disclosure(session, request, built.content, built.sha256, built.tables)
    async with job_database().transaction(Scope.PLATFORM) as session:
        details = {"sha256": built.sha256, "tables": built.tables}
        entry = AuditEntry.by(
            SYSTEM, "authority_request.disclosed", "authority_request", rid, details
        )
        await job_audit().append(session, PLATFORM_CHAIN, entry)
    log.info("authority_request.disclosure_built", request_id=request_id, bytes=len(built.content))


@job(queue="maintenance", max_retries=0)
async def sweep_authority_requests() -> None:
    """Lapsed orders and waiting notices: the client is told; reached review dates: a
    task for staff (flagged on the register, audited, e-mailed)."""
    async with job_database().transaction(Scope.PLATFORM) as session:
        report = await service.sweep(session, job_audit(), clock.now())
    log.info("authority_request.swept", told=len(report.told), reviews=len(report.reviews))


@job(queue="mail", max_retries=5, min_backoff=30_000, max_backoff=600_000)
async def alert_authority_review(tenant_id: str, request_id: str) -> None:
    async with job_database().transaction(Scope.PLATFORM, read_only=True) as session:
        request = await service.get_request(session, UUID(request_id))
        slugs = await service.tenant_slugs(session, [request.tenant_id])
        recipients = await staff_addresses(session)
    subject, body = review_alert(request, slugs.get(request.tenant_id, tenant_id))
    stamp = f"authority-review:{request.id}:{request.review_on}"
    sent = await mail_staff(job_settings().smtp, recipients, stamp, subject, body)
    log.info("authority_request.staff_alerted", request_id=request_id, recipients=sent)
