"""Timesheet periods (weeks, months, their parsing) and the payroll cells (hours as
decimals and h:mm, formula-safe text), without a database."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from tenants.time.payroll import decimal_hours, hours_minutes, safe_text, to_csv, to_xlsx
from tenants.time.periods import Period, PeriodKind, month_of, parse_month, requested_period
from timeward.errors import InvalidInput


def test_weeks_and_months() -> None:
    week = Period.week_of(date(2026, 12, 4))  # a Friday
    assert (week.first_day, week.end_day, week.key) == (
        date(2026, 11, 30),
        date(2026, 12, 7),
        "2026-11-30",
    )
    assert week.months == [date(2026, 11, 1), date(2026, 12, 1)]  # it spans two months
    assert week.previous().key == "2026-11-23" and week.following().key == "2026-12-07"
    december = Period.month_of(date(2026, 12, 31))
    assert december.key == "2026-12" and len(december.days) == 31
    assert december.following().key == "2027-01" and december.previous().key == "2026-11"
    assert december.range.start == datetime(2026, 12, 1, tzinfo=UTC)
    assert december.range.end == datetime(2027, 1, 1, tzinfo=UTC)
    assert month_of(datetime(2026, 11, 30, 23, 30, tzinfo=UTC)) == date(2026, 11, 1)


def test_periods_are_cut_at_midnight_in_the_tenants_zone() -> None:
    november = Period.month_of(date(2026, 11, 1), "Europe/Berlin")
    assert november.range.start == datetime(2026, 10, 31, 23, tzinfo=UTC)
    assert november.range.end == datetime(2026, 11, 30, 23, tzinfo=UTC)
    assert november.following().zone == "Europe/Berlin"
    night = datetime(2026, 12, 1, 4, 30, tzinfo=UTC)  # 23:30 on the 30th in Toronto
    assert month_of(night, "America/Toronto") == date(2026, 11, 1)
    assert Period.week_of(date(2026, 11, 30), "America/Toronto").day_of(night) == date(2026, 11, 30)
    assert month_of(night) == date(2026, 12, 1)  # in UTC it is December


@pytest.mark.parametrize(
    ("monday", "hours"),
    [(date(2026, 3, 23), 167), (date(2026, 10, 19), 169), (date(2026, 11, 2), 168)],
)
def test_a_week_with_a_clock_change_is_an_hour_shorter_or_longer(monday: date, hours: int) -> None:
    span = Period.week_of(monday, "Europe/Berlin").range
    assert span.end - span.start == timedelta(hours=hours)


@pytest.mark.parametrize(
    ("week", "month", "kind", "first"),
    [
        (None, None, PeriodKind.WEEK, date(2026, 11, 30)),
        ("2026-11-02", None, PeriodKind.WEEK, date(2026, 11, 2)),
        (None, "2024-02", PeriodKind.MONTH, date(2024, 2, 1)),
    ],
)
def test_the_period_a_query_names(
    week: str | None, month: str | None, kind: PeriodKind, first: date
) -> None:
    period = requested_period(week, month, date(2026, 12, 4))
    assert (period.kind, period.first_day) == (kind, first)


@pytest.mark.parametrize(
    ("week", "month", "field"),
    [
        ("2026-11-03", None, "week"),  # a Tuesday
        ("2026-11-2", None, "week"),
        ("next week", None, "week"),
        (None, "2026-13", "month"),
        (None, "26-11", "month"),
        (None, "0001-01", "month"),  # outside the instants the API accepts
        ("2026-11-02", "2026-11", "month"),  # both
    ],
)
def test_a_bad_period_names_its_parameter(week: str | None, month: str | None, field: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        requested_period(week, month, date(2026, 12, 4))
    assert refused.value.extra["errors"][0]["key"] == field
    assert refused.value.status_code == 422
    if field == "week":  # the value is quoted back (the pages show it)
        assert f"not '{week}'" in refused.value.extra["errors"][0]["message"]


def test_parse_month_names_the_field_it_was_given() -> None:
    assert parse_month("2026-02", "month", "path") == date(2026, 2, 1)
    with pytest.raises(InvalidInput) as refused:
        parse_month("Feb", "month", "path")
    assert refused.value.extra["errors"][0]["source"] == "path"


@pytest.mark.parametrize(
    ("seconds", "decimal", "hmm"),
    [(0, "0.00", "0:00"), (29, "0.01", "0:00"), (30, "0.01", "0:01"), (29220, "8.12", "8:07"),
     (29700, "8.25", "8:15"), (88920, "24.70", "24:42"), (3599, "1.00", "1:00")],
)  # fmt: skip
def test_hours_as_decimals_and_as_hours_and_minutes(seconds: int, decimal: str, hmm: str) -> None:
    assert decimal_hours(seconds) == Decimal(decimal)
    assert hours_minutes(seconds) == hmm


@pytest.mark.parametrize("text", ["=1+1", "+49 30 1", "-E100", "@SUM(A1)", "\tx", "\rx"])
def test_formula_starts_are_escaped(text: str) -> None:
    assert safe_text(text) == "'" + text


@pytest.mark.parametrize("text", ["Anna", "E-100", "", "'=already", "1=1"])
def test_other_text_is_left_alone(text: str) -> None:
    assert safe_text(text) == text


def test_the_files_carry_no_formula() -> None:
    header = ("employee_name", "hours_decimal")
    rows: list[list[str | int | Decimal | None]] = [["=cmd|' /C calc'!A0", Decimal("1.50")]]
    (read,) = list(csv.reader(io.StringIO(to_csv(header, rows).decode("utf-8-sig"))))[1:]
    assert read == ["'=cmd|' /C calc'!A0", "1.50"]
    workbook = load_workbook(io.BytesIO(to_xlsx("Entries", header, rows, rows)))
    cell = workbook["Entries"]["A2"]
    assert (cell.value, cell.data_type) == ("'=cmd|' /C calc'!A0", "s")
    assert workbook["Entries"]["B2"].value == 1.5
