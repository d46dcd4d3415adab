"""Period locks: a month closed for payroll. While it is closed, no time entry starting in
it is entered, corrected, approved or rejected; a client admin reopens it with a reason.
Locking and reopening are audited on the tenant's chain.

Why and how: docs/workforce.md, "Period locks". Every change to an entry takes a shared
transaction-level advisory lock on the month(s) it touches before it checks the lock
row; closing or reopening a month takes the same advisory lock exclusively. So a month
is never closed while a change inside it is still in flight, and a change never lands
after the close it did not see.

A month is the tenant's local calendar month (docs/workforce.md, "Days, weeks and months
in the tenant's zone"): an entry starting at 23:30 on 30 November in Berlin is in
November, even though it is December in UTC.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from tenants.settings.regional import regional_settings
from tenants.time.models import ApprovalState, PeriodLock, TimeEntry
from tenants.time.periods import Period, month_of, next_month, today
from timeward import clock
from timeward.acting import Acting
from timeward.audit.log import AuditEntry, AuditLog
from timeward.errors import Conflict, InvalidInput

_SHARED = text("SELECT pg_advisory_xact_lock_shared(hashtextextended(:key, 0))")
_EXCLUSIVE = text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))")


def month_name(month: date) -> str:
    return month.strftime("%B %Y")


def month_key(month: date) -> str:
    return month.strftime("%Y-%m")


async def _serialise(
    session: AsyncSession, tenant_id: UUID, month: date, *, exclusive: bool
) -> None:
    key = f"period_lock:{tenant_id}:{month_key(month)}"
    await session.execute(_EXCLUSIVE if exclusive else _SHARED, {"key": key})


async def ensure_open(session: AsyncSession, tenant_id: UUID, instants: Iterable[datetime]) -> None:
    """Refuse (409, ``period_locked``) a change to an entry starting in a closed month.

    ``instants`` are the entry's start before and after the change; each counts in the
    month it falls in in the tenant's zone."""
    zone = (await regional_settings(session, tenant_id)).time_zone
    months = sorted({month_of(instant, zone) for instant in instants})
    for month in months:
        await _serialise(session, tenant_id, month, exclusive=False)
    closed = await session.scalar(
        select(PeriodLock.month)
        .where(
            PeriodLock.tenant_id == tenant_id,
            PeriodLock.month.in_(months),
            PeriodLock.locked.is_(True),
        )
        .order_by(PeriodLock.month)
        .limit(1)
    )
    if closed is not None:
        raise Conflict(
            f"{month_name(closed)} is closed for payroll: no time entry in it can be entered, "
            "changed, approved or rejected. A client admin can reopen the month with a reason.",
            reason="period_locked",
            month=month_key(closed),
        )


async def _row(session: AsyncSession, tenant_id: UUID, month: date) -> PeriodLock | None:
    return await session.scalar(
        select(PeriodLock)
        .where(PeriodLock.tenant_id == tenant_id, PeriodLock.month == month)
        .with_for_update()
    )


async def pending_in_month(session: AsyncSession, tenant_id: UUID, month: date, zone: str) -> int:
    span = Period.month_of(month, zone).range
    count = await session.scalar(
        select(func.count())
        .select_from(TimeEntry)
        .where(
            TimeEntry.tenant_id == tenant_id,
            TimeEntry.approval_state == ApprovalState.PENDING,
            TimeEntry.started_at >= span.start,
            TimeEntry.started_at < span.end,
        )
    )
    return int(count or 0)


@dataclass(frozen=True)
class LockOutcome:
    lock: PeriodLock
    pending_entries: int  # still pending inside the month: not paid until it is reopened


async def _audit(
    session: AsyncSession,
    audit: AuditLog,
    tenant_id: UUID,
    action: str,
    by: Acting,
    details: dict[str, object],
) -> None:
    await audit.append(session, tenant_id, AuditEntry.by(by, action, "period", None, details))


async def lock_month(
    session: AsyncSession, audit: AuditLog, tenant_id: UUID, month: date, by: Acting
) -> LockOutcome:
    """Close a month that has ended (in the tenant's zone); closing a closed month changes
    nothing."""
    now = clock.now()
    zone = (await regional_settings(session, tenant_id)).time_zone
    if next_month(month) > today(zone):
        raise InvalidInput.on_field(
            "month", "has not ended yet: a month is closed after its last day", "path"
        )
    await _serialise(session, tenant_id, month, exclusive=True)
    lock = await _row(session, tenant_id, month)
    pending = await pending_in_month(session, tenant_id, month, zone)
    if lock is not None and lock.locked:
        return LockOutcome(lock, pending)
    if lock is None:
        lock = PeriodLock(tenant_id=tenant_id, month=month)
        session.add(lock)
    lock.locked, lock.locked_at, lock.locked_by = True, now, by.user_id
    lock.reopened_at = lock.reopened_by = lock.reopen_reason = None
    await session.flush()
    details: dict[str, object] = {"month": month_key(month), "pending_entries": pending}
    await _audit(session, audit, tenant_id, "period.locked", by, details)
    return LockOutcome(lock, pending)


async def reopen_month(
    session: AsyncSession,
    audit: AuditLog,
    tenant_id: UUID,
    month: date,
    reason: str,
    by: Acting,
) -> PeriodLock:
    """Reopen a closed month; the reason is kept on the row and on the audit chain."""
    reason = reason.strip()
    if not reason:
        raise InvalidInput.on_field("reason", "say why the month is reopened")
    await _serialise(session, tenant_id, month, exclusive=True)
    lock = await _row(session, tenant_id, month)
    if lock is None or not lock.locked:
        raise Conflict(
            f"{month_name(month)} is not closed: there is nothing to reopen.",
            reason="period_not_locked",
        )
    lock.locked = False
    lock.reopened_at, lock.reopened_by, lock.reopen_reason = clock.now(), by.user_id, reason
    await session.flush()
    details: dict[str, object] = {"month": month_key(month), "reason": reason}
    await _audit(session, audit, tenant_id, "period.reopened", by, details)
    return lock


async def list_locks(
    session: AsyncSession, tenant_id: UUID, months: list[date] | None = None
) -> list[PeriodLock]:
    """The tenant's lock rows (closed and reopened months), newest month first."""
    statement = select(PeriodLock).where(PeriodLock.tenant_id == tenant_id)
    if months is not None:
        statement = statement.where(PeriodLock.month.in_(months))
    rows = await session.scalars(statement.order_by(PeriodLock.month.desc()))
    return list(rows.all())
