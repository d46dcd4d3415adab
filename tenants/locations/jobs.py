"""Scheduled reduction of precise locations past each tenant's retention."""

from __future__ import annotations

import structlog

from tenants.locations.service import reduce_expired_locations_all_tenants
from timeward import clock
from timeward.jobs.registry import job
from timeward.jobs.runtime import job_database

log = structlog.get_logger("tenants.locations")


@job(queue="maintenance", max_retries=0)
async def reduce_expired_locations() -> None:
    reduced = await reduce_expired_locations_all_tenants(job_database(), clock.now())
    log.info("locations.reduced", events=reduced)
