"""Timesheets in the client's console: the team's and one employee's week or month, add,
correct, approve or reject entries with a note, close a month for payroll (and reopen it
with a reason), download the payroll export.

Pages are thin: each calls the service its API twin calls (`tenants.time.timesheets`,
`entries`, `locks`, `payroll`) under the same permission; a closed month, someone's own
entry or a restricted employee is refused by the service (an HTML page with the API's
status and words). Times typed into the forms are read in the tenant's time zone.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated, Any, Literal
from uuid import UUID
from zoneinfo import ZoneInfo

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from sqlalchemy.ext.asyncio import AsyncSession

from tenants.employees.service import get_employee
from tenants.sites.service import list_sites
from tenants.time import entries, locks, payroll, timesheets
from tenants.time import service as time_service
from tenants.time.models import ApprovalState, TimeEntry
from tenants.time.periods import (
    Period,
    PeriodKind,
    local_day,
    month_of,
    next_month,
    parse_month,
    today,
)
from tenants.time.timesheet_routes import (
    FormatQuery,
    MonthQuery,
    RowsQuery,
    WeekQuery,
    download,
    period_of,
)
from timeward.auth.actor import Actor
from timeward.authz.enforcer import PolicyEnforcer
from timeward.errors import InvalidInput
from timeward.paging import PageRequest
from timeward.web.dependencies import AppServices, CurrentActor, DbSession
from timeward.web.pages.layout import Form, Viewer, page, redirect, render, viewer_for

BASE = "/admin/timesheets"
Text = Annotated[str, msgspec.Meta(max_length=2000)]
DateText = Annotated[str, msgspec.Meta(max_length=10)]
TimeText = Annotated[str, msgspec.Meta(max_length=8)]


class EntryForm(msgspec.Struct):
    """One entry's day and times as typed (the tenant's zone); an end at or before the
    start is on the next day (a night shift)."""

    day: DateText
    start: TimeText
    end: TimeText
    site_id: str = ""
    notes: Text = ""


class NewEntryForm(EntryForm):
    employee_id: str = ""


class CorrectionForm(EntryForm):
    correction_note: Text = ""  # why (the employee's own notes stay as they are)


class DecisionForm(msgspec.Struct):
    decision: Literal["approved", "rejected"]
    note: Text = ""


class ReopenForm(msgspec.Struct):
    reason: Text = ""


def _uuid(raw: str, field: str) -> UUID | None:
    if not raw:
        return None
    try:
        return UUID(raw)
    except ValueError as exc:
        raise InvalidInput.on_field(field, "unknown") from exc


def _span(form: EntryForm, zone: str) -> tuple[datetime, datetime]:
    try:
        on = date.fromisoformat(form.day)
    except ValueError as exc:
        raise InvalidInput.on_field("day", "expected a date (YYYY-MM-DD)") from exc
    try:
        start, end = time.fromisoformat(form.start), time.fromisoformat(form.end)
    except ValueError as exc:
        raise InvalidInput.on_field("start", "expected times written HH:MM") from exc
    tz = ZoneInfo(zone)
    started = datetime.combine(on, start, tzinfo=tz)
    ended = datetime.combine(on + timedelta(days=end <= start), end, tzinfo=tz)
    return started, ended


def _values(form: EntryForm, zone: str) -> dict[str, Any]:
    started_at, ended_at = _span(form, zone)
    return {
        "started_at": started_at,
        "ended_at": ended_at,
        "site_id": _uuid(form.site_id, "site_id"),
        "notes": form.notes.strip() or None,
    }


async def _zone(request: Request[Any, Any, Any], session: AsyncSession, actor: Actor) -> str:
    """The time zone the forms' times are typed in: the one the pages show times in."""
    viewer: Viewer = await viewer_for(request, session, actor)
    return viewer.time_zone


