"""Timesheet periods: a week (Monday to Monday) or a calendar month, as plain values.

Periods are cut in the tenant's time zone (docs/workforce.md, "Days, weeks and months
in the tenant's zone"): a day is the local calendar day (23 or 25 hours when the clocks
change), and an entry belongs to the day, period and month its start falls in there.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from timeward import clock
from timeward.errors import InvalidInput
from timeward.paging import DateRange

WEEK = timedelta(days=7)
MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")
FIRST_YEAR, LAST_YEAR = 1900, 2999  # the instants every body and query accepts


class PeriodKind(enum.StrEnum):
    WEEK = "week"
    MONTH = "month"


def midnight(day: date, zone: str = "UTC") -> datetime:
    """The instant ``day`` begins in ``zone`` (where the clocks skip midnight, the instant
    they skip from)."""
    return datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def local_day(instant: datetime, zone: str = "UTC") -> date:
    """The calendar day an instant falls on in ``zone``."""
    return instant.astimezone(ZoneInfo(zone)).date()


def today(zone: str) -> date:
    return local_day(clock.now(), zone)


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(first: date) -> date:
    return date(first.year + (first.month == 12), first.month % 12 + 1, 1)


def month_of(instant: datetime, zone: str = "UTC") -> date:
    """The first day of the month an instant falls in, in ``zone``."""
    return month_start(local_day(instant, zone))


@dataclass(frozen=True)
class Period:
    kind: PeriodKind
    first_day: date  # a Monday for a week, the 1st for a month
    end_day: date  # exclusive
    zone: str = "UTC"  # the tenant's: where its days begin and end

    @classmethod
    def week_of(cls, day: date, zone: str = "UTC") -> Period:
        monday = day - timedelta(days=day.weekday())
        return cls(PeriodKind.WEEK, monday, monday + WEEK, zone)

    @classmethod
    def month_of(cls, day: date, zone: str = "UTC") -> Period:
        first = month_start(day)
        return cls(PeriodKind.MONTH, first, next_month(first), zone)

    @property
    def key(self) -> str:
        """How the period is named in URLs: ``2026-11-02`` (a week) or ``2026-11`` (a month)."""
        if self.kind is PeriodKind.MONTH:
            return self.first_day.strftime("%Y-%m")
        return self.first_day.isoformat()

    @property
    def days(self) -> list[date]:
        return [
            self.first_day + timedelta(days=n) for n in range((self.end_day - self.first_day).days)
        ]

    @property
    def range(self) -> DateRange:
        """From the first day's local midnight to the end day's (one week need not be
        168 hours: the clocks may change inside it)."""
        return DateRange(midnight(self.first_day, self.zone), midnight(self.end_day, self.zone))

    def day_of(self, instant: datetime) -> date:
        """The local day an instant (an entry's start) counts on."""
        return local_day(instant, self.zone)

    @property
    def months(self) -> list[date]:
        """The first day of every month the period touches."""
        months, first = [], month_start(self.first_day)
        while first < self.end_day:
            months.append(first)
            first = next_month(first)
        return months

    def previous(self) -> Period:
        if self.kind is PeriodKind.WEEK:
            return Period.week_of(self.first_day - WEEK, self.zone)
        return Period.month_of(self.first_day - timedelta(days=1), self.zone)

    def following(self) -> Period:
        if self.kind is PeriodKind.WEEK:
            return Period.week_of(self.end_day, self.zone)
        return Period.month_of(self.end_day, self.zone)


def parse_month(value: str, field: str = "month", source: str = "query") -> date:
    """``YYYY-MM`` to the month's first day; anything else is a 422 naming the field."""
    found = MONTH_PATTERN.match(value)
    year, month = (int(found.group(1)), int(found.group(2))) if found else (0, 0)
    if not (FIRST_YEAR <= year <= LAST_YEAR and 1 <= month <= 12):
        raise InvalidInput.on_field(field, "expected a month written YYYY-MM", source)
    return date(year, month, 1)


def parse_week(value: str, field: str = "week", source: str = "query") -> date:
    """``YYYY-MM-DD`` naming a Monday; anything else is a 422 naming the field (the
    timesheets' ``?week=`` and the employee's own week on ``/my/time``)."""
    try:
        day = date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        day = None
    if day is None or day.weekday() != 0 or not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise InvalidInput.on_field(
            field, f"expected a Monday written YYYY-MM-DD, not '{value[:40]}'", source
        )
    return day


def requested_period(week: str | None, month: str | None, today: date, zone: str = "UTC") -> Period:
    """The period a query names by ``week`` or ``month`` (not both); neither: the week of
    ``today`` (the local date in ``zone``)."""
    if week is not None and month is not None:
        raise InvalidInput.on_field("month", "give either week or month, not both", "query")
    if month is not None:
        return Period.month_of(parse_month(month), zone)
    if week is not None:
        return Period.week_of(parse_week(week), zone)
    return Period.week_of(today, zone)
