"""Reading clock events and time entries, and the checks clocking and entries share.

Clocking in and out is `tenants.time.clocking`; a manager's time entries are
`tenants.time.entries`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any, NamedTuple, TypeVar
from uuid import UUID

from sqlalchemy import ColumnElement, Integer, Select, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tenants.employees.service import get_employee
from tenants.time.models import (
    CLOCK_EVENTS,
    TIME_ENTRIES,
    ApprovalState,
    ClockEvent,
    TimeEntry,
)
from timeward.db.queries import fetch_page, one_or_not_found
from timeward.errors import InvalidInput
from timeward.paging import DateRange, PageRequest

S = TypeVar("S", bound=Select[*tuple[Any, ...]])

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


def _in_period(statement: S, column: Any, period: DateRange) -> S:
    if period.start is not None:
        statement = statement.where(column >= period.start)
    if period.end is not None:
        statement = statement.where(column < period.end)
    return statement


class ListedClockEvent(NamedTuple):
    """One row of a clock-event list: the columns the view and the location opener read,
    and the time entry the event's in/out pair became (if any)."""

    id: UUID
    employee_id: UUID
    kind: str
    at: datetime
    site_id: UUID | None
    location_mode: str
    location_status: str
    on_site: bool | None
    matched_site_id: UUID | None
    location_sealed: bytes | None
    location_key_id: UUID | None
    created_at: datetime
    time_entry_id: UUID | None


_EVENTS, _ENTRIES = CLOCK_EVENTS, TIME_ENTRIES


def _entry_of_event() -> ColumnElement[UUID | None]:
    """The entry whose clock-in, else clock-out, is the listed event (each is unique per
    tenant: `uq_time_entries_tenant_id_clock_{in,out}_event_id`)."""

    def entry_with(column: Any) -> Any:
        return (
            select(_ENTRIES.c.id)
            .where(_ENTRIES.c.tenant_id == bindparam("tenant_id"), column == _EVENTS.c.id)
            .scalar_subquery()
        )

    return func.coalesce(
        entry_with(_ENTRIES.c.clock_in_event_id), entry_with(_ENTRIES.c.clock_out_event_id)
    )


@cache
def _page_of_events(by_employee: bool, since: bool, until: bool) -> Select[Any]:
    """The page statement for one combination of filters, built once per process: building
    it per request was a tenth of the list request (docs/performance.md, "List and clock
    routes, quiet-machine round"). Core columns: rows come back without the ORM's result
    machinery."""
    columns = ListedClockEvent._fields[:-1]  # each a column of that name; then the entry
    statement = select(*(_EVENTS.c[name] for name in columns), _entry_of_event()).where(
        _EVENTS.c.tenant_id == bindparam("tenant_id")
    )
    if by_employee:
        statement = statement.where(_EVENTS.c.employee_id == bindparam("employee_id"))
    if since:
        statement = statement.where(_EVENTS.c.at >= bindparam("start"))
    if until:
        statement = statement.where(_EVENTS.c.at < bindparam("end"))
    return (
        statement.order_by(_EVENTS.c.at.desc(), _EVENTS.c.id)
        .limit(bindparam("limit", type_=Integer))
        .offset(bindparam("offset", type_=Integer))
    )


async def list_clock_events(
    session: AsyncSession,
    tenant_id: UUID,
    page: PageRequest,
    *,
    employee_id: UUID | None = None,
    period: DateRange = ANY_TIME,
) -> list[ListedClockEvent]:
    """One page of events, newest first, each with its time entry, in one statement.

    Columns, not entities: loading ORM instances for a page was a third of the list
    request's time (docs/performance.md, "List route: Core reads")."""
    statement = _page_of_events(
        employee_id is not None, period.start is not None, period.end is not None
    )
    parameters = {
        "tenant_id": tenant_id,
        "employee_id": employee_id,
        "start": period.start,
        "end": period.end,
        "limit": page.fetch,
        "offset": page.offset,
    }
    rows = await session.execute(statement, parameters)
    return list(map(ListedClockEvent._make, rows))


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


async def filter_employee(
    session: AsyncSession, tenant_id: UUID, employee_id: UUID | None
) -> UUID | None:
    """An employee named in a filter must be the tenant's (else 404, like a path id)."""
    if employee_id is not None:
        await get_employee(session, tenant_id, employee_id)
    return employee_id
