"""Timesheets (a week or a month, for the team or one employee), the payroll export, and
the period locks (months closed for payroll).

Controllers only: parse, call the services (`timesheets`, `payroll`, `locks`), return the
view. The admin console's pages (`timeward.web.pages.admin.timesheets`) call the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated
from uuid import UUID

from litestar import Controller, Response, get, post, put
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIResponse, Operation, Schema
from litestar.openapi.spec.enums import OpenAPIFormat, OpenAPIType
from litestar.params import FromPath, JSONBody, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from tenants.settings.regional import regional_settings
from tenants.time import locks, payroll, timesheets
from tenants.time.periods import Period, parse_month, requested_period, today
from tenants.time.schemas import LockOutcomeView, PeriodLockView, ReopenBody, TimesheetView
from tenants.time.views import lock_outcome_view, period_lock_view, timesheet_view
from timeward.authz.guard import requires
from timeward.web.dependencies import AppServices, CurrentActor, DbSession

WeekQuery = Annotated[
    str | None,
    QueryParameter(description="The week starting on this Monday (YYYY-MM-DD)", required=False),
]
MonthQuery = Annotated[
    str | None, QueryParameter(description="The calendar month (YYYY-MM)", required=False)
]
FormatQuery = Annotated[
    payroll.ExportFormat,
    QueryParameter(name="format", description="csv or xlsx", required=False),
]
RowsQuery = Annotated[
    payroll.RowsPer,
    QueryParameter(description="One row per entry, or per employee and day", required=False),
]


@dataclass
class ExportOperation(Operation):
    """The export's 200 is a file in either format (the framework documents one)."""

    def __post_init__(self) -> None:
        ok = self.responses and self.responses.get("200")
        if isinstance(ok, OpenAPIResponse):
            ok.description = "The file: CSV or XLSX, as `format` asks"
            ok.content = {
                media_type.split(";")[0]: OpenAPIMediaType(
                    schema=Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY)
                )
                for media_type in payroll.MEDIA_TYPES.values()
            }


async def period_of(
    session: AsyncSession, tenant_id: UUID, week: str | None, month: str | None
) -> Period:
    """The requested week or month in the tenant's time zone, this week (there) when
    neither is given."""
    zone = (await regional_settings(session, tenant_id)).time_zone
    return requested_period(week, month, today(zone), zone)


async def download(
    session: AsyncSession,
    tenant_id: UUID,
    period: Period,
    rows: payroll.RowsPer,
    export_format: payroll.ExportFormat,
) -> Response[bytes]:
    """The payroll export as a file download (the API's and the page's)."""
    export = await payroll.payroll_export(session, tenant_id, period, rows, export_format)
    return Response(
        export.content,
        media_type=export.media_type,
        headers={"Content-Disposition": f'attachment; filename="{export.filename}"'},
    )


class TimesheetsController(Controller):
    path = "/api/v1/timesheets"
    tags = ["time"]

    @get(
        "/",
        opt=requires("time_entries", "read", personal_data=True),
        summary="A week or month of time per employee and day (the team, or one employee)",
    )
    async def timesheet(
        self,
        actor: CurrentActor,
        session: DbSession,
        week: WeekQuery = None,
        month: MonthQuery = None,
        employee_id: Annotated[UUID | None, QueryParameter(required=False)] = None,
    ) -> TimesheetView:
        tenant_id = actor.require_tenant()
        period = await period_of(session, tenant_id, week, month)
        if employee_id is None:
            sheet = await timesheets.team_timesheet(session, tenant_id, period)
        else:
            sheet = await timesheets.employee_timesheet(session, tenant_id, employee_id, period)
        return timesheet_view(sheet)

    @get(
        "/export",
        opt=requires("time_entries", "export", personal_data=True),
        summary="Approved entries of a week or month for payroll, as CSV or XLSX",
        operation_class=ExportOperation,
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


class PeriodLocksController(Controller):
    path = "/api/v1/period-locks"
    tags = ["time"]

    @get("/", opt=requires("period_locks", "read"), summary="Months closed (or reopened)")
    async def list_locks(self, actor: CurrentActor, session: DbSession) -> list[PeriodLockView]:
        rows = await locks.list_locks(session, actor.require_tenant())
        return [period_lock_view(lock) for lock in rows]

    @put(
        "/{month:str}",
        opt=requires("period_locks", "lock"),
        summary="Close a month for payroll (YYYY-MM): no entry in it changes until reopened",
    )
    async def lock(
        self, month: FromPath[str], actor: CurrentActor, session: DbSession, services: AppServices
    ) -> LockOutcomeView:
        outcome = await locks.lock_month(
            session,
            services.audit,
            actor.require_tenant(),
            parse_month(month, "month", "path"),
            actor.acting,
        )
        return lock_outcome_view(outcome)

    @post(
        "/{month:str}/reopen",
        opt=requires("period_locks", "reopen"),
        summary="Reopen a closed month, with a reason (audited)",
    )
    async def reopen(
        self,
        month: FromPath[str],
        data: JSONBody[ReopenBody],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> PeriodLockView:
        lock = await locks.reopen_month(
            session,
            services.audit,
            actor.require_tenant(),
            parse_month(month, "month", "path"),
            data.reason,
            actor.acting,
        )
        return period_lock_view(lock)
