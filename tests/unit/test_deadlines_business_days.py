"""Business-day arithmetic on real public-holiday calendars.

Every expected date was counted by hand on a calendar; the comments give the count.
"""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from timeward.deadlines import (
    TenantCalendar,
    UnsupportedCalendar,
    add_business_days,
    business_days_between,
    business_days_left,
    due_moment,
    is_business_day,
    last_business_day_on_or_before,
)

BERLIN = ZoneInfo("Europe/Berlin")
UTC = ZoneInfo("UTC")


@pytest.mark.parametrize(
    ("start", "n", "country", "subdivision", "expected"),
    [
        # Friday before Christmas, 30 days. DE-BE: Dec 21-24 (1-4), 25/26 holidays,
        # Dec 28-31 (5-8), Jan 1 holiday, Jan 4-29 (9-28), Feb 1 (29), Feb 2 (30).
        (date(2026, 12, 18), 30, "DE", "BE", date(2027, 2, 2)),
        # DE-BY also closes on Epiphany, Wed 6 Jan 2027: one day later.
        (date(2026, 12, 18), 30, "DE", "BY", date(2027, 2, 3)),
        # GB: Boxing Day (Sat) is observed on Mon 28 Dec: Dec 21-24 (1-4),
        # Dec 29-31 (5-7), Jan 4-29 (8-27), Feb 1-3 (28-30).
        (date(2026, 12, 18), 30, "GB", None, date(2027, 2, 3)),
        # US: no 26 Dec holiday but Martin Luther King Day, Mon 18 Jan 2027.
        (date(2026, 12, 18), 30, "US", None, date(2027, 2, 3)),
        # Received Monday 21 Dec 2026, across the year end.
        # DE-BE: Dec 22-24 (1-3), Dec 28-31 (4-7), Jan 4-29 (8-27), Feb 1-3 (28-30).
        (date(2026, 12, 21), 30, "DE", "BE", date(2027, 2, 3)),
        (date(2026, 12, 21), 30, "DE", "BY", date(2027, 2, 4)),
        # GB: Dec 22-24 (1-3), Dec 29-31 (4-6), Jan 4-29 (7-26), Feb 1-4 (27-30).
        (date(2026, 12, 21), 30, "GB", None, date(2027, 2, 4)),
        # US: Dec 22-24 (1-3), Dec 28-31 (4-7), Jan 4-15 (8-17), MLK 18 Jan,
        # Jan 19-29 (18-26), Feb 1-4 (27-30).
        (date(2026, 12, 21), 30, "US", None, date(2027, 2, 4)),
        # Texas also closes on Christmas Eve, Dec 26 (a Saturday) and Confederate
        # Memorial Day (Tue 19 Jan 2027): Dec 22-23 (1-2), Dec 28-31 (3-6),
        # Jan 4-15 (7-16), Jan 20-29 (17-24), Feb 1-5 (25-29), Feb 8 (30).
        (date(2026, 12, 21), 30, "US", "TX", date(2027, 2, 8)),
        # Friday before Easter 2026 (Good Friday 3 Apr, Easter Monday 6 Apr, Labour Day
        # Fri 1 May in DE): Mar 30-Apr 2 (1-4), Apr 7-30 (5-22), May 4-13 (23-30).
        (date(2026, 3, 27), 30, "DE", None, date(2026, 5, 13)),
        # US has none of these: six full weeks, Mar 30 - May 8.
        (date(2026, 3, 27), 30, "US", None, date(2026, 5, 8)),
        # England has Easter Monday and May Day (Mon 4 May): May 13 as in DE.
        (date(2026, 3, 27), 30, "GB", "ENG", date(2026, 5, 13)),
        # GB without a subdivision only knows UK-wide holidays: no Easter Monday.
        (date(2026, 3, 27), 30, "GB", None, date(2026, 5, 12)),
        # Thursday before Good Friday: the next business day is Tuesday after Easter.
        (date(2026, 4, 2), 1, "DE", None, date(2026, 4, 7)),
        # Corpus Christi (Thu 4 Jun 2026) is a holiday in Bavaria, not in Berlin.
        (date(2026, 6, 3), 1, "DE", "BY", date(2026, 6, 5)),
        (date(2026, 6, 3), 1, "DE", "BE", date(2026, 6, 4)),
        # Day after Thanksgiving (Fri 27 Nov 2026) is a California holiday, not federal.
        (date(2026, 11, 25), 1, "US", None, date(2026, 11, 27)),
        (date(2026, 11, 25), 1, "US", "CA", date(2026, 11, 30)),
        # Cesar Chavez Day, Wed 31 Mar 2027, in California.
        (date(2027, 3, 30), 1, "US", "CA", date(2027, 4, 1)),
        (date(2027, 3, 30), 1, "US", None, date(2027, 3, 31)),
        # New Year's Day 2028 is a Saturday; the US observes it on Fri 31 Dec 2027,
        # a holiday of the next year falling in this one.
        (date(2027, 12, 30), 1, "US", None, date(2028, 1, 3)),
        # New Year's Eve 2026 (Thu) to Mon 4 Jan 2027: Jan 1 holiday, then a weekend.
        (date(2026, 12, 31), 1, "DE", None, date(2027, 1, 4)),
        # Leap day: Mon 28 Feb 2028 -> Tue 29 Feb 2028.
        (date(2028, 2, 28), 1, "DE", None, date(2028, 2, 29)),
        # Received on a Saturday: day 1 is Monday.
        (date(2026, 12, 19), 1, "DE", "BE", date(2026, 12, 21)),
        # n = 0 is the day of receipt itself.
        (date(2026, 12, 19), 0, "DE", "BE", date(2026, 12, 19)),
    ],
)
def test_add_business_days(
    start: date, n: int, country: str, subdivision: str | None, expected: date
) -> None:
    assert add_business_days(start, n, country, subdivision) == expected


