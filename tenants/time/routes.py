"""Clock in/out (employees, for themselves), their own data under /me, and timesheets
(managers: list, enter, correct, approve).

Controllers only: parse, call the service (`clocking`, `entries`, `service` for reading),
return the view (`time.views`).
"""

from __future__ import annotations

from uuid import UUID

import msgspec
from litestar import Controller, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from tenants.employees.schemas import EmployeeView
from tenants.employees.service import employee_for_user
from tenants.employees.views import employee_view
from tenants.locations.service import Coordinates
from tenants.time import clocking, entries, service
from tenants.time.models import ApprovalState, ClockKind
from tenants.time.schemas import (
    ClockBody,
    ClockEventView,
    ClockPolicyView,
    Decision,
    NewTimeEntry,
    TimeEntryChange,
    TimeEntryView,
)
from tenants.time.views import (
    clock_event_view,
    clock_event_views,
    clock_policy_view,
    time_entry_view,
)
from timeward.auth.actor import Actor
from timeward.authz.guard import requires
from timeward.fields import given
from timeward.services import Services
from timeward.web.dependencies import AppServices, CurrentActor, DbSession
from timeward.web.pagination import Page, RequestedPage, RequestedPeriod, make_page


def _clock_request(data: ClockBody) -> clocking.ClockRequest:
    location = data.location
    coordinates = (
        Coordinates(location.latitude, location.longitude, location.accuracy)
        if location is not None
        else None
    )
    return clocking.ClockRequest(data.at, data.site_id, coordinates)


async def _clock(
    kind: ClockKind, data: ClockBody, actor: Actor, session: AsyncSession, services: Services
) -> ClockEventView:
    outcome = await clocking.clock_for_user(
        session,
        services.data_keys,
        actor.require_tenant(),
        actor.user_id,
        kind,
        _clock_request(data),
    )
    return clock_event_view(outcome.event, outcome.location)


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
        return await _clock(ClockKind.IN, data, actor, session, services)

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
        return await _clock(ClockKind.OUT, data, actor, session, services)


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
        status = await clocking.clock_status(session, actor.require_tenant(), actor.user_id)
        return clock_policy_view(status)

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
        rows = await service.list_time_entries(
            session,
            tenant_id,
            page,
            service.EntryFilter(employee.id, period, approval_state),
        )
        return make_page([time_entry_view(e) for e in rows], page)


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
            employee_id=await service.filter_employee(session, tenant_id, employee_id),
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
            await service.filter_employee(session, tenant_id, employee_id),
            period,
            approval_state,
        )
        rows = await service.list_time_entries(session, tenant_id, page, entry_filter)
        return make_page([time_entry_view(e) for e in rows], page)

    @post("/", opt=requires("time_entries", "create"), summary="Enter time for an employee")
    async def create_time_entry(
        self,
        data: JSONBody[NewTimeEntry],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> TimeEntryView:
        entry = await entries.create_manual_entry(
            session,
            services.audit,
            actor.require_tenant(),
            msgspec.structs.asdict(data),
            actor.acting,
        )
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
        entry = await entries.update_entry(
            session, services.audit, actor.require_tenant(), entry_id, given(data), actor.acting
        )
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
        entry = await entries.decide_entry(
            session,
            services.audit,
            actor.require_tenant(),
            entry_id,
            entries.EntryDecision(ApprovalState(data.state), data.note),
            actor.acting,
        )
        return time_entry_view(entry)
