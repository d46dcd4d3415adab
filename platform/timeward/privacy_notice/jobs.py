"""Regenerating the tenants' notices: after a change to one of its inputs, and a sweep."""

from __future__ import annotations

from uuid import UUID

import structlog

from timeward.db.session import Scope
from timeward.jobs.registry import job
from timeward.jobs.runtime import job_audit, job_database, job_settings
from timeward.privacy_notice.service import refresh_all, refresh_tenant_notice

log = structlog.get_logger("timeward.privacy_notice")


@job(queue="notices", max_retries=5, min_backoff=5_000, max_backoff=600_000)
async def refresh_privacy_notice(tenant_id: str) -> None:
    """One tenant's notice; may run twice (the second finds the digest unchanged)."""
    tenant = UUID(tenant_id)
    async with job_database().transaction(Scope.TENANT, tenant) as session:
        await refresh_tenant_notice(session, job_audit(), tenant, job_settings().processor)


@job(queue="maintenance", max_retries=3, min_backoff=60_000, time_limit=3600_000)
async def refresh_all_privacy_notices() -> None:
    """Every active tenant: catches inputs changed outside a service (the policy files
    edited, a new release's wording) and changes whose job was lost."""
    changed = await refresh_all(job_database(), job_audit(), job_settings().processor)
    log.info("privacy_notice.sweep_done", changed=changed)