def _employee_page(entry: TimeEntry, zone: str) -> str:
    """The employee's sheet of the week (in the tenant's zone) the entry starts in."""
    week = Period.week_of(local_day(entry.started_at, zone)).key
    return f"{BASE}/employees/{entry.employee_id}?week={week}"


def _may(request: Request[Any, Any, Any], actor: Actor, resource: str, action: str) -> bool:
    """Whether to offer a form (the guard on its POST decides again)."""
    enforcer: PolicyEnforcer = request.app.state.enforcer
    return enforcer.allows(actor.role, actor.domain, resource, action)


def _period_links(period: Period, now: date) -> dict[str, str]:
    return {
        "previous": period.previous().key,
        "following": period.following().key,
        "this_week": Period.week_of(now).key,
        "this_month": Period.month_of(now).key,
        "param": "month" if period.kind is PeriodKind.MONTH else "week",
    }


async def _sheet_context(
    request: Request[Any, Any, Any], session: AsyncSession, actor: Actor, sheet: Any
) -> dict[str, Any]:
    """What both sheet pages show around their table: the period, its navigation, the
    closed months, and which forms this role is offered."""
    period: Period = sheet.period
    now = today(period.zone)
    closable = [m for m in period.months if next_month(m) <= now]
    return {
        "viewer": await viewer_for(request, session, actor),
        "sheet": sheet,
        "period": period,
        "links": _period_links(period, now),
        "closed": sheet.closed_months,
        "closable": closable,
        "may_lock": _may(request, actor, "period_locks", "lock"),
        "may_reopen": _may(request, actor, "period_locks", "reopen"),
        "may_export": _may(request, actor, "time_entries", "export"),
    }


