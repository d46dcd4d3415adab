"""What every per-tenant notice row shares, and the job-side steps around it.

A notice row (``breach_notices``, ``sub_processor_notices``) is tenant-scoped and
written by the platform when the event is recorded. A job then tells the tenant's
client admins in the tenant's own transaction (in-app notification and e-mail) and
sets ``notified_at``. The row is the source of truth: a reconciler re-enqueues rows
still waiting, and the job does nothing for a row already notified.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar
from uuid import UUID

from sqlalchemy import DateTime, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from timeward import clock
from timeward.db.base import TenantScoped
from timeward.identity.service import Recipient
from timeward.mail.categories import Essential
from timeward.mail.service import queue_email
from timeward.notifications.service import notify


class NoticeDelivery(TenantScoped):
    """A tenant's notice row: when it was queued, sent, and to how many client admins."""

    enqueued_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    notified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    recipients: Mapped[int | None]


N = TypeVar("N", bound=NoticeDelivery)


@dataclass(frozen=True)
class Delivered:
    """The in-app notifications and queued e-mails that carried one notice."""

    notification_ids: list[UUID]
    email_ids: list[UUID]


async def lock_pending(
    session: AsyncSession, model: type[N], tenant_id: UUID, notice_id: UUID
) -> N | None:
    """The notice if it still waits and no other worker holds it; else None."""
    notice: N | None = await session.scalar(
        select(model)
        .where(
            model.tenant_id == tenant_id,
            model.id == notice_id,
            model.notified_at.is_(None),
        )
        .with_for_update(skip_locked=True)
    )
    return notice


async def deliver(
    session: AsyncSession,
    notice: NoticeDelivery,
    tenant_id: UUID,
    admins: Sequence[Recipient],
    message: tuple[str, str, str],
) -> Delivered:
    """Notify every admin in the app and queue one e-mail each; mark the notice sent.

    ``message`` is (notification kind, subject, body). The e-mails leave after this
    transaction commits (the outbox); the in-app notices are visible at the same moment.
    Returns the ids of what carried the notice.
    """
    kind, subject, body = message
    notification_ids = await notify(
        session, tenant_id, [a.user_id for a in admins], kind, subject, body
    )
    email_ids = [
        await queue_email(
            session, tenant_id, admin.email, subject, body, category=Essential.PROCESSOR_NOTICE
        )
        for admin in admins
    ]
    notice.notified_at = clock.now()
    notice.recipients = len(admins)
    return Delivered(notification_ids, email_ids)


async def claim_stranded(
    session: AsyncSession, model: type[N], tenant_id: UUID, older_than: timedelta
) -> list[UUID]:
    """Ids of this tenant's notices still unsent after ``older_than``; bumps their enqueued_at."""
    result = await session.execute(
        update(model)
        .where(
            model.tenant_id == tenant_id,
            model.notified_at.is_(None),
            model.enqueued_at < func.now() - older_than,
        )
        .values(enqueued_at=func.now())
        .returning(model.id)
    )
    return list(result.scalars().all())
