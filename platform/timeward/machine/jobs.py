"""The daily warning of machine clients that expire within a week (once per client)."""

from __future__ import annotations

from uuid import UUID

import structlog

from timeward import clock
from timeward.acting import SYSTEM
from timeward.audit.log import AuditEntry
from timeward.db.session import Scope
from timeward.identity.models import Tenant
from timeward.identity.service import client_admins
from timeward.jobs.registry import job
from timeward.jobs.runtime import job_audit, job_database
from timeward.jobs.tenants import tenant_ids
from timeward.machine.messages import expiry_warning
from timeward.machine.service import clients_to_warn
from timeward.mail.categories import Essential
from timeward.mail.service import queue_email

log = structlog.get_logger("timeward.machine")


@job(queue="default", max_retries=3)
async def warn_expiring_clients() -> None:
    """Idempotent: a client warned once is not warned again (``expiry_warned_at``)."""
    for tenant_id in await tenant_ids(job_database()):
        await _warn_tenant(tenant_id)


async def _warn_tenant(tenant_id: UUID) -> None:
    async with job_database().transaction(Scope.TENANT, tenant_id) as session:
        clients = await clients_to_warn(session, tenant_id)
        if not clients:
            return
        tenant = await session.get(Tenant, tenant_id)
        admins = await client_admins(session, tenant_id)
        assert tenant is not None
        for client in clients:
            subject, body = expiry_warning(client, tenant.name)
            for admin in admins:
                await queue_email(
                    session, tenant_id, admin.email, subject, body, category=Essential.SERVICE
                )
            client.expiry_warned_at = clock.now()
            details = {"recipients": len(admins)}
            entry = AuditEntry.by(
                SYSTEM, "api_client.expiry_warned", "api_client", client.id, details
            )
            await job_audit().append(session, tenant_id, entry)
            log.info("api_client.expiry_warned", client_id=str(client.id), recipients=len(admins))
