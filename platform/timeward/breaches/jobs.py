"""Tell one affected tenant's client admins about a breach (e-mail and in-app)."""

from __future__ import annotations

from uuid import UUID

import structlog

from timeward import clock
from timeward.acting import SYSTEM
from timeward.audit.log import AuditEntry
from timeward.breaches.messages import breach_follow_up, breach_notice
from timeward.breaches.models import BreachFollowUpNotice, BreachNotice
from timeward.breaches.service import tenant_notice
from timeward.db.session import Scope
from timeward.identity.models import Tenant
from timeward.identity.service import client_admins
from timeward.jobs.registry import job
from timeward.jobs.runtime import job_audit, job_database, job_settings
from timeward.notices.delivery import deliver, lock_pending
from timeward.webhooks.events import emit

log = structlog.get_logger("timeward.breaches")


@job(queue="notices", max_retries=5, min_backoff=30_000, max_backoff=600_000)
async def send_breach_notice(tenant_id: str, notice_id: str) -> None:
    """Idempotent: a notice already sent, or held by another worker, is left alone.

    Runs in the tenant's own transaction: the notice, the in-app notifications, the
    queued e-mails and the audit event commit together or not at all.
    """
    tenant = UUID(tenant_id)
    async with job_database().transaction(Scope.TENANT, tenant) as session:
        notice = await lock_pending(session, BreachNotice, tenant, UUID(notice_id))
        if notice is None:
            return
        tenant_row = await session.get(Tenant, tenant)
        assert tenant_row is not None
        admins = await client_admins(session, tenant)
        if not admins:  # stays unnotified and flagged; the reconciler tries again later
            log.warning("breach.notice_without_recipients", notice_id=notice_id)
            return
        message = breach_notice(
            str(notice.breach_id), notice.content, tenant_row.name, job_settings().processor
        )
        delivered = await deliver(session, notice, tenant, admins, message)
        notice.email_ids, notice.notification_ids = (
            delivered.email_ids,
            delivered.notification_ids,
        )
        await job_audit().append(
            session,
            tenant,
            AuditEntry.by(
                SYSTEM, "breach.notified", "breach", notice.breach_id, {"recipients": len(admins)}
            ),
        )
        data = {"breach_id": notice.breach_id, "notice_id": notice.id, "basis": notice.basis}
        await emit(session, tenant, "breach.notified", {**data, "notified_at": clock.now()})


@job(queue="notices", max_retries=5, min_backoff=30_000, max_backoff=600_000)
async def send_breach_follow_up(tenant_id: str, notice_id: str) -> None:
    """Follow-up information to one tenant's client admins, as its notice went; idempotent
    like ``send_breach_notice``."""
    tenant = UUID(tenant_id)
    async with job_database().transaction(Scope.TENANT, tenant) as session:
        notice = await lock_pending(session, BreachFollowUpNotice, tenant, UUID(notice_id))
        if notice is None:
            return
        tenant_row = await session.get(Tenant, tenant)
        assert tenant_row is not None
        admins = await client_admins(session, tenant)
        if not admins:  # stays unnotified; the reconciler tries again later
            log.warning("breach.follow_up_without_recipients", notice_id=notice_id)
            return
        original = await tenant_notice(session, tenant, notice.breach_id)
        message = breach_follow_up(
            str(notice.breach_id),
            str(original.content["title"]),
            notice.information,
            tenant_row.name,
            job_settings().processor,
        )
        await deliver(session, notice, tenant, admins, message)
        details = {"recipients": len(admins), "follow_up_id": str(notice.follow_up_id)}
        entry = AuditEntry.by(
            SYSTEM, "breach.follow_up_notified", "breach", notice.breach_id, details
        )
        await job_audit().append(session, tenant, entry)
