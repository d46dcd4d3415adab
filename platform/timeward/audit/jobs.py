"""Folding the staff reads still pending into each tenant's chain, each minute.

A tenant's pending reads are also chained by its next chained write and before anyone
reads or verifies its log; this job bounds how long a read of a quiet tenant waits.
"""

from __future__ import annotations

import structlog
from sqlalchemy import select

from timeward.audit.log import fold_pending_reads
from timeward.db.session import Scope
from timeward.identity.models import Tenant
from timeward.jobs.registry import job
from timeward.jobs.runtime import job_database

log = structlog.get_logger("timeward.audit")


@job(queue="maintenance", max_retries=3)
async def fold_staff_reads() -> None:
    """Every tenant, offboarded ones too (their log is kept); may run twice."""
    database = job_database()
    async with database.transaction(Scope.PLATFORM) as session:
        tenants = list((await session.scalars(select(Tenant.id).order_by(Tenant.id))).all())
    folded = 0
    for tenant_id in tenants:
        async with database.transaction(Scope.TENANT, tenant_id) as session:
            folded += await fold_pending_reads(session, tenant_id)
    if folded:
        log.info("audit.staff_reads_folded", events=folded, tenants=len(tenants))
