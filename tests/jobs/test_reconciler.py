"""The outbox row is the source of truth: a lost message delays mail, never loses it."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from tests.conftest import TenantFactory
from tests.fixtures.jobs import Jobs, load_email, queue_one
from tests.jobs.smtp_server import SmtpServer
from timeward.audit.log import PLATFORM_CHAIN
from timeward.db.session import Database
from timeward.mail.jobs import reconcile_outbound_emails
from timeward.mail.models import EmailStatus


async def _age(owner: asyncpg.Pool, tenant_id: UUID, email_id: UUID) -> None:
    """Pretend the e-mail was queued an hour ago (as the owner, under forced RLS)."""
    async with owner.acquire() as conn, conn.transaction():
        await conn.execute("select set_config('app.tenant_id', $1, true)", str(tenant_id))
        await conn.execute(
            "update outbound_emails set created_at = now() - interval '1 hour', "
            "enqueued_at = now() - interval '1 hour' where tenant_id = $1 and id = $2",
            tenant_id,
            email_id,
        )


async def test_lost_message_is_re_enqueued_and_delivered(
    db: Database, owner: asyncpg.Pool, idle_jobs: Jobs, smtp_server: SmtpServer, tenant: UUID
) -> None:
    email_id = await queue_one(db, tenant)
    idle_jobs.broker.flush_all()  # the message is lost (broker restart, dead worker...)
    await _age(owner, tenant, email_id)

    idle_jobs.start()
    reconcile_outbound_emails.send()
    await idle_jobs.drain()

    assert len(smtp_server.received) == 1
    assert (await load_email(db, tenant, email_id)).status == EmailStatus.SENT


async def test_recent_and_sent_emails_are_left_alone(
    db: Database, owner: asyncpg.Pool, idle_jobs: Jobs, smtp_server: SmtpServer, tenant: UUID
) -> None:
    sent_id = await queue_one(db, tenant)
    idle_jobs.start()
    await idle_jobs.drain()
    idle_jobs.stop()  # so the next message cannot be consumed before it is "lost"
    await _age(owner, tenant, sent_id)
    recent_id = await queue_one(db, tenant, to="bob@example.test")
    idle_jobs.broker.flush_all()  # lost too, but not yet overdue: its retry may be pending

    idle_jobs.start()
    reconcile_outbound_emails.send()
    await idle_jobs.drain()

    assert [m["To"] for m in smtp_server.received] == ["ada@example.test"]
    assert (await load_email(db, tenant, recent_id)).status == EmailStatus.PENDING


async def test_reconciler_visits_every_tenant(
    db: Database,
    owner: asyncpg.Pool,
    idle_jobs: Jobs,
    smtp_server: SmtpServer,
    make_tenant: TenantFactory,
) -> None:
    tenants = [await make_tenant(slug) for slug in ("alpha", "bravo", "charlie")]
    emails = [
        (t, await queue_one(db, t, to=f"user{i}@example.test")) for i, t in enumerate(tenants)
    ]
    idle_jobs.broker.flush_all()
    for tenant_id, email_id in emails:
        await _age(owner, tenant_id, email_id)

    idle_jobs.start()
    reconcile_outbound_emails.send()
    await idle_jobs.drain()

    assert sorted(m["To"] for m in smtp_server.received) == [
        "user0@example.test",
        "user1@example.test",
        "user2@example.test",
    ]


async def test_the_platforms_own_lost_mail_is_re_enqueued_too(
    db: Database, owner: asyncpg.Pool, idle_jobs: Jobs, smtp_server: SmtpServer
) -> None:
    """Staff invitations and resets live in the platform outbox (the nil tenant id)."""
    email_id = await queue_one(db, PLATFORM_CHAIN, to="operator@timeward.example")
    idle_jobs.broker.flush_all()
    await _age(owner, PLATFORM_CHAIN, email_id)

    idle_jobs.start()
    reconcile_outbound_emails.send()
    await idle_jobs.drain()

    assert [m["To"] for m in smtp_server.received] == ["operator@timeward.example"]
    assert (await load_email(db, PLATFORM_CHAIN, email_id)).status == EmailStatus.SENT
