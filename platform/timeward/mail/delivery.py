"""Deliver one outbox row, and find rows whose message was lost.

Delivery locks the row (``FOR UPDATE SKIP LOCKED``) for the duration of the SMTP
exchange, so two copies of the job never send it twice concurrently; a row that
is sent, failed, missing or being sent by another worker is left alone. Optional mail is
checked against the person's preference in the same transaction, right before sending:
one they unsubscribed from since it was queued is ``withdrawn``, not sent. A crash
between the relay accepting the message and the commit can still send it twice
(at-least-once); the stable Message-ID lets receivers deduplicate.
"""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import structlog
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from timeward import clock
from timeward.config import SmtpSettings
from timeward.db.session import Database, Scope
from timeward.mail import smtp
from timeward.mail.categories import Topic
from timeward.mail.models import OPTIONAL, EmailStatus, OutboundEmail
from timeward.mail.preferences import wants

# Six attempts in all: the first and five Dramatiq retries (see mail.jobs).
MAX_SEND_ATTEMPTS = 6

log = structlog.get_logger("timeward.mail")


class DeliveryFailed(Exception):
    """Raised (without the SMTP error chained: it may quote the address) to retry."""


def _record_attempt(email: OutboundEmail, error: BaseException | None) -> None:
    now = clock.now()
    email.attempts += 1
    email.last_attempt_at = now
    if error is None:
        email.status, email.sent_at, email.last_error = EmailStatus.SENT, now, None
        return
    email.last_error = smtp.describe_error(error)
    if email.attempts >= MAX_SEND_ATTEMPTS:
        email.status = EmailStatus.FAILED


async def _still_wanted(session: AsyncSession, email: OutboundEmail) -> bool:
    """Essential mail always; optional mail only while the person wants the topic, read
    right before sending (an unsubscribe takes effect before the next send)."""
    if email.category != OPTIONAL:
        return True
    assert email.topic is not None and email.recipient_user_id is not None
    return await wants(session, email.tenant_id, email.recipient_user_id, Topic(email.topic))


async def deliver_email(
    database: Database, settings: SmtpSettings, tenant_id: UUID, email_id: UUID
) -> None:
    error: BaseException | None = None
    async with database.transaction(Scope.TENANT, tenant_id) as session:
        email = await session.scalar(
            select(OutboundEmail)
            .where(
                OutboundEmail.tenant_id == tenant_id,
                OutboundEmail.id == email_id,
                OutboundEmail.status == EmailStatus.PENDING,
            )
            .with_for_update(skip_locked=True)
        )
        if email is None:
            log.info("email.not_pending", email_id=str(email_id))
            return
        if not await _still_wanted(session, email):
            email.status = EmailStatus.WITHDRAWN
            log.info("email.withdrawn", email_id=str(email_id), topic=email.topic)
            return
        message = smtp.build_message(
            settings,
            email.id,
            email.recipient,
            email.subject,
            email.body_text,
            unsubscribe_url=email.unsubscribe_url,
        )
        try:
            await smtp.send(settings, message)
        except Exception as exc:  # any failure is an attempt; the type decides nothing
            error = exc
        _record_attempt(email, error)
        outcome = {"email_id": str(email_id), "attempts": email.attempts, "status": email.status}
    if error is None:
        log.info("email.sent", **outcome)
        return
    log.warning("email.attempt_failed", error=email.last_error, **outcome)
    raise DeliveryFailed(f"email {email_id} not delivered: {email.last_error}") from None


async def claim_stranded(
    session: AsyncSession, tenant_id: UUID, *, older_than: timedelta
) -> list[UUID]:
    """Pending rows neither enqueued nor attempted for ``older_than``; marks them re-enqueued.

    Rows being sent right now are locked and skipped.
    """
    cutoff = clock.now() - older_than
    stranded = (
        select(OutboundEmail.id)
        .where(
            OutboundEmail.tenant_id == tenant_id,
            OutboundEmail.status == EmailStatus.PENDING,
            OutboundEmail.enqueued_at < cutoff,
            (OutboundEmail.last_attempt_at.is_(None)) | (OutboundEmail.last_attempt_at < cutoff),
        )
        .with_for_update(skip_locked=True)
    )
    result = await session.execute(
        update(OutboundEmail)
        .where(OutboundEmail.tenant_id == tenant_id, OutboundEmail.id.in_(stranded))
        .values(enqueued_at=func.now())
        .returning(OutboundEmail.id)
    )
    return list(result.scalars().all())
