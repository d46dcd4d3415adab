"""Clocking in and out.

Clock events of one employee are serialised by locking the employee's row, so
two simultaneous clock-ins cannot both succeed. A clock out closes the open
clock in and turns the pair into a pending time entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple, cast
from uuid import UUID

from sqlalchemy import Table, bindparam, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from tenants.employees.models import Employee, EmployeeStatus
from tenants.employees.service import EMPLOYEE_RECORD, employee_for_user, ensure_writable
from tenants.locations.service import Coordinates, OpenedLocation, capture
from tenants.settings.models import TenantSettings
from tenants.settings.service import LocationPolicy, location_policy, policy_of, within_limit
from tenants.sites.service import referenced_site
from tenants.time.models import (
    CLOCK_EVENTS,
    TIME_ENTRIES,
    ApprovalState,
    ClockKind,
    EntrySource,
    LocationStatus,
)
from tenants.time.service import ListedClockEvent, not_in_future
from timeward import clock
from timeward.crypto.data_keys import DataKeys
from timeward.db.base import new_id
from timeward.errors import Conflict, InvalidInput, NotFound

MAX_CLOCK_BACKDATE = timedelta(hours=24)


@dataclass(frozen=True)
class ClockRequest:
    at: datetime | None = None
    site_id: UUID | None = None
    location: Coordinates | None = None


@dataclass(frozen=True)
class ClockOutcome:
    event: ListedClockEvent  # its ``time_entry_id``: the entry a clock out closed
    location: OpenedLocation


@dataclass(frozen=True)
class ClockStatus:
    """What an employee is told before clocking: the location policy, and their state."""

    policy: LocationPolicy
    employee_record: bool  # False: the account is linked to no employee record
    clocked_in_since: datetime | None


# Core statements, built once: a clock step's statements cost more to build and to load
# through the ORM than to run (docs/performance.md, "List and clock routes, quiet-machine
# round").
_EMPLOYEES = cast(Table, Employee.__table__)
_SETTINGS = cast(Table, TenantSettings.__table__)
_EVENTS, _ENTRIES = CLOCK_EVENTS, TIME_ENTRIES


class ClockingEmployee(NamedTuple):
    """The employee record clocking locks, and the tenant's location settings read with it."""

    id: UUID
    status: str
    processing_restricted: bool
    location_limit: str | None
    location_mode: str | None  # the tenant's settings: null without a settings row
    precise_location_days: int | None
    policy_updated_at: datetime | None

    def location_policy(self) -> LocationPolicy:
        """The tenant's policy, within the employee's own limit."""
        policy = policy_of(self.location_mode, self.precise_location_days, self.policy_updated_at)
        return within_limit(policy, self.location_limit)


_LOCK_EMPLOYEE = (
    select(
        *(_EMPLOYEES.c[name] for name in ClockingEmployee._fields[:4]),  # employees' columns
        _SETTINGS.c.location_mode,
        _SETTINGS.c.precise_location_days,
        _SETTINGS.c.updated_at,
    )
    .select_from(_EMPLOYEES.outerjoin(_SETTINGS, _SETTINGS.c.tenant_id == _EMPLOYEES.c.tenant_id))
    .where(
        _EMPLOYEES.c.tenant_id == bindparam("tenant_id"),
        _EMPLOYEES.c.user_id == bindparam("user_id"),
    )
    .with_for_update(of=_EMPLOYEES)
)


class LastClockEvent(NamedTuple):
    id: UUID
    kind: str
    at: datetime
    site_id: UUID | None
    matched_site_id: UUID | None


_LAST_EVENT = (
    select(*(_EVENTS.c[name] for name in LastClockEvent._fields))
    .where(
        _EVENTS.c.tenant_id == bindparam("tenant_id"),
        _EVENTS.c.employee_id == bindparam("employee_id"),
    )
    .order_by(_EVENTS.c.at.desc(), _EVENTS.c.created_at.desc())
    .limit(1)
)
_INSERT_EVENT = insert(_EVENTS).returning(_EVENTS.c.created_at)
_INSERT_ENTRY = insert(_ENTRIES)


async def locked_employee_for_user(
    session: AsyncSession, tenant_id: UUID, user_id: UUID
) -> ClockingEmployee:
    """The caller's own employee record, row-locked (it serialises their clock events), with
    the tenant's location settings, in one statement; 404 when the account has none."""
    row = (
        await session.execute(_LOCK_EMPLOYEE, {"tenant_id": tenant_id, "user_id": user_id})
    ).first()
    if row is None:
        raise NotFound(EMPLOYEE_RECORD)
    return ClockingEmployee._make(row)


async def last_clock_event(
    session: AsyncSession, tenant_id: UUID, employee_id: UUID
) -> LastClockEvent | None:
    parameters = {"tenant_id": tenant_id, "employee_id": employee_id}
    row = (await session.execute(_LAST_EVENT, parameters)).first()
    return LastClockEvent._make(row) if row is not None else None


