"""Mail jobs: deliver one e-mail; re-enqueue e-mails whose message was lost; the weekly
digests."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import structlog

from timeward import clock
from timeward.audit.log import PLATFORM_CHAIN
from timeward.db.session import Scope
from timeward.jobs.after_commit import enqueue_after_commit
from timeward.jobs.registry import job
from timeward.jobs.runtime import job_database, job_settings
from timeward.jobs.tenants import tenant_ids
from timeward.mail import product_news
from timeward.mail.delivery import MAX_SEND_ATTEMPTS, claim_stranded, deliver_email
from timeward.mail.digests import Digests

# Longer than the longest retry back-off, so a row waiting for its retry is not "stranded".
STRANDED_AFTER = timedelta(minutes=15)

log = structlog.get_logger("timeward.mail")


@job(
    queue="mail",
    max_retries=MAX_SEND_ATTEMPTS - 1,
    min_backoff=30_000,
    max_backoff=600_000,
    time_limit=120_000,
)
async def send_email(tenant_id: str, email_id: str) -> None:
    """Ids travel as strings: messages are JSON."""
    await deliver_email(job_database(), job_settings().smtp, UUID(tenant_id), UUID(email_id))


@job(queue="maintenance", max_retries=0)
async def reconcile_outbound_emails() -> None:
    """Each tenant in its own tenant-scoped transaction: the platform scope lists tenants only.
    The platform's own outbox (staff invitations, resets) is the nil tenant id."""
    database = job_database()
    total = 0
    for tenant_id in [PLATFORM_CHAIN, *await tenant_ids(database)]:
        async with database.transaction(Scope.TENANT, tenant_id) as session:
            stranded = await claim_stranded(session, tenant_id, older_than=STRANDED_AFTER)
            for email_id in stranded:
                enqueue_after_commit(session, send_email, str(tenant_id), str(email_id))
        total += len(stranded)
    log.info("email.reconciled", re_enqueued=total)


@job(queue="maintenance", max_retries=0, time_limit=600_000)
async def send_weekly_digests() -> None:
    """Daily; the first run of each ISO week queues the week's digests, later runs (or a
    second copy of this one) queue nothing more: one per person per week (``dedupe_key``).
    Each tenant in its own transaction."""
    settings = job_settings()
    digests = Digests(settings.resolve_master_key(), settings.processor, clock.now())
    database = job_database()
    admin_digests = hours_summaries = 0
    for tenant_id in await tenant_ids(database):
        async with database.transaction(Scope.TENANT, tenant_id) as session:
            admin_digests += await digests.admin_digests(session, tenant_id)
            hours_summaries += await digests.hours_summaries(session, tenant_id)
    log.info("email.digests_queued", admin_digests=admin_digests, hours_summaries=hours_summaries)


@job(queue="mail", max_retries=3, time_limit=600_000)
async def send_product_news(news_id: str) -> None:
    """An issue to every consenting member of every tenant; may run twice (one mail per
    person and issue: ``dedupe_key``)."""
    settings = job_settings()
    master_key = settings.resolve_master_key()
    database = job_database()
    async with database.transaction(Scope.PLATFORM) as session:
        news = await product_news.load_news(session, UUID(news_id))
        subject, body = news.subject, news.body
    queued = 0
    for tenant_id in await tenant_ids(database):
        async with database.transaction(Scope.TENANT, tenant_id) as session:
            queued += await product_news.queue_for_tenant(
                session, master_key, settings.processor, tenant_id, UUID(news_id), subject, body
            )
    async with database.transaction(Scope.PLATFORM) as session:
        await product_news.mark_sent(session, UUID(news_id), queued)
    log.info("email.product_news_queued", news_id=news_id, recipients=queued)
