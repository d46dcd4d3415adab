"""Clock events and time entries at the HTTP edge: request bodies and response structs
(no I/O)."""

from __future__ import annotations

from datetime import datetime
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


class Decision(msgspec.Struct, forbid_unknown_fields=True):
    state: Literal["approved", "rejected"]
    note: Notes | None = None
