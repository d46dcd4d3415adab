"""Clocking in and out, and time entries.

Clock events of one employee are serialised by locking the employee's row, so
two simultaneous clock-ins cannot both succeed. A clock out closes the open
clock in and turns the pair into a pending time entry.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import Select, any_, bindparam, or_, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import UUID as PG_UUID
from sqlalchemy.ext.asyncio import AsyncSession

from tenants.employees.models import Employee, EmployeeStatus
from tenants.employees.service import ensure_writable, get_employee
from tenants.locations.service import Coordinates, OpenedLocation, capture
from tenants.settings.service import location_policy
from tenants.sites.service import referenced_site
from tenants.time.models import (
    ApprovalState,
    ClockEvent,
    ClockKind,
    EntrySource,
    LocationStatus,
    TimeEntry,
)
from timeward.crypto.data_keys import DataKeys
from timeward.db.base import new_id
from timeward.db.queries import one_or_not_found
from timeward.errors import Conflict, InvalidInput, NotFound
from timeward.paging import DateRange, PageRequest

CLOCK_SKEW = timedelta(minutes=2)
MAX_CLOCK_BACKDATE = timedelta(hours=24)
MAX_ENTRY_LENGTH = timedelta(hours=24)
ANY_TIME = DateRange()


@dataclass(frozen=True)
class ClockRequest:
    at: datetime | None = None
    site_id: UUID | None = None
    location: Coordinates | None = None


@dataclass(frozen=True)
class ClockOutcome:
    event: ClockEvent
    location: OpenedLocation
    entry: TimeEntry | None


@dataclass(frozen=True)
class EntryFilter:
    employee_id: UUID | None = None
    period: DateRange = ANY_TIME
    state: ApprovalState | None = None


def _not_in_future(at: datetime, now: datetime, field: str) -> None:
    if at > now + CLOCK_SKEW:
        minutes = int(CLOCK_SKEW.total_seconds() // 60)
        raise InvalidInput.on_field(
            field, f"is in the future (more than {minutes} minutes ahead of the server clock)"
        )


async def last_clock_event(
    session: AsyncSession, tenant_id: UUID, employee_id: UUID
) -> ClockEvent | None:
    return await session.scalar(
        select(ClockEvent)
        .where(ClockEvent.tenant_id == tenant_id, ClockEvent.employee_id == employee_id)
        .order_by(ClockEvent.at.desc(), ClockEvent.created_at.desc())
        .limit(1)
    )


async def clock(
    session: AsyncSession,
    keys: DataKeys,
    employee: Employee,
    kind: ClockKind,
    request: ClockRequest,
    *,
    now: datetime,
    by_user: UUID | None,
) -> ClockOutcome:
    """Record a clock in or out for an employee whose row the caller has locked."""
    tenant_id = employee.tenant_id
    ensure_writable(employee, "your")
    if kind is ClockKind.IN and employee.status == EmployeeStatus.LEFT:
        raise Conflict("Your employee record is marked as having left: you cannot clock in.")
    at = (request.at or now).astimezone(UTC)
    _not_in_future(at, now, "at")
    if at < now - MAX_CLOCK_BACKDATE:
        raise InvalidInput.on_field(
            "at", "is more than 24 hours in the past; ask a manager to enter this time"
        )
    last = await last_clock_event(session, tenant_id, employee.id)
    if kind is ClockKind.IN and last is not None and last.kind == ClockKind.IN:
        raise Conflict(
            f"You are already clocked in (since {last.at.isoformat()}): clock out first.",
            reason="already_clocked_in",
        )
    if kind is ClockKind.OUT and (last is None or last.kind == ClockKind.OUT):
        raise Conflict("You are not clocked in: clock in first.", reason="not_clocked_in")
    if last is not None and at < last.at:
        raise InvalidInput.on_field("at", "is earlier than your previous clock event")
    site_id = request.site_id
    if site_id is not None:
        await referenced_site(session, tenant_id, site_id)
    elif kind is ClockKind.OUT and last is not None:
        site_id = last.site_id
    event_id = new_id()
    policy = await location_policy(session, tenant_id)
    captured = await capture(session, keys, tenant_id, event_id, policy, request.location, site_id)
    event = ClockEvent(
        tenant_id=tenant_id,
        id=event_id,
        employee_id=employee.id,
        kind=kind,
        at=at,
        site_id=site_id,
        location_mode=captured.mode,
        location_status=captured.status,
        on_site=captured.on_site,
        matched_site_id=captured.matched_site_id,
        location_sealed=captured.sealed,
        location_key_id=captured.key_id,
    )
    session.add(event)
    await session.flush()
    entry = None
    if kind is ClockKind.OUT and last is not None:
        entry = TimeEntry(
            tenant_id=tenant_id,
            employee_id=employee.id,
            site_id=last.site_id or last.matched_site_id,
            started_at=last.at,
            ended_at=at,
            source=EntrySource.CLOCK,
            clock_in_event_id=last.id,
            clock_out_event_id=event.id,
            approval_state=ApprovalState.PENDING,
            created_by=by_user,
        )
        session.add(entry)
        await session.flush()
        await session.refresh(entry)
    shown = request.location if captured.status is LocationStatus.PRECISE else None
    location = OpenedLocation(captured.status, shown, captured.on_site, captured.matched_site_id)
    return ClockOutcome(event, location, entry)


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
    rows = await session.scalars(
        statement.order_by(ClockEvent.at.desc(), ClockEvent.id)
        .limit(page.fetch)
        .offset(page.offset)
    )
    return list(rows.all())


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
    rows = await session.scalars(
        statement.order_by(TimeEntry.started_at.desc(), TimeEntry.id)
        .limit(page.fetch)
        .offset(page.offset)
    )
    return list(rows.all())


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


def _not_own(employee: Employee, by_user: UUID) -> None:
    if employee.user_id is not None and employee.user_id == by_user:
        raise Conflict(
            "You cannot create, change or decide your own time entries: another manager must."
        )


def _check_span(started_at: datetime, ended_at: datetime, now: datetime) -> None:
    if ended_at <= started_at:
        raise InvalidInput.on_field("ended_at", "must be later than started_at")
    if ended_at - started_at > MAX_ENTRY_LENGTH:
        raise InvalidInput.on_field("ended_at", "an entry may last at most 24 hours")
    _not_in_future(ended_at, now, "ended_at")


async def _no_overlap(
    session: AsyncSession,
    employee: Employee,
    started_at: datetime,
    ended_at: datetime,
    entry_id: UUID | None,
) -> None:
    statement = select(TimeEntry.id).where(
        TimeEntry.tenant_id == employee.tenant_id,
        TimeEntry.employee_id == employee.id,
        TimeEntry.approval_state != ApprovalState.REJECTED,
        TimeEntry.started_at < ended_at,
        TimeEntry.ended_at > started_at,
    )
    if entry_id is not None:
        statement = statement.where(TimeEntry.id != entry_id)
    clash = await session.scalar(statement.limit(1))
    if clash is not None:
        raise Conflict(
            "This overlaps another time entry of the employee.", overlapping_entry_id=str(clash)
        )


async def referenced_employee(
    session: AsyncSession, tenant_id: UUID, employee_id: UUID
) -> Employee:
    try:
        return await get_employee(session, tenant_id, employee_id, lock=True)
    except NotFound as exc:
        raise InvalidInput.on_field("employee_id", "unknown employee") from exc


async def create_manual_entry(
    session: AsyncSession,
    tenant_id: UUID,
    values: Mapping[str, Any],
    *,
    by_user: UUID,
    now: datetime,
) -> TimeEntry:
    employee = await referenced_employee(session, tenant_id, values["employee_id"])
    ensure_writable(employee)
    _not_own(employee, by_user)
    started_at, ended_at = values["started_at"], values["ended_at"]
    _check_span(started_at, ended_at, now)
    site_id = values.get("site_id")
    if site_id is not None:
        await referenced_site(session, tenant_id, site_id)
    await _no_overlap(session, employee, started_at, ended_at, None)
    entry = TimeEntry(
        tenant_id=tenant_id,
        employee_id=employee.id,
        site_id=site_id,
        started_at=started_at,
        ended_at=ended_at,
        source=EntrySource.MANUAL,
        notes=values.get("notes"),
        approval_state=ApprovalState.PENDING,
        created_by=by_user,
    )
    session.add(entry)
    await session.flush()
    await session.refresh(entry)
    return entry


async def _entry_for_change(
    session: AsyncSession, tenant_id: UUID, entry_id: UUID, by_user: UUID
) -> TimeEntry:
    """Lock the entry's employee, then the entry (the order clocking uses), and check both."""
    entry = await get_time_entry(session, tenant_id, entry_id)
    employee = await get_employee(session, tenant_id, entry.employee_id, lock=True)
    entry = await get_time_entry(session, tenant_id, entry_id, lock=True)
    ensure_writable(employee)
    _not_own(employee, by_user)
    return entry


