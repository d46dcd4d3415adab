"""Outbox delivery through the real actor, a real worker and a real SMTP server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from uuid import UUID, uuid4

import pytest
from sqlalchemy import func, select, update

from tests.conftest import TenantFactory
from tests.fixtures.jobs import Jobs, load_email, queue_one, queued_messages
from tests.jobs.smtp_server import SmtpServer
from timeward.config import SmtpSettings
from timeward.db.session import Database, Scope
from timeward.mail import smtp
from timeward.mail.categories import Essential
from timeward.mail.delivery import MAX_SEND_ATTEMPTS
from timeward.mail.jobs import send_email
from timeward.mail.messages import WHY_ESSENTIAL
from timeward.mail.models import EmailStatus, OutboundEmail
from timeward.mail.service import queue_email


async def test_queued_email_is_delivered_by_the_worker(
    db: Database, jobs: Jobs, smtp_server: SmtpServer, tenant: UUID
) -> None:
    email_id = await queue_one(db, tenant)
    await jobs.drain()

    [message] = smtp_server.received
    assert message["To"] == "ada@example.test"
    assert message["Subject"] == "Your timesheet"
    assert message["Message-ID"] == f"<{email_id}@timeward.localhost>"
    body = message.get_payload(decode=True).decode().replace("\r\n", "\n")
    # essential by category: its footer says why it cannot be switched off; no unsubscribe
    assert body == f"Hello Ada,\nall good.\n\n-- \n{WHY_ESSENTIAL[Essential.SERVICE]}\n"
    assert message["List-Unsubscribe"] is None and message["List-Unsubscribe-Post"] is None
    email = await load_email(db, tenant, email_id)
    assert (email.status, email.attempts, email.last_error) == (EmailStatus.SENT, 1, None)
    assert email.sent_at is not None


async def test_message_is_enqueued_only_after_commit(
    db: Database, idle_jobs: Jobs, tenant: UUID
) -> None:
    async with db.transaction(Scope.TENANT, tenant) as session:
        await queue_email(
            session, tenant, "ada@example.test", "Hi", "Body", category=Essential.SERVICE
        )
        assert queued_messages(idle_jobs.broker) == 0
    assert queued_messages(idle_jobs.broker) == 1


async def test_rolled_back_transaction_enqueues_nothing(
    db: Database, idle_jobs: Jobs, tenant: UUID
) -> None:
    with pytest.raises(RuntimeError, match="changed my mind"):
        async with db.transaction(Scope.TENANT, tenant) as session:
            await queue_email(
                session, tenant, "ada@example.test", "Hi", "Body", category=Essential.SERVICE
            )
            raise RuntimeError("changed my mind")
    assert queued_messages(idle_jobs.broker) == 0
    async with db.transaction(Scope.TENANT, tenant) as session:
        assert await session.scalar(select(func.count()).select_from(OutboundEmail)) == 0


async def test_running_the_job_twice_delivers_once(
    db: Database, jobs: Jobs, smtp_server: SmtpServer, tenant: UUID
) -> None:
    email_id = await queue_one(db, tenant)
    send_email.send(str(tenant), str(email_id))  # a duplicate while the first may still be running
    await jobs.drain()
    send_email.send(str(tenant), str(email_id))  # and one after it was sent
    await jobs.drain()

    assert len(smtp_server.received) == 1
    assert (await load_email(db, tenant, email_id)).attempts == 1


async def test_transient_smtp_failure_is_retried(
    db: Database, jobs: Jobs, smtp_server: SmtpServer, tenant: UUID, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(send_email.options, "min_backoff", 10)
    smtp_server.handler.refusals = 2
    email_id = await queue_one(db, tenant)
    await jobs.drain()

    assert len(smtp_server.received) == 1
    email = await load_email(db, tenant, email_id)
    assert (email.status, email.attempts, email.last_error) == (EmailStatus.SENT, 3, None)


async def test_smtp_failure_retries_then_marks_failed(
    db: Database, jobs: Jobs, smtp_server: SmtpServer, tenant: UUID, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(send_email.options, "min_backoff", 10)
    monkeypatch.setitem(send_email.options, "max_backoff", 40)
    smtp_server.handler.refusals = 1000
    email_id = await queue_one(db, tenant)
    await jobs.drain()

    email = await load_email(db, tenant, email_id)
    assert (email.status, email.attempts) == (EmailStatus.FAILED, MAX_SEND_ATTEMPTS)
    assert email.last_error == "SMTPRecipientsRefused"  # no server text: it quotes the address
    assert smtp_server.received == []
    assert len(jobs.broker.dead_letters) == 1

    send_email.send(str(tenant), str(email_id))  # a failed e-mail is not retried by a stray message
    await jobs.drain()
    assert (await load_email(db, tenant, email_id)).attempts == MAX_SEND_ATTEMPTS


async def test_another_tenants_email_is_invisible(
    db: Database, idle_jobs: Jobs, smtp_server: SmtpServer, make_tenant: TenantFactory
) -> None:
    tenant_a, tenant_b = await make_tenant("alpha"), await make_tenant("bravo")
    email_b = await queue_one(db, tenant_b, to="bob@example.test")
    idle_jobs.broker.flush_all()

    async with db.transaction(Scope.TENANT, tenant_a) as session:
        assert (await session.scalars(select(OutboundEmail))).all() == []
        assert await session.get(OutboundEmail, (tenant_b, email_b)) is None
        changed = await session.execute(
            update(OutboundEmail).where(OutboundEmail.id == email_b).values(status="sent")
        )
        assert changed.rowcount == 0  # type: ignore[attr-defined]
    async with db.transaction(Scope.PLATFORM) as session:
        assert await session.scalar(select(func.count()).select_from(OutboundEmail)) == 0

    send_email.send(str(tenant_a), str(email_b))  # a job naming the wrong tenant finds nothing
    idle_jobs.start()
    await idle_jobs.drain()
    assert smtp_server.received == []
    email = await load_email(db, tenant_b, email_b)
    assert (email.status, email.attempts) == (EmailStatus.PENDING, 0)


@pytest.mark.parametrize(
    ("to", "subject"),
    [
        ("ada@example.test\nBcc: eve@example.test", "Hi"),
        ("a@x.test, b@x.test", "Hi"),
        ("first,second@x.test", "Hi"),
        ("Eve <eve@example.test>", "Hi"),
        ("ev\x01e@example.test", "Hi"),
        ("ada@example.test", "Hi\r\nBcc: eve@example.test"),
        ("", "Hi"),
    ],
)
async def test_header_injection_is_refused(
    db: Database, tenant: UUID, to: str, subject: str
) -> None:
    with pytest.raises(ValueError):
        async with db.transaction(Scope.TENANT, tenant) as session:
            await queue_email(session, tenant, to, subject, "Body", category=Essential.SERVICE)


async def test_delivered_mail_carries_its_date(
    db: Database, jobs: Jobs, smtp_server: SmtpServer, tenant: UUID
) -> None:
    """RFC 5322 requires a Date: header."""
    await queue_one(db, tenant)
    await jobs.drain()

    [message] = smtp_server.received
    sent = parsedate_to_datetime(message["Date"])
    assert abs(sent - datetime.now(UTC)) < timedelta(minutes=1)


@pytest.mark.parametrize(
    ("sender", "subject"),
    [
        ("Eve\r\nBcc: mallory@example.test <eve@example.test>", "Hi"),
        ("Timeward <no-reply@timeward.localhost>", "Hi\r\nBcc: mallory@example.test"),
        ("Timeward <no-reply@timeward.localhost>", "Hi\nBcc: mallory@example.test"),
    ],
)
def test_a_line_break_in_a_display_name_or_subject_cannot_add_a_header(
    sender: str, subject: str
) -> None:
    settings = SmtpSettings(sender=sender)
    try:
        message = smtp.build_message(settings, uuid4(), "ada@example.test", subject, "Body")
    except ValueError:
        return
    assert "Bcc" not in message and b"\nBcc:" not in bytes(message)
