"""Create, list and mark in-app notifications, inside the caller's tenant transaction.

Every query filters on ``tenant_id`` explicitly; row-level security is the backstop.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from uuid import UUID

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from timeward.db.base import new_id
from timeward.notifications.models import KIND_PATTERN, Notification
from timeward.paging import DEFAULT_PAGE_SIZE

_KIND = re.compile(KIND_PATTERN)


async def notify(
    session: AsyncSession,
    tenant_id: UUID,
    user_ids: Iterable[UUID],
    kind: str,
    title: str,
    body: str,
) -> list[UUID]:
    """One notification per distinct recipient (members of the tenant); returns their ids."""
    if not _KIND.match(kind):
        raise ValueError(f"notification kind must match {KIND_PATTERN}")
    notifications = [
        Notification(
            tenant_id=tenant_id, id=new_id(), user_id=user_id, kind=kind, title=title, body=body
        )
        for user_id in dict.fromkeys(user_ids)
    ]
    session.add_all(notifications)
    await session.flush()
    return [notification.id for notification in notifications]


async def list_for_user(
    session: AsyncSession,
    tenant_id: UUID,
    user_id: UUID,
    *,
    unread_only: bool = False,
    limit: int = DEFAULT_PAGE_SIZE,
    offset: int = 0,
) -> list[Notification]:
    """The user's notifications in this tenant, newest first (``limit`` rows from ``offset``)."""
    query = (
        select(Notification)
        .where(Notification.tenant_id == tenant_id, Notification.user_id == user_id)
        .order_by(Notification.created_at.desc(), Notification.id)
        .limit(limit)
        .offset(offset)
    )
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    return list((await session.scalars(query)).all())


async def mark_read(
    session: AsyncSession, tenant_id: UUID, user_id: UUID, notification_id: UUID
) -> bool:
    """Mark one of the user's own notifications read; False if it is not theirs."""
    result = await session.execute(
        update(Notification)
        .where(
            Notification.tenant_id == tenant_id,
            Notification.user_id == user_id,
            Notification.id == notification_id,
        )
        .values(read_at=func.coalesce(Notification.read_at, func.now()))
        .returning(Notification.id)
    )
    return result.scalar_one_or_none() is not None
