"""Business-day arithmetic on the public-holiday calendars of the ``holidays`` library.

A business day is a Monday to Friday that is not a public holiday (the library's
default *public* category, including its observed/substitute days) of the country
and, when given, the subdivision. ``country`` is an ISO 3166-1 alpha-2 code
(``"DE"``, ``"GB"``, ``"US"``); ``subdivision`` is the library's code within it
(``"BY"``, ``"BE"``, ``"ENG"``, ``"CA"``). Without a subdivision only the holidays
common to the whole country count.

Counting convention (EU Regulation 1182/71, Art. 3(1)): the day of the event is
never counted. Day 1 is the first business day *after* the local date of the event,
whatever the time of day: received on Friday at 15:00 (or at 08:00), day 1 is the
next Monday that is not a holiday. The result is a local date; see
:mod:`timeward.deadlines.moments` for when that day ends.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, tzinfo
from functools import cache, lru_cache
from typing import Any

import holidays

from timeward.deadlines.errors import UnsupportedCalendar
from timeward.deadlines.moments import ONE_DAY, local_date

SATURDAY = 5


def _country_holidays(country: str, subdivision: str | None, year: int | None) -> Any:
    try:
        return holidays.country_holidays(country, subdiv=subdivision, years=year)
    except NotImplementedError as error:
        where = country if subdivision is None else f"{country}-{subdivision}"
        raise UnsupportedCalendar(
            f"No public-holiday calendar is available for {where!r}; use an ISO country code "
            "and a subdivision code the holidays library supports."
        ) from error


@cache
def check_jurisdiction(country: str, subdivision: str | None = None) -> None:
    """Raise :class:`UnsupportedCalendar` unless the calendar exists."""
    _country_holidays(country, subdivision, None)


@cache
def public_holidays(country: str, subdivision: str | None, year: int) -> frozenset[date]:
    """The public holidays falling in ``year`` (built once per key, then cached).

    A frozen set rather than the library's object: the cached value cannot grow or
    change when it is queried for another year.
    """
    calendar = _country_holidays(country, subdivision, year)
    return frozenset(day for day in calendar if day.year == year)


def is_business_day(day: date, country: str, subdivision: str | None = None) -> bool:
    """Monday to Friday and not a public holiday of the country/subdivision."""
    return day.weekday() < SATURDAY and day not in public_holidays(country, subdivision, day.year)


def _days_after(first: date, last: date) -> Iterator[date]:
    """The days ``first < day <= last``."""
    day = first + ONE_DAY
    while day <= last:
        yield day
        day += ONE_DAY


def add_business_days(
    start: datetime | date,
    n: int,
    country: str,
    subdivision: str | None = None,
    *,
    tz: tzinfo | None = None,
) -> date:
    """The local date of the ``n``-th business day after ``start``.

    ``start`` counts on its local date (converted to ``tz`` when it is a datetime;
    see :func:`~timeward.deadlines.moments.local_date`) and is never day 1 itself.
    ``n = 0`` returns that local date unchanged. Holidays of the following years are
    used as the count crosses a year end.
    """
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    day = local_date(start, tz)
    remaining = n
    while remaining:
        day += ONE_DAY
        if is_business_day(day, country, subdivision):
            remaining -= 1
    return day


def business_days_between(
    a: datetime | date,
    b: datetime | date,
    country: str,
    subdivision: str | None = None,
    *,
    tz: tzinfo | None = None,
) -> int:
    """Business days ``d`` with ``a < d <= b`` (local dates); negative when ``b`` is before ``a``.

    The inverse of :func:`add_business_days`:
    ``business_days_between(s, add_business_days(s, n, ...), ...) == n``.
    From "now" to a due date it is the number of business days left after today:
    0 on the due day itself.
    """
    first, last = local_date(a, tz), local_date(b, tz)
    if last < first:
        return -_business_days_after(last, first, country, subdivision)
    return _business_days_after(first, last, country, subdivision)


@lru_cache(maxsize=65_536)
def _business_days_after(first: date, last: date, country: str, subdivision: str | None) -> int:
    """Cached: a deadline sweep asks the same (today, due, calendar) question thousands of
    times (bench/deadline_sweep.py: 2.2 s → see docs/performance.md)."""
    return sum(1 for day in _days_after(first, last) if is_business_day(day, country, subdivision))


def business_days_left(
    due: date,
    now: datetime | date,
    country: str,
    subdivision: str | None = None,
    *,
    tz: tzinfo | None = None,
) -> int:
    """Business days left after today until ``due``: 0 on the due day, negative once past.

    Before and on the due day this is :func:`business_days_between` (``now``, ``due``).
    After it, minus the business days elapsed since, and at least -1 even on a weekend
    right after the due day, so that the result is negative exactly when overdue.
    """
    today = local_date(now, tz)
    left = business_days_between(today, due, country, subdivision)
    return min(left, -1) if today > due else left


def last_business_day_on_or_before(day: date, country: str, subdivision: str | None = None) -> date:
    """``day`` if it is a business day, else the latest business day before it."""
    while not is_business_day(day, country, subdivision):
        day -= ONE_DAY
    return day
