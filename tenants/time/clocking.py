"""Clocking in and out.

Clock events of one employee are serialised by locking the employee's row, so
two simultaneous clock-ins cannot both succeed. A clock out closes the open
clock in and turns the pair into a pending time entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tenants.employees.models import Employee, EmployeeStatus
from tenants.employees.service import employee_for_user, ensure_writable
from tenants.locations.service import Coordinates, OpenedLocation, capture
from tenants.settings.service import (
    LocationPolicy,
    employee_location_policy,
    location_policy,
    within_limit,
)
from tenants.sites.service import referenced_site
from tenants.time.models import (
    ApprovalState,
    ClockEvent,
    ClockKind,
    EntrySource,
    LocationStatus,
    TimeEntry,
)
from tenants.time.service import not_in_future
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
    event: ClockEvent
    location: OpenedLocation
    entry: TimeEntry | None


@dataclass(frozen=True)
class ClockStatus:
    """What an employee is told before clocking: the location policy, and their state."""

    policy: LocationPolicy
    employee_record: bool  # False: the account is linked to no employee record
    clocked_in_since: datetime | None


async def last_clock_event(
    session: AsyncSession, tenant_id: UUID, employee_id: UUID
) -> ClockEvent | None:
    return await session.scalar(
        select(ClockEvent)
        .where(ClockEvent.tenant_id == tenant_id, ClockEvent.employee_id == employee_id)
        .order_by(ClockEvent.at.desc(), ClockEvent.created_at.desc())
        .limit(1)
    )


async def record_clock_event(
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
    not_in_future(at, now, "at")
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
    policy = await employee_location_policy(session, tenant_id, employee.location_limit)
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


async def clock_for_user(
    session: AsyncSession,
    keys: DataKeys,
    tenant_id: UUID,
    user_id: UUID,
    kind: ClockKind,
    request: ClockRequest,
) -> ClockOutcome:
    """The signed-in person clocks in or out, on the employee record of their account."""
    employee = await employee_for_user(session, tenant_id, user_id, lock=True)
    return await record_clock_event(
        session, keys, employee, kind, request, now=clock.now(), by_user=user_id
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
