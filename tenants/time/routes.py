"""Clock in/out (employees, for themselves), their own data under /me, and timesheets
(managers: list, enter, correct, approve)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec
from litestar import Controller, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from tenants.employees.routes import EmployeeView, employee_view
from tenants.employees.service import employee_for_user, get_employee
from tenants.locations.service import Coordinates, OpenedLocation, open_locations
from tenants.settings.models import LocationMode
from tenants.settings.service import describe, location_policy
from tenants.time import service
from tenants.time.models import ApprovalState, ClockEvent, ClockKind, TimeEntry
from timeward import clock
from timeward.audit.log import AuditEntry
from timeward.auth.actor import Actor
from timeward.authz.guard import requires
from timeward.crypto.data_keys import DataKeys
from timeward.errors import NotFound
from timeward.services import Services
from timeward.web.dependencies import AppServices, CurrentActor, DbSession
from timeward.web.pagination import (
    Page,
    RequestedPage,
    RequestedPeriod,
    make_page,
)
from timeward.web.schemas import UNSET, AwareDateTime, Body, Unset, given

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


def clock_event_view(
    event: ClockEvent, location: OpenedLocation, entry_id: UUID | None = None
) -> ClockEventView:
    return ClockEventView(
        id=event.id,
        employee_id=event.employee_id,
        kind=event.kind,
        at=event.at,
        site_id=event.site_id,
        location_mode=event.location_mode,
        location=location_view(location),
        created_at=event.created_at,
        time_entry_id=entry_id,
    )


async def clock_event_views(
    session: AsyncSession, keys: DataKeys, tenant_id: UUID, events: Sequence[ClockEvent]
) -> list[ClockEventView]:
    opened = await open_locations(session, keys, tenant_id, events)
    entries = await service.entries_of_events(session, tenant_id, events)
    return [clock_event_view(e, opened[e.id], entries.get(e.id)) for e in events]


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
    )


def _coordinates(location: LocationInput | None) -> Coordinates | None:
    if location is None:
        return None
    return Coordinates(location.latitude, location.longitude, location.accuracy)


async def _clock(
    kind: ClockKind, data: ClockBody, actor: Actor, session: AsyncSession, keys: DataKeys
) -> ClockEventView:
    tenant_id = actor.require_tenant()
    employee = await employee_for_user(session, tenant_id, actor.user_id, lock=True)
    outcome = await service.clock(
        session,
        keys,
        employee,
        kind,
        service.ClockRequest(data.at, data.site_id, _coordinates(data.location)),
        now=clock.now(),
        by_user=actor.user_id,
    )
    entry_id = outcome.entry.id if outcome.entry else None
    return clock_event_view(outcome.event, outcome.location, entry_id)


class ClockController(Controller):
    path = "/api/v1/clock"
    tags = ["clock"]

    @post(
        "/in",
        opt=requires("clock", "create"),
        summary="Clock in (the location, if your employer uses one, is captured now, once)",
    )
    async def clock_in(
        self,
        data: JSONBody[ClockBody],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> ClockEventView:
        return await _clock(ClockKind.IN, data, actor, session, services.data_keys)

    @post(
        "/out",
        opt=requires("clock", "create"),
        summary="Clock out; the in/out pair becomes a pending time entry",
    )
    async def clock_out(
        self,
        data: JSONBody[ClockBody],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> ClockEventView:
        return await _clock(ClockKind.OUT, data, actor, session, services.data_keys)


class MyTimeController(Controller):
    """The employee's own workforce data; nothing here takes another person's id."""

    path = "/api/v1/me"
    tags = ["me"]

    @get("/employee", opt=requires("me_time", "read"), summary="Your employee record")
    async def my_employee(self, actor: CurrentActor, session: DbSession) -> EmployeeView:
        employee = await employee_for_user(session, actor.require_tenant(), actor.user_id)
        return employee_view(employee, with_contact=True)

    @get(
        "/clock-policy",
        opt=requires("me_time", "read"),
        summary="How your location is handled when you clock in and out, and whether you are "
        "clocked in",
    )
    async def clock_policy(self, actor: CurrentActor, session: DbSession) -> ClockPolicyView:
        tenant_id = actor.require_tenant()
        policy = await location_policy(session, tenant_id)
        since = None
        linked = True
        try:
            employee = await employee_for_user(session, tenant_id, actor.user_id)
        except NotFound:
            linked = False
        else:
            last = await service.last_clock_event(session, tenant_id, employee.id)
            since = last.at if last is not None and last.kind == ClockKind.IN else None
        precise = policy.mode is LocationMode.PRECISE
        return ClockPolicyView(
            location_mode=policy.mode,
            precise_location_days=policy.precise_days if precise else None,
            explanation=describe(policy),
            employee_record=linked,
            clocked_in=since is not None,
            clocked_in_since=since,
        )

    @get("/clock-events", opt=requires("me_time", "read"), summary="Your clock events")
    async def my_clock_events(
        self,
        actor: CurrentActor,
        session: DbSession,
        period: RequestedPeriod,
        page: RequestedPage,
        services: AppServices,
    ) -> Page[ClockEventView]:
        tenant_id = actor.require_tenant()
        employee = await employee_for_user(session, tenant_id, actor.user_id)
        events = await service.list_clock_events(
            session, tenant_id, page, employee_id=employee.id, period=period
        )
        views = await clock_event_views(session, services.data_keys, tenant_id, events)
        return make_page(views, page)

    @get("/time-entries", opt=requires("me_time", "read"), summary="Your time entries")
    async def my_time_entries(
        self,
        actor: CurrentActor,
        session: DbSession,
        period: RequestedPeriod,
        page: RequestedPage,
        approval_state: FromQuery[ApprovalState | None] = None,
    ) -> Page[TimeEntryView]:
        tenant_id = actor.require_tenant()
        employee = await employee_for_user(session, tenant_id, actor.user_id)
        entries = await service.list_time_entries(
            session,
            tenant_id,
            page,
            service.EntryFilter(employee.id, period, approval_state),
        )
        return make_page([time_entry_view(e) for e in entries], page)


async def _filter_employee(
    session: AsyncSession, tenant_id: UUID, employee_id: UUID | None
) -> UUID | None:
    """An employee named in a filter must be the tenant's (else 404, like a path id)."""
    if employee_id is not None:
        await get_employee(session, tenant_id, employee_id)
    return employee_id


