"""Timesheets: a week or a month of time, per employee and day, for the team or one person.

Totals are summed in SQL (one grouped query per sheet, never one per employee or day);
rejected entries are counted but add no hours. Day = the day the entry starts on in the
tenant's time zone, the period's (docs/workforce.md, "Days, weeks and months in the
tenant's zone").
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from uuid import UUID

from sqlalchemy import Date, cast, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from tenants.employees.models import Employee, EmployeeStatus
from tenants.employees.service import get_employee
from tenants.time.locks import list_locks
from tenants.time.models import ApprovalState, PeriodLock, TimeEntry
from tenants.time.periods import Period, month_of
from tenants.time.service import EntryFilter, list_time_entries
from timeward.paging import PageRequest

MAX_ENTRIES_SHOWN = 200  # one person's entries in a month: about 25 working days


@dataclass
class DayTotal:
    seconds: int = 0  # pending and approved
    approved_seconds: int = 0
    pending_entries: int = 0
    rejected_entries: int = 0


@dataclass
class EmployeeSheet:
    employee: Employee
    days: dict[date, DayTotal] = field(default_factory=dict)

    def day(self, day: date) -> DayTotal:
        return self.days.get(day) or DayTotal()

    @property
    def seconds(self) -> int:
        return sum(total.seconds for total in self.days.values())

    @property
    def approved_seconds(self) -> int:
        return sum(total.approved_seconds for total in self.days.values())

    @property
    def pending_entries(self) -> int:
        return sum(total.pending_entries for total in self.days.values())

    @property
    def rejected_entries(self) -> int:
        return sum(total.rejected_entries for total in self.days.values())


@dataclass
class Timesheet:
    period: Period
    sheets: list[EmployeeSheet]
    locks: list[PeriodLock]  # lock rows of the months the period touches
    entries: list[TimeEntry] = field(default_factory=list)  # one employee's sheet only

    @property
    def closed_months(self) -> list[date]:
        return [lock.month for lock in self.locks if lock.locked]

    def is_closed(self, entry: TimeEntry) -> bool:
        """Whether the entry starts in a month closed for payroll (in the tenant's zone)."""
        return month_of(entry.started_at, self.period.zone) in self.closed_months

    @property
    def seconds(self) -> int:
        return sum(sheet.seconds for sheet in self.sheets)

    @property
    def approved_seconds(self) -> int:
        return sum(sheet.approved_seconds for sheet in self.sheets)

    @property
    def pending_entries(self) -> int:
        return sum(sheet.pending_entries for sheet in self.sheets)


async def _day_totals(
    session: AsyncSession, tenant_id: UUID, period: Period, employee_id: UUID | None
) -> dict[UUID, dict[date, DayTotal]]:
    span = period.range
    # started_at AT TIME ZONE '<zone>': the local wall time, whose date is the local day.
    day = cast(func.timezone(period.zone, TimeEntry.started_at), Date)
    statement = (
        select(
            TimeEntry.employee_id,
            day,
            TimeEntry.approval_state,
            func.count(),
            func.coalesce(func.sum(TimeEntry.duration_seconds), 0),
        )
        .where(
            TimeEntry.tenant_id == tenant_id,
            TimeEntry.started_at >= span.start,
            TimeEntry.started_at < span.end,
        )
        .group_by(TimeEntry.employee_id, day, TimeEntry.approval_state)
    )
    if employee_id is not None:
        statement = statement.where(TimeEntry.employee_id == employee_id)
    totals: dict[UUID, dict[date, DayTotal]] = defaultdict(dict)
    for employee, on, state, count, seconds in (await session.execute(statement)).all():
        total = totals[employee].setdefault(on, DayTotal())
        if state == ApprovalState.REJECTED:
            total.rejected_entries += count
            continue
        total.seconds += seconds
        if state == ApprovalState.APPROVED:
            total.approved_seconds += seconds
        else:
            total.pending_entries += count
    return totals


async def team_timesheet(session: AsyncSession, tenant_id: UUID, period: Period) -> Timesheet:
    """Every active employee, and anyone who left but has time in the period, by name."""
    totals = await _day_totals(session, tenant_id, period, None)
    statement = select(Employee).where(Employee.tenant_id == tenant_id)
    condition = Employee.status == EmployeeStatus.ACTIVE
    if totals:
        condition = or_(condition, Employee.id.in_(list(totals)))
    employees = await session.scalars(statement.where(condition).order_by(Employee.name))
    sheets = [EmployeeSheet(e, totals.get(e.id, {})) for e in employees.all()]
    return Timesheet(period, sheets, await list_locks(session, tenant_id, period.months))


async def employee_timesheet(
    session: AsyncSession, tenant_id: UUID, employee_id: UUID, period: Period
) -> Timesheet:
    """One employee's sheet with its entries (oldest first); another tenant's id is a 404."""
    employee = await get_employee(session, tenant_id, employee_id)
    totals = await _day_totals(session, tenant_id, period, employee.id)
    entries = await list_time_entries(
        session,
        tenant_id,
        PageRequest(limit=MAX_ENTRIES_SHOWN),
        EntryFilter(employee.id, period.range),
    )
    return Timesheet(
        period,
        [EmployeeSheet(employee, totals.get(employee.id, {}))],
        await list_locks(session, tenant_id, period.months),
        sorted(entries, key=lambda entry: entry.started_at),
    )
