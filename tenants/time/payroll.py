"""The payroll export: approved time entries of a period as CSV or XLSX, one row per entry
or per employee and day, hours as decimals and as h:mm.

Text cells that a spreadsheet would read as a formula (starting with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return) are written with a leading apostrophe, in both
formats. Format: docs/workforce.md, "Payroll export".
"""

from __future__ import annotations

import csv
import enum
import io
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from uuid import UUID

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tenants.employees.models import Employee
from tenants.sites.models import JobSite
from tenants.time.models import ApprovalState, TimeEntry
from tenants.time.periods import Period

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CENT = Decimal("0.01")


class RowsPer(enum.StrEnum):
    ENTRY = "entry"
    DAY = "day"


class ExportFormat(enum.StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


MEDIA_TYPES = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
ENTRY_COLUMNS = (
    "employee_number",
    "employee_name",
    "date",
    "start_utc",
    "end_utc",
    "hours_decimal",
    "hours_hmm",
    "site",
    "source",
    "entry_id",
)
DAY_COLUMNS = ("employee_number", "employee_name", "date", "entries", "hours_decimal", "hours_hmm")
TOTAL_COLUMNS = ("employee_number", "employee_name", "days", "hours_decimal", "hours_hmm")


def safe_text(value: str) -> str:
    """A text cell no spreadsheet runs as a formula."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def decimal_hours(seconds: int) -> Decimal:
    return (Decimal(seconds) / 3600).quantize(CENT, rounding=ROUND_HALF_UP)


def hours_minutes(seconds: int) -> str:
    minutes = (seconds + 30) // 60
    return f"{minutes // 60}:{minutes % 60:02d}"


Cell = str | int | Decimal | None


@dataclass(frozen=True)
class Approved:
    entry: TimeEntry
    employee: Employee
    site: str


@dataclass(frozen=True)
class PayrollExport:
    filename: str
    media_type: str
    content: bytes
    rows: int


async def approved_entries(
    session: AsyncSession, tenant_id: UUID, period: Period
) -> list[Approved]:
    """Approved entries starting in the period (its days in the tenant's zone), by
    employee name, then start."""
    span = period.range
    rows = await session.execute(
        select(TimeEntry, Employee, JobSite.name)
        .join(
            Employee,
            (Employee.tenant_id == TimeEntry.tenant_id) & (Employee.id == TimeEntry.employee_id),
        )
        .outerjoin(
            JobSite, (JobSite.tenant_id == TimeEntry.tenant_id) & (JobSite.id == TimeEntry.site_id)
        )
        .where(
            TimeEntry.tenant_id == tenant_id,
            TimeEntry.approval_state == ApprovalState.APPROVED,
            TimeEntry.started_at >= span.start,
            TimeEntry.started_at < span.end,
        )
        .order_by(Employee.name, Employee.id, TimeEntry.started_at, TimeEntry.id)
    )
    return [Approved(entry, employee, site or "") for entry, employee, site in rows.all()]


def _who(employee: Employee) -> list[Cell]:
    return [employee.employee_number or "", employee.name]


def entry_rows(approved: list[Approved], period: Period) -> list[list[Cell]]:
    """``date`` is the local day the entry starts on (the timesheet's day); the times are
    UTC, as their columns say."""
    rows: list[list[Cell]] = []
    for item in approved:
        entry = item.entry
        start, end = entry.started_at.astimezone(UTC), entry.ended_at.astimezone(UTC)
        rows.append(
            [
                *_who(item.employee),
                period.day_of(entry.started_at).isoformat(),
                start.strftime("%H:%M"),
                end.strftime("%H:%M"),
                decimal_hours(entry.duration_seconds),
                hours_minutes(entry.duration_seconds),
                item.site,
                entry.source,
                str(entry.id),
            ]
        )
    return rows


def _by_employee_day(
    approved: list[Approved], period: Period
) -> dict[tuple[UUID, date], list[Approved]]:
    days: dict[tuple[UUID, date], list[Approved]] = defaultdict(list)
    for item in approved:
        days[(item.employee.id, period.day_of(item.entry.started_at))].append(item)
    return days  # insertion order: by employee, then day (the query's order)


def day_rows(approved: list[Approved], period: Period) -> list[list[Cell]]:
    rows: list[list[Cell]] = []
    for (_, on), items in _by_employee_day(approved, period).items():
        seconds = sum(item.entry.duration_seconds for item in items)
        rows.append(
            [
                *_who(items[0].employee),
                on.isoformat(),
                len(items),
                decimal_hours(seconds),
                hours_minutes(seconds),
            ]
        )
    return rows


def total_rows(approved: list[Approved], period: Period) -> list[list[Cell]]:
    """Per employee: days worked and hours (summed in seconds, rounded once)."""
    seconds: dict[UUID, int] = defaultdict(int)
    days: dict[UUID, set[date]] = defaultdict(set)
    people: dict[UUID, Employee] = {}
    for item in approved:
        who = item.employee.id
        people[who] = item.employee
        seconds[who] += item.entry.duration_seconds
        days[who].add(period.day_of(item.entry.started_at))
    rows: list[list[Cell]] = [
        [*_who(people[who]), len(days[who]), decimal_hours(total), hours_minutes(total)]
        for who, total in seconds.items()
    ]
    everyone = sum(seconds.values())
    rows.append([None, "Total", None, decimal_hours(everyone), hours_minutes(everyone)])
    return rows


def to_csv(header: tuple[str, ...], rows: list[list[Cell]]) -> bytes:
    """RFC 4180 CSV, comma-separated, decimal point, UTF-8 with a byte-order mark (so
    spreadsheet programs read names with umlauts correctly)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([safe_text(c) if isinstance(c, str) else c for c in row] for row in rows)
    return ("\ufeff" + out.getvalue()).encode()


def _xlsx_cell(sheet: Any, value: Cell, *, bold: bool = False) -> Any:
    """A write-only cell: text always typed as a string (never a formula), decimal hours
    as a number shown with two decimals."""
    if isinstance(value, Decimal):
        cell = WriteOnlyCell(sheet, value=float(value))
        cell.number_format = "0.00"
        return cell
    cell = WriteOnlyCell(sheet, value=safe_text(value) if isinstance(value, str) else value)
    if isinstance(value, str):
        cell.data_type = "s"
    if bold:
        cell.font = Font(bold=True)
    return cell


def _sheet(workbook: Workbook, title: str, header: tuple[str, ...], rows: list[list[Cell]]) -> None:
    sheet = workbook.create_sheet(title)
    sheet.freeze_panes = "A2"
    sheet.append([_xlsx_cell(sheet, name, bold=True) for name in header])
    for row in rows:
        sheet.append([_xlsx_cell(sheet, value) for value in row])


def to_xlsx(
    title: str, header: tuple[str, ...], rows: list[list[Cell]], totals: list[list[Cell]]
) -> bytes:
    """Written in openpyxl's write-only mode (streamed rows: about four times faster)."""
    workbook = Workbook(write_only=True)
    _sheet(workbook, title, header, rows)
    _sheet(workbook, "Totals", TOTAL_COLUMNS, totals)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


async def payroll_export(
    session: AsyncSession,
    tenant_id: UUID,
    period: Period,
    rows_per: RowsPer,
    export_format: ExportFormat,
) -> PayrollExport:
    approved = await approved_entries(session, tenant_id, period)
    header: tuple[str, ...]
    if rows_per is RowsPer.ENTRY:
        header, rows, title = ENTRY_COLUMNS, entry_rows(approved, period), "Entries"
    else:
        header, rows, title = DAY_COLUMNS, day_rows(approved, period), "Days"
    if export_format is ExportFormat.CSV:
        content = to_csv(header, rows)
    else:
        content = to_xlsx(title, header, rows, total_rows(approved, period))
    filename = f"timesheets-{period.key}-per-{rows_per}.{export_format}"
    return PayrollExport(filename, MEDIA_TYPES[export_format], content, len(rows))