@pytest.mark.parametrize(
    ("received", "tz", "expected"),
    [
        # Friday 15:00 in Berlin: the time of day does not matter, day 1 is Monday.
        (datetime(2026, 12, 18, 15, 0, tzinfo=BERLIN), BERLIN, date(2026, 12, 21)),
        # Also at 08:00 on a business day: the day of receipt never counts.
        (datetime(2026, 12, 18, 8, 0, tzinfo=BERLIN), BERLIN, date(2026, 12, 21)),
        # Thu 23:30 UTC is already Friday 00:30 in Berlin: day 1 is Monday there ...
        (datetime(2026, 12, 17, 23, 30, tzinfo=UTC), BERLIN, date(2026, 12, 21)),
        # ... but Friday when counted in UTC.
        (datetime(2026, 12, 17, 23, 30, tzinfo=UTC), UTC, date(2026, 12, 18)),
        # Without tz, a datetime counts in its own zone.
        (datetime(2026, 12, 17, 23, 30, tzinfo=UTC), None, date(2026, 12, 18)),
    ],
)
def test_receipt_counts_on_its_local_date(
    received: datetime, tz: ZoneInfo | None, expected: date
) -> None:
    assert add_business_days(received, 1, "DE", "BE", tz=tz) == expected


def test_naive_datetime_is_refused() -> None:
    with pytest.raises(ValueError, match="naive datetime"):
        add_business_days(datetime(2026, 12, 18, 15, 0), 1, "DE")


def test_negative_count_is_refused() -> None:
    with pytest.raises(ValueError, match="n must be >= 0"):
        add_business_days(date(2026, 12, 18), -1, "DE")


@pytest.mark.parametrize(
    ("a", "b", "country", "subdivision", "expected"),
    [
        (date(2026, 12, 18), date(2026, 12, 21), "DE", None, 1),  # Fri -> Mon
        (date(2026, 12, 18), date(2026, 12, 18), "DE", None, 0),
        (date(2026, 12, 21), date(2026, 12, 18), "DE", None, -1),  # reversed
        # Thu 24 Dec -> Mon 28 Dec: only the Monday in DE, nothing in GB (Boxing Day
        # observed).
        (date(2026, 12, 24), date(2026, 12, 28), "DE", None, 1),
        (date(2026, 12, 24), date(2026, 12, 28), "GB", None, 0),
        (date(2026, 12, 18), date(2027, 2, 2), "DE", "BE", 30),
        (date(2026, 12, 18), date(2027, 2, 2), "DE", "BY", 29),
    ],
)
def test_business_days_between(
    a: date, b: date, country: str, subdivision: str | None, expected: int
) -> None:
    assert business_days_between(a, b, country, subdivision) == expected


