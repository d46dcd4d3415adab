"""The daily retention purge."""

from __future__ import annotations

import structlog

from timeward.jobs.registry import job
from timeward.jobs.runtime import job_database
from timeward.retention.policy import default_policy
from timeward.retention.service import purge_all

log = structlog.get_logger("timeward.retention")


@job(queue="maintenance", max_retries=3, min_backoff=60_000, time_limit=6 * 3600_000)
async def purge_expired_data() -> None:
    """Every tenant in turn; may run twice (a second run finds nothing to purge)."""
    reports = await purge_all(job_database(), default_policy())
    log.info(
        "retention.run_done",
        tenants=len(reports),
        rows=sum(r.total for r in reports),
    )