class TimesheetPages(Controller):
    path = BASE

    @get("/", opt=page("time_entries", "read", personal_data=True), include_in_schema=False)
    async def team(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        session: DbSession,
        week: WeekQuery = None,
        month: MonthQuery = None,
    ) -> Response[Any]:
        tenant_id = actor.require_tenant()
        period = await period_of(session, tenant_id, week, month)
        sheet = await timesheets.team_timesheet(session, tenant_id, period)
        context = await _sheet_context(request, session, actor, sheet)
        return render(request, "admin/timesheets.html", **context)

    @get(
        "/employees/{employee_id:uuid}",
        opt=page("time_entries", "read", personal_data=True),
        include_in_schema=False,
    )
    async def employee(
        self,
        request: Request[Any, Any, Any],
        employee_id: FromPath[UUID],
        actor: CurrentActor,
        session: DbSession,
        week: WeekQuery = None,
        month: MonthQuery = None,
    ) -> Response[Any]:
        tenant_id = actor.require_tenant()
        period = await period_of(session, tenant_id, week, month)
        sheet = await timesheets.employee_timesheet(session, tenant_id, employee_id, period)
        context = await _sheet_context(request, session, actor, sheet)
        return render(
            request,
            "admin/timesheet_employee.html",
            **context,
            person=sheet.sheets[0].employee,
            sites=await list_sites(session, tenant_id, PageRequest(limit=200), True),
            may_add=_may(request, actor, "time_entries", "create"),
            may_decide=_may(request, actor, "time_entries", "approve"),
            may_correct=_may(request, actor, "time_entries", "update"),
        )

    @get(
        "/entries/{entry_id:uuid}",
        opt=page("time_entries", "read", personal_data=True),
        include_in_schema=False,
    )
    async def entry(
        self,
        request: Request[Any, Any, Any],
        entry_id: FromPath[UUID],
        actor: CurrentActor,
        session: DbSession,
    ) -> Response[Any]:
        tenant_id = actor.require_tenant()
        row = await time_service.get_time_entry(session, tenant_id, entry_id)
        closed = [lock.month for lock in await locks.list_locks(session, tenant_id) if lock.locked]
        viewer = await viewer_for(request, session, actor)
        return render(
            request,
            "admin/timesheet_entry.html",
            viewer=viewer,
            entry=row,
            person=await get_employee(session, tenant_id, row.employee_id),
            sites=await list_sites(session, tenant_id, PageRequest(limit=200), True),
            closed=month_of(row.started_at, viewer.time_zone) in closed,
            back=_employee_page(row, viewer.time_zone),
            may_decide=_may(request, actor, "time_entries", "approve"),
            may_correct=_may(request, actor, "time_entries", "update"),
        )

    @post("/entries", opt=page("time_entries", "create"), include_in_schema=False)
    async def add(
        self,
        data: Annotated[NewEntryForm, Form],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
        request: Request[Any, Any, Any],
    ) -> Response[Any]:
        zone = await _zone(request, session, actor)
        values = _values(data, zone)
        employee_id = _uuid(data.employee_id, "employee_id")
        created = await entries.create_manual_entry(
            session,
            services.audit,
            actor.require_tenant(),
            {**values, "employee_id": employee_id},
            actor.acting,
        )
        return redirect(_employee_page(created, zone), flash="entry_added")

    @post("/entries/{entry_id:uuid}", opt=page("time_entries", "update"), include_in_schema=False)
    async def correct(
        self,
        entry_id: FromPath[UUID],
        data: Annotated[CorrectionForm, Form],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
        request: Request[Any, Any, Any],
    ) -> Response[Any]:
        zone = await _zone(request, session, actor)
        changed = await entries.update_entry(
            session,
            services.audit,
            actor.require_tenant(),
            entry_id,
            {**_values(data, zone), "correction_note": data.correction_note.strip() or None},
            actor.acting,
        )
        return redirect(_employee_page(changed, zone), flash="entry_corrected")

    @post(
        "/entries/{entry_id:uuid}/decision",
        opt=page("time_entries", "approve"),
        include_in_schema=False,
    )
    async def decide(
        self,
        entry_id: FromPath[UUID],
        data: Annotated[DecisionForm, Form],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
        request: Request[Any, Any, Any],
    ) -> Response[Any]:
        state = ApprovalState(data.decision)
        decided = await entries.decide_entry(
            session,
            services.audit,
            actor.require_tenant(),
            entry_id,
            entries.EntryDecision(state, data.note.strip() or None),
            actor.acting,
        )
        zone = await _zone(request, session, actor)
        return redirect(_employee_page(decided, zone), flash=f"entry_{state}")

    @get(
        "/export",
        opt=page("time_entries", "export", personal_data=True),
        include_in_schema=False,
    )
    async def export(
        self,
        actor: CurrentActor,
        session: DbSession,
        week: WeekQuery = None,
        month: MonthQuery = None,
        export_format: FormatQuery = payroll.ExportFormat.CSV,
        rows: RowsQuery = payroll.RowsPer.ENTRY,
    ) -> Response[bytes]:
        tenant_id = actor.require_tenant()
        period = await period_of(session, tenant_id, week, month)
        return await download(session, tenant_id, period, rows, export_format)

    @post("/locks/{month:str}", opt=page("period_locks", "lock"), include_in_schema=False)
    async def lock(
        self, month: FromPath[str], actor: CurrentActor, session: DbSession, services: AppServices
    ) -> Response[Any]:
        first = parse_month(month, "month", "path")
        await locks.lock_month(session, services.audit, actor.require_tenant(), first, actor.acting)
        return redirect(f"{BASE}?month={month}", flash="month_locked")

    @post("/locks/{month:str}/reopen", opt=page("period_locks", "reopen"), include_in_schema=False)
    async def reopen(
        self,
        month: FromPath[str],
        data: Annotated[ReopenForm, Form],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> Response[Any]:
        first = parse_month(month, "month", "path")
        await locks.reopen_month(
            session, services.audit, actor.require_tenant(), first, data.reason, actor.acting
        )
        return redirect(f"{BASE}?month={month}", flash="month_reopened")