@pytest.mark.parametrize(
    ("due", "today", "expected"),
    [
        (date(2027, 1, 8), date(2027, 1, 4), 4),  # Mon: Tue-Fri left
        (date(2027, 1, 8), date(2027, 1, 8), 0),  # the due day itself
        (date(2027, 1, 8), date(2027, 1, 9), -1),  # Saturday right after: overdue
        (date(2027, 1, 8), date(2027, 1, 10), -1),
        (date(2027, 1, 8), date(2027, 1, 12), -2),  # Mon and Tue have passed
        (date(2027, 1, 11), date(2027, 1, 9), 1),  # Saturday before a Monday due
    ],
)
def test_business_days_left(due: date, today: date, expected: int) -> None:
    assert business_days_left(due, today, "DE", "BE") == expected


@pytest.mark.parametrize(
    ("day", "country", "subdivision", "expected"),
    [
        (date(2027, 1, 6), "DE", "BY", False),  # Epiphany
        (date(2027, 1, 6), "DE", "BE", True),
        (date(2027, 3, 8), "DE", "BE", False),  # Women's Day, Berlin only
        (date(2027, 3, 8), "DE", "BY", True),
        (date(2027, 1, 9), "DE", None, False),  # Saturday
        (date(2027, 12, 31), "US", None, False),  # New Year's Day 2028 observed
    ],
)
def test_is_business_day(day: date, country: str, subdivision: str | None, expected: bool) -> None:
    assert is_business_day(day, country, subdivision) is expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 12, 22), date(2026, 12, 22)),  # already a business day
        (date(2026, 12, 27), date(2026, 12, 24)),  # Sun <- Sat <- Boxing Day <- Christmas
        (date(2027, 1, 3), date(2026, 12, 31)),  # across the year end, past New Year
    ],
)
def test_last_business_day_on_or_before(day: date, expected: date) -> None:
    assert last_business_day_on_or_before(day, "DE", "BE") == expected


@pytest.mark.parametrize(
    ("country", "subdivision", "timezone"),
    [("XX", None, "UTC"), ("DE", "ZZ", "UTC"), ("de", None, "UTC"), ("DE", "BE", "Mars/Base")],
)
def test_unknown_calendar_is_refused(country: str, subdivision: str | None, timezone: str) -> None:
    with pytest.raises(UnsupportedCalendar) as error:
        TenantCalendar(country, subdivision, timezone)
    assert error.value.message


def test_tenant_calendar_counts_in_its_timezone() -> None:
    berlin = TenantCalendar("DE", "BE", "Europe/Berlin")
    received = datetime(2026, 12, 17, 23, 30, tzinfo=UTC)  # Fri 00:30 in Berlin
    assert berlin.local_date(received) == date(2026, 12, 18)
    assert berlin.add_business_days(received, 30) == date(2027, 2, 2)
    assert berlin.business_days_between(received, date(2027, 2, 2)) == 30


@pytest.mark.parametrize(
    ("due", "expected_utc"),
    [
        (date(2027, 2, 28), datetime(2027, 2, 28, 23, 0, tzinfo=UTC)),  # CET, UTC+1
        # Summer time starts Sun 28 Mar 2027 at 02:00: midnight before it is still CET,
        (date(2027, 3, 27), datetime(2027, 3, 27, 23, 0, tzinfo=UTC)),
        # the midnight after it is CEST, UTC+2.
        (date(2027, 3, 28), datetime(2027, 3, 28, 22, 0, tzinfo=UTC)),
    ],
)
def test_a_due_day_ends_at_local_midnight(due: date, expected_utc: datetime) -> None:
    end = due_moment(due, BERLIN)
    assert end == expected_utc
    assert end.astimezone(BERLIN).time() == time(0, 0)
