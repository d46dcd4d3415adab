"""Delivering webhooks: one job per endpoint delivers its pending events oldest first;
a failure comes back after the configured wait (a delayed message); a reconciler
re-enqueues what a lost message would strand."""

from __future__ import annotations

from uuid import UUID

import structlog

from timeward.db.session import Scope
from timeward.jobs.registry import job
from timeward.jobs.runtime import job_audit, job_database, job_services, job_settings
from timeward.jobs.tenants import tenant_ids
from timeward.opendsr.callbacks import CallbackMessages
from timeward.webhooks import service

log = structlog.get_logger("timeward.webhooks")


@job(queue="webhooks", max_retries=3)
async def deliver_webhooks(tenant_id: str, endpoint_id: str) -> None:
    """Idempotent: delivers what is due and pending, whoever else ran before."""
    tenant, endpoint = UUID(tenant_id), UUID(endpoint_id)
    settings = job_settings()
    callbacks = CallbackMessages(job_services().keys, settings.public_url)
    while True:
        async with job_database().transaction(Scope.TENANT, tenant) as session:
            step = await service.deliver_next(
                session,
                job_audit(),
                tenant,
                endpoint,
                settings=settings.webhooks,
                master_key=settings.resolve_master_key(),
                callbacks=callbacks,
            )
        if step.retry_in is not None:
            delay = max(int(step.retry_in.total_seconds() * 1000), 0)
            deliver_webhooks.send_with_options(args=(tenant_id, endpoint_id), delay=delay)
            log.info("webhook.retry_scheduled", endpoint_id=endpoint_id, delay_ms=delay)
            return
        if not step.more:
            return


@job(queue="webhooks", max_retries=0)
async def reconcile_webhooks() -> None:
    for tenant in await tenant_ids(job_database()):
        async with job_database().transaction(Scope.TENANT, tenant) as session:
            stranded = await service.stranded_endpoints(session, tenant)
        for endpoint in stranded:
            deliver_webhooks.send(str(tenant), str(endpoint))