class ClockEventsController(Controller):
    path = "/api/v1/clock-events"
    tags = ["time"]

    @get(
        "/",
        opt=requires("clock_events", "read", personal_data=True),
        summary="Clock events, with locations",
    )
    async def list_clock_events(
        self,
        actor: CurrentActor,
        session: DbSession,
        period: RequestedPeriod,
        page: RequestedPage,
        services: AppServices,
        employee_id: FromQuery[UUID | None] = None,
    ) -> Page[ClockEventView]:
        tenant_id = actor.require_tenant()
        events = await service.list_clock_events(
            session,
            tenant_id,
            page,
            employee_id=await _filter_employee(session, tenant_id, employee_id),
            period=period,
        )
        views = await clock_event_views(session, services.data_keys, tenant_id, events)
        return make_page(views, page)


class TimeEntriesController(Controller):
    path = "/api/v1/time-entries"
    tags = ["time"]

    @get(
        "/",
        opt=requires("time_entries", "read", personal_data=True),
        summary="Time entries (timesheets)",
    )
    async def list_time_entries(
        self,
        actor: CurrentActor,
        session: DbSession,
        period: RequestedPeriod,
        page: RequestedPage,
        employee_id: FromQuery[UUID | None] = None,
        approval_state: FromQuery[ApprovalState | None] = None,
    ) -> Page[TimeEntryView]:
        tenant_id = actor.require_tenant()
        entry_filter = service.EntryFilter(
            await _filter_employee(session, tenant_id, employee_id),
            period,
            approval_state,
        )
        entries = await service.list_time_entries(session, tenant_id, page, entry_filter)
        return make_page([time_entry_view(e) for e in entries], page)

    @post("/", opt=requires("time_entries", "create"), summary="Enter time for an employee")
    async def create_time_entry(
        self,
        data: JSONBody[NewTimeEntry],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> TimeEntryView:
        tenant_id = actor.require_tenant()
        entry = await service.create_manual_entry(
            session,
            tenant_id,
            msgspec.structs.asdict(data),
            by_user=actor.user_id,
            now=clock.now(),
        )
        await _audit(services, session, actor, "time_entry.created", entry)
        return time_entry_view(entry)

    @get(
        "/{entry_id:uuid}",
        opt=requires("time_entries", "read", personal_data=True),
        summary="One time entry",
    )
    async def get_time_entry(
        self, entry_id: FromPath[UUID], actor: CurrentActor, session: DbSession
    ) -> TimeEntryView:
        entry = await service.get_time_entry(session, actor.require_tenant(), entry_id)
        return time_entry_view(entry)

    @patch(
        "/{entry_id:uuid}",
        opt=requires("time_entries", "update"),
        summary="Correct a time entry (a decided entry goes back to pending)",
    )
    async def change_time_entry(
        self,
        entry_id: FromPath[UUID],
        data: JSONBody[TimeEntryChange],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> TimeEntryView:
        entry, changed = await service.update_entry(
            session,
            actor.require_tenant(),
            entry_id,
            given(data),
            by_user=actor.user_id,
            now=clock.now(),
        )
        if changed:
            await _audit(services, session, actor, "time_entry.updated", entry, changed)
        return time_entry_view(entry)

    @post(
        "/{entry_id:uuid}/approval",
        opt=requires("time_entries", "approve"),
        summary="Approve or reject a time entry (not your own)",
    )
    async def decide_time_entry(
        self,
        entry_id: FromPath[UUID],
        data: JSONBody[Decision],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> TimeEntryView:
        entry = await service.decide_entry(
            session,
            actor.require_tenant(),
            entry_id,
            ApprovalState(data.state),
            data.note,
            by_user=actor.user_id,
            now=clock.now(),
        )
        await _audit(services, session, actor, f"time_entry.{data.state}", entry)
        return time_entry_view(entry)


async def _audit(
    services: Services,
    session: AsyncSession,
    actor: Actor,
    action: str,
    entry: TimeEntry,
    fields: list[str] | None = None,
) -> None:
    details: dict[str, object] = {"time_entry_id": str(entry.id)}
    if fields:
        details["fields"] = fields
    await services.audit.append(
        session,
        actor.require_tenant(),
        AuditEntry(
            action, actor.user_id, actor.role, "employee", entry.employee_id, details=details
        ),
    )
