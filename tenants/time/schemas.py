"""Clock events and time entries at the HTTP edge: request bodies and response structs
(no I/O)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from timeward.fields import UNSET, AwareDateTime, Body, Unset

Notes = Annotated[str, msgspec.Meta(max_length=2000)]


class LocationInput(msgspec.Struct, forbid_unknown_fields=True):
    """The device's position at this clock event; nothing else is accepted."""

    latitude: Annotated[float, msgspec.Meta(ge=-90, le=90, description="WGS 84 degrees")]
    longitude: Annotated[float, msgspec.Meta(ge=-180, le=180, description="WGS 84 degrees")]
    accuracy: Annotated[float, msgspec.Meta(ge=0, le=100_000, description="Metres")] | None = None


class ClockBody(Body, forbid_unknown_fields=True):
    site_id: UUID | None = None
    at: AwareDateTime | None = None  # default: now (set it when the device was offline)
    location: LocationInput | None = None


class LocationView(msgspec.Struct):
    status: str  # precise | geofence | reduced | not_collected | unavailable
    latitude: float | None
    longitude: float | None
    accuracy: float | None
    on_site: bool | None
    matched_site_id: UUID | None


class ClockEventView(msgspec.Struct):
    id: UUID
    employee_id: UUID
    kind: str
    at: datetime
    site_id: UUID | None
    location_mode: str
    location: LocationView
    created_at: datetime
    time_entry_id: UUID | None = None  # the entry this event's in/out pair became, if any


class ClockPolicyView(msgspec.Struct):
    location_mode: str
    precise_location_days: int | None
    explanation: str
    employee_record: bool
    clocked_in: bool
    clocked_in_since: datetime | None


class TimeEntryView(msgspec.Struct):
    id: UUID
    employee_id: UUID
    site_id: UUID | None
    started_at: datetime
    ended_at: datetime
    duration_seconds: int
    source: str
    notes: str | None
    approval_state: str
    decided_by: UUID | None
    decided_at: datetime | None
    decision_note: str | None
    clock_in_event_id: UUID | None
    clock_out_event_id: UUID | None
    created_by: UUID | None
    created_at: datetime
    updated_at: datetime
    correction_note: str | None = None  # why the last correction was made


class NewTimeEntry(Body, forbid_unknown_fields=True):
    employee_id: UUID
    started_at: AwareDateTime
    ended_at: AwareDateTime
    site_id: UUID | None = None
    notes: Notes | None = None


class TimeEntryChange(Body, forbid_unknown_fields=True):
    started_at: AwareDateTime | Unset = UNSET
    ended_at: AwareDateTime | Unset = UNSET
    site_id: UUID | Unset | None = UNSET
    notes: Notes | Unset | None = UNSET
    # Why: kept on the entry with the change (not a change by itself).
    correction_note: Notes | Unset | None = UNSET


class Decision(msgspec.Struct, forbid_unknown_fields=True):
    state: Literal["approved", "rejected"]
    note: Notes | None = None


class DayTotalView(msgspec.Struct):
    day: date
    seconds: int  # pending and approved (rejected entries add nothing)
    approved_seconds: int
    pending_entries: int
    rejected_entries: int


class EmployeeTimesheetView(msgspec.Struct):
    employee_id: UUID
    name: str
    employee_number: str | None
    days: list[DayTotalView]  # every day of the period, in order
    seconds: int
    approved_seconds: int
    pending_entries: int
    rejected_entries: int


class PeriodLockView(msgspec.Struct):
    month: str  # YYYY-MM
    locked: bool
    locked_at: datetime
    locked_by: UUID | None
    reopened_at: datetime | None
    reopened_by: UUID | None
    reopen_reason: str | None


class LockOutcomeView(msgspec.Struct):
    lock: PeriodLockView
    pending_entries: int  # still pending inside the month (not exported until decided)


class TimesheetView(msgspec.Struct):
    kind: str  # week | month
    start: date
    end: date  # exclusive
    time_zone: str  # the tenant's: where the period's days begin and end
    employees: list[EmployeeTimesheetView]
    locks: list[PeriodLockView]  # of the months the period touches
    seconds: int
    approved_seconds: int
    pending_entries: int


class ReopenBody(Body, forbid_unknown_fields=True):
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]
