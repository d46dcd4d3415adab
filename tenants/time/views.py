"""How clock events, time entries and the clock policy become the structs the API returns.

Lists are built in batched loads: a page of clock events arrives with each row's time
entry (`service.list_clock_events`, one statement), and `clock_event_views` opens every
row's sealed location in one query, never one per row.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from tenants.locations.service import OpenedLocation, open_locations
from tenants.settings.models import LocationMode
from tenants.settings.service import describe
from tenants.time.clocking import ClockStatus
from tenants.time.locks import LockOutcome, month_key
from tenants.time.models import PeriodLock, TimeEntry
from tenants.time.schemas import (
    ClockEventView,
    ClockPolicyView,
    DayTotalView,
    EmployeeTimesheetView,
    LocationView,
    LockOutcomeView,
    PeriodLockView,
    TimeEntryView,
    TimesheetView,
)
from tenants.time.service import ListedClockEvent
from tenants.time.timesheets import EmployeeSheet, Timesheet
from timeward.crypto.data_keys import DataKeys


def location_view(location: OpenedLocation) -> LocationView:
    coordinates = location.coordinates
    return LocationView(
        status=location.status,
        latitude=coordinates.latitude if coordinates else None,
        longitude=coordinates.longitude if coordinates else None,
        accuracy=coordinates.accuracy_m if coordinates else None,
        on_site=location.on_site,
        matched_site_id=location.matched_site_id,
    )


def clock_event_view(event: ListedClockEvent, location: OpenedLocation) -> ClockEventView:
    return ClockEventView(
        id=event.id,
        employee_id=event.employee_id,
        kind=event.kind,
        at=event.at,
        site_id=event.site_id,
        location_mode=event.location_mode,
        location=location_view(location),
        created_at=event.created_at,
        time_entry_id=event.time_entry_id,
    )


async def clock_event_views(
    session: AsyncSession, keys: DataKeys, tenant_id: UUID, events: Sequence[ListedClockEvent]
) -> list[ClockEventView]:
    opened = await open_locations(session, keys, tenant_id, events)
    return [clock_event_view(e, opened[e.id]) for e in events]


def time_entry_view(entry: TimeEntry) -> TimeEntryView:
    return TimeEntryView(
        id=entry.id,
        employee_id=entry.employee_id,
        site_id=entry.site_id,
        started_at=entry.started_at,
        ended_at=entry.ended_at,
        duration_seconds=entry.duration_seconds,
        source=entry.source,
        notes=entry.notes,
        approval_state=entry.approval_state,
        decided_by=entry.decided_by,
        decided_at=entry.decided_at,
        decision_note=entry.decision_note,
        clock_in_event_id=entry.clock_in_event_id,
        clock_out_event_id=entry.clock_out_event_id,
        created_by=entry.created_by,
        created_at=entry.created_at,
        updated_at=entry.updated_at,
        correction_note=entry.correction_note,
    )


def clock_policy_view(status: ClockStatus) -> ClockPolicyView:
    policy = status.policy
    precise = policy.mode is LocationMode.PRECISE
    return ClockPolicyView(
        location_mode=policy.mode,
        precise_location_days=policy.precise_days if precise else None,
        explanation=describe(policy),
        employee_record=status.employee_record,
        clocked_in=status.clocked_in_since is not None,
        clocked_in_since=status.clocked_in_since,
    )


def period_lock_view(lock: PeriodLock) -> PeriodLockView:
    return PeriodLockView(
        month=month_key(lock.month),
        locked=lock.locked,
        locked_at=lock.locked_at,
        locked_by=lock.locked_by,
        reopened_at=lock.reopened_at,
        reopened_by=lock.reopened_by,
        reopen_reason=lock.reopen_reason,
    )


def lock_outcome_view(outcome: LockOutcome) -> LockOutcomeView:
    return LockOutcomeView(period_lock_view(outcome.lock), outcome.pending_entries)


def _employee_sheet_view(sheet: EmployeeSheet, days: list[date]) -> EmployeeTimesheetView:
    employee = sheet.employee
    return EmployeeTimesheetView(
        employee_id=employee.id,
        name=employee.name,
        employee_number=employee.employee_number,
        days=[
            DayTotalView(
                day=on,
                seconds=(total := sheet.day(on)).seconds,
                approved_seconds=total.approved_seconds,
                pending_entries=total.pending_entries,
                rejected_entries=total.rejected_entries,
            )
            for on in days
        ],
        seconds=sheet.seconds,
        approved_seconds=sheet.approved_seconds,
        pending_entries=sheet.pending_entries,
        rejected_entries=sheet.rejected_entries,
    )


def timesheet_view(timesheet: Timesheet) -> TimesheetView:
    period = timesheet.period
    days = period.days
    return TimesheetView(
        kind=period.kind,
        start=period.first_day,
        end=period.end_day,
        time_zone=period.zone,
        employees=[_employee_sheet_view(sheet, days) for sheet in timesheet.sheets],
        locks=[period_lock_view(lock) for lock in timesheet.locks],
        seconds=timesheet.seconds,
        approved_seconds=timesheet.approved_seconds,
        pending_entries=timesheet.pending_entries,
    )
