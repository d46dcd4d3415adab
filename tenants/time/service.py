"""Reading clock events and time entries, and the checks clocking and entries share.

Clocking in and out is `tenants.time.clocking`; a manager's time entries are
`tenants.time.entries`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import Select, any_, bindparam, or_, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import UUID as PG_UUID
from sqlalchemy.ext.asyncio import AsyncSession

from tenants.employees.service import get_employee
from tenants.time.models import ApprovalState, ClockEvent, TimeEntry
from timeward.db.queries import fetch_page, one_or_not_found
from timeward.errors import InvalidInput
from timeward.paging import DateRange, PageRequest

CLOCK_SKEW = timedelta(minutes=2)
ANY_TIME = DateRange()


@dataclass(frozen=True)
class EntryFilter:
    employee_id: UUID | None = None
    period: DateRange = ANY_TIME
    state: ApprovalState | None = None


def not_in_future(at: datetime, now: datetime, field: str) -> None:
    if at > now + CLOCK_SKEW:
        minutes = int(CLOCK_SKEW.total_seconds() // 60)
        raise InvalidInput.on_field(
            field, f"is in the future (more than {minutes} minutes ahead of the server clock)"
        )


def _in_period(statement: Select[Any], column: Any, period: DateRange) -> Select[Any]:
    if period.start is not None:
        statement = statement.where(column >= period.start)
    if period.end is not None:
        statement = statement.where(column < period.end)
    return statement


async def list_clock_events(
    session: AsyncSession,
    tenant_id: UUID,
    page: PageRequest,
    *,
    employee_id: UUID | None = None,
    period: DateRange = ANY_TIME,
) -> list[ClockEvent]:
    statement = select(ClockEvent).where(ClockEvent.tenant_id == tenant_id)
    if employee_id is not None:
        statement = statement.where(ClockEvent.employee_id == employee_id)
    statement = _in_period(statement, ClockEvent.at, period)
    return await fetch_page(session, statement.order_by(ClockEvent.at.desc(), ClockEvent.id), page)


async def list_time_entries(
    session: AsyncSession, tenant_id: UUID, page: PageRequest, entry_filter: EntryFilter
) -> list[TimeEntry]:
    """Entries that start within the period, newest first."""
    statement = select(TimeEntry).where(TimeEntry.tenant_id == tenant_id)
    if entry_filter.employee_id is not None:
        statement = statement.where(TimeEntry.employee_id == entry_filter.employee_id)
    if entry_filter.state is not None:
        statement = statement.where(TimeEntry.approval_state == entry_filter.state)
    statement = _in_period(statement, TimeEntry.started_at, entry_filter.period)
    return await fetch_page(
        session, statement.order_by(TimeEntry.started_at.desc(), TimeEntry.id), page
    )


async def get_time_entry(
    session: AsyncSession, tenant_id: UUID, entry_id: UUID, *, lock: bool = False
) -> TimeEntry:
    statement = select(TimeEntry).where(TimeEntry.tenant_id == tenant_id, TimeEntry.id == entry_id)
    return await one_or_not_found(session, statement, "Time entry", lock=lock)


async def clock_events_of_entry(
    session: AsyncSession, tenant_id: UUID, entry: TimeEntry
) -> list[ClockEvent]:
    ids = [i for i in (entry.clock_in_event_id, entry.clock_out_event_id) if i is not None]
    if not ids:
        return []
    rows = await session.scalars(
        select(ClockEvent).where(ClockEvent.tenant_id == tenant_id, ClockEvent.id.in_(ids))
    )
    return list(rows.all())


async def entries_of_events(
    session: AsyncSession, tenant_id: UUID, events: Sequence[ClockEvent]
) -> dict[UUID, UUID]:
    """Clock event id -> id of the time entry its in/out pair became."""
    ids = [event.id for event in events]
    if not ids:
        return {}
    # One array parameter instead of an IN list: building 2 x 50 literals per page was
    # the largest cost of listing clock events (bench/api_vs_sql.py profile).
    event_ids = bindparam("event_ids", ids, type_=ARRAY(PG_UUID(as_uuid=True)))
    rows = await session.execute(
        select(TimeEntry.id, TimeEntry.clock_in_event_id, TimeEntry.clock_out_event_id).where(
            TimeEntry.tenant_id == tenant_id,
            or_(
                TimeEntry.clock_in_event_id == any_(event_ids),
                TimeEntry.clock_out_event_id == any_(event_ids),
            ),
        )
    )
    linked: dict[UUID, UUID] = {}
    for entry_id, in_id, out_id in rows.all():
        for event_id in (in_id, out_id):
            if event_id is not None:
                linked[event_id] = entry_id
    return linked


async def filter_employee(
    session: AsyncSession, tenant_id: UUID, employee_id: UUID | None
) -> UUID | None:
    """An employee named in a filter must be the tenant's (else 404, like a path id)."""
    if employee_id is not None:
        await get_employee(session, tenant_id, employee_id)
    return employee_id