async def update_entry(
    session: AsyncSession,
    tenant_id: UUID,
    entry_id: UUID,
    changes: Mapping[str, Any],
    *,
    by_user: UUID,
    now: datetime,
) -> tuple[TimeEntry, list[str]]:
    """Correct an entry. A change to a decided entry sends it back to pending."""
    entry = await _entry_for_change(session, tenant_id, entry_id, by_user)
    changed = sorted(name for name, value in changes.items() if getattr(entry, name) != value)
    if not changed:
        return entry, []
    started_at = changes.get("started_at", entry.started_at)
    ended_at = changes.get("ended_at", entry.ended_at)
    if {"started_at", "ended_at"} & set(changed):
        _check_span(started_at, ended_at, now)
        employee = await get_employee(session, tenant_id, entry.employee_id)
        await _no_overlap(session, employee, started_at, ended_at, entry.id)
    if "site_id" in changed and changes["site_id"] is not None:
        await referenced_site(session, tenant_id, changes["site_id"])
    for name in changed:
        setattr(entry, name, changes[name])
    if entry.approval_state != ApprovalState.PENDING:
        entry.approval_state = ApprovalState.PENDING
        entry.decided_by = entry.decided_at = entry.decision_note = None
    entry.updated_at = now
    await session.flush()
    await session.refresh(entry)
    return entry, changed


async def decide_entry(
    session: AsyncSession,
    tenant_id: UUID,
    entry_id: UUID,
    state: ApprovalState,
    note: str | None,
    *,
    by_user: UUID,
    now: datetime,
) -> TimeEntry:
    """Approve or reject; a later decision replaces an earlier one (both are audited)."""
    if state is ApprovalState.PENDING:
        raise InvalidInput.on_field("state", "a decision is 'approved' or 'rejected'")
    entry = await _entry_for_change(session, tenant_id, entry_id, by_user)
    if state is ApprovalState.APPROVED:
        employee = await get_employee(session, tenant_id, entry.employee_id)
        await _no_overlap(session, employee, entry.started_at, entry.ended_at, entry.id)
    entry.approval_state = state
    entry.decided_by = by_user
    entry.decided_at = now
    entry.decision_note = note
    entry.updated_at = now
    await session.flush()
    await session.refresh(entry)
    return entry