def _check_order(kind: ClockKind, at: datetime, last: LastClockEvent | None) -> None:
    if kind is ClockKind.IN and last is not None and last.kind == ClockKind.IN:
        raise Conflict(
            f"You are already clocked in (since {last.at.isoformat()}): clock out first.",
            reason="already_clocked_in",
        )
    if kind is ClockKind.OUT and (last is None or last.kind == ClockKind.OUT):
        raise Conflict("You are not clocked in: clock in first.", reason="not_clocked_in")
    if last is not None and at < last.at:
        raise InvalidInput.on_field("at", "is earlier than your previous clock event")


async def _insert_entry(
    session: AsyncSession,
    tenant_id: UUID,
    employee_id: UUID,
    clock_in: LastClockEvent,
    clock_out: ListedClockEvent,
    by_user: UUID | None,
) -> UUID:
    """The pending time entry a clock out makes of the in/out pair."""
    entry_id = new_id()
    await session.execute(
        _INSERT_ENTRY,
        {
            "tenant_id": tenant_id,
            "id": entry_id,
            "employee_id": employee_id,
            "site_id": clock_in.site_id or clock_in.matched_site_id,
            "started_at": clock_in.at,
            "ended_at": clock_out.at,
            "source": EntrySource.CLOCK,
            "clock_in_event_id": clock_in.id,
            "clock_out_event_id": clock_out.id,
            "approval_state": ApprovalState.PENDING,
            "created_by": by_user,
        },
    )
    return entry_id


async def record_clock_event(
    session: AsyncSession,
    keys: DataKeys,
    tenant_id: UUID,
    employee: ClockingEmployee,
    kind: ClockKind,
    request: ClockRequest,
    *,
    now: datetime,
    by_user: UUID | None,
) -> ClockOutcome:
    """Record a clock in or out for an employee whose row the caller has locked."""
    ensure_writable(employee, "your")
    if kind is ClockKind.IN and employee.status == EmployeeStatus.LEFT:
        raise Conflict("Your employee record is marked as having left: you cannot clock in.")
    at = (request.at or now).astimezone(UTC)
    not_in_future(at, now, "at")
    if at < now - MAX_CLOCK_BACKDATE:
        raise InvalidInput.on_field(
            "at", "is more than 24 hours in the past; ask a manager to enter this time"
        )
    last = await last_clock_event(session, tenant_id, employee.id)
    _check_order(kind, at, last)
    site_id = request.site_id
    if site_id is not None:
        await referenced_site(session, tenant_id, site_id)
    elif kind is ClockKind.OUT and last is not None:
        site_id = last.site_id
    event_id = new_id()
    policy = employee.location_policy()
    captured = await capture(session, keys, tenant_id, event_id, policy, request.location, site_id)
    values: dict[str, Any] = {
        "id": event_id,
        "employee_id": employee.id,
        "kind": kind,
        "at": at,
        "site_id": site_id,
        "location_mode": captured.mode,
        "location_status": captured.status,
        "on_site": captured.on_site,
        "matched_site_id": captured.matched_site_id,
        "location_sealed": captured.sealed,
        "location_key_id": captured.key_id,
    }
    inserted = await session.execute(_INSERT_EVENT, {"tenant_id": tenant_id, **values})
    event = ListedClockEvent(**values, created_at=inserted.scalar_one(), time_entry_id=None)
    if kind is ClockKind.OUT and last is not None:
        entry_id = await _insert_entry(session, tenant_id, employee.id, last, event, by_user)
        event = event._replace(time_entry_id=entry_id)
    shown = request.location if captured.status is LocationStatus.PRECISE else None
    location = OpenedLocation(captured.status, shown, captured.on_site, captured.matched_site_id)
    return ClockOutcome(event, location)


async def clock_for_user(
    session: AsyncSession,
    keys: DataKeys,
    tenant_id: UUID,
    user_id: UUID,
    kind: ClockKind,
    request: ClockRequest,
) -> ClockOutcome:
    """The signed-in person clocks in or out, on the employee record of their account."""
    employee = await locked_employee_for_user(session, tenant_id, user_id)
    return await record_clock_event(
        session, keys, tenant_id, employee, kind, request, now=clock.now(), by_user=user_id
    )


async def clock_status(session: AsyncSession, tenant_id: UUID, user_id: UUID) -> ClockStatus:
    policy = await location_policy(session, tenant_id)
    try:
        employee = await employee_for_user(session, tenant_id, user_id)
    except NotFound:
        return ClockStatus(policy, employee_record=False, clocked_in_since=None)
    last = await last_clock_event(session, tenant_id, employee.id)
    since = last.at if last is not None and last.kind == ClockKind.IN else None
    policy = within_limit(policy, employee.location_limit)
    return ClockStatus(policy, employee_record=True, clocked_in_since=since)
