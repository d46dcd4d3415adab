"""Announce one registry change to one tenant's client admins (e-mail and in-app)."""

from __future__ import annotations

from uuid import UUID

import structlog

from timeward.acting import SYSTEM
from timeward.audit.log import AuditEntry
from timeward.db.session import Scope
from timeward.identity.models import Tenant
from timeward.identity.service import client_admins
from timeward.jobs.registry import job
from timeward.jobs.runtime import job_audit, job_database, job_settings
from timeward.notices.delivery import deliver, lock_pending
from timeward.subprocessors.messages import change_notice
from timeward.subprocessors.models import SubProcessorChange, SubProcessorNotice
from timeward.webhooks.events import emit

log = structlog.get_logger("timeward.subprocessors")


@job(queue="notices", max_retries=5, min_backoff=30_000, max_backoff=600_000)
async def send_sub_processor_notice(tenant_id: str, notice_id: str) -> None:
    """Idempotent: a notice already sent, or held by another worker, is left alone."""
    tenant = UUID(tenant_id)
    async with job_database().transaction(Scope.TENANT, tenant) as session:
        notice = await lock_pending(session, SubProcessorNotice, tenant, UUID(notice_id))
        if notice is None:
            return
        record = await session.get(SubProcessorChange, notice.change_id)
        tenant_row = await session.get(Tenant, tenant)
        assert record is not None and tenant_row is not None
        admins = await client_admins(session, tenant)
        if not admins:  # stays pending; the reconciler tries again later
            log.warning("sub_processor.notice_without_recipients", notice_id=notice_id)
            return
        message = change_notice(record, tenant_row.name, job_settings().processor)
        await deliver(session, notice, tenant, admins, message)
        await job_audit().append(
            session,
            tenant,
            AuditEntry.by(
                SYSTEM,
                "sub_processor.change_notified",
                "sub_processor_change",
                record.id,
                {"version": record.version, "recipients": len(admins)},
            ),
        )
        data = {"change_id": record.id, "kind": record.kind, "version": record.version}
        data["objection_deadline"] = record.objection_deadline
        await emit(session, tenant, "sub_processor.changed", data)
