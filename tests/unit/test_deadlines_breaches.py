"""Breach notices: 7 working days after discovery, in each client's calendar.

Expected dates are counted by hand on a calendar.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from timeward.deadlines import (
    TenantCalendar,
    breach_notice_due,
    breach_working_days_left,
    earliest_breach_notice_due,
)

BERLIN = ZoneInfo("Europe/Berlin")
UTC = ZoneInfo("UTC")
DE_BE = TenantCalendar("DE", "BE", "Europe/Berlin")
DE_BY = TenantCalendar("DE", "BY", "Europe/Berlin")
GB = TenantCalendar("GB", None, "Europe/London")
US = TenantCalendar("US", None, "America/New_York")
US_TX = TenantCalendar("US", "TX", "America/Chicago")


@pytest.mark.parametrize(
    ("discovered", "calendar", "expected"),
    [
        # Wed 23 Dec 2026: Dec 24 (1), Dec 28-31 (2-5), Jan 4-5 (6-7).
        (datetime(2026, 12, 23, 10, 0, tzinfo=BERLIN), DE_BE, date(2027, 1, 5)),
        (datetime(2026, 12, 23, 10, 0, tzinfo=BERLIN), DE_BY, date(2027, 1, 5)),
        # GB also closes on Mon 28 Dec (Boxing Day observed): Jan 6.
        (datetime(2026, 12, 23, 10, 0, tzinfo=UTC), GB, date(2027, 1, 6)),
        (datetime(2026, 12, 23, 10, 0, tzinfo=UTC), US, date(2027, 1, 5)),
        # Texas closes on Christmas Eve: Dec 28-31 (1-4), Jan 4-6 (5-7).
        (datetime(2026, 12, 23, 16, 0, tzinfo=UTC), US_TX, date(2027, 1, 6)),
        # Thu 24 Dec: Dec 28-31 (1-4), Jan 4-5 (5-6); Epiphany closes Bavaria on Jan 6.
        (date(2026, 12, 24), DE_BE, date(2027, 1, 6)),
        (date(2026, 12, 24), DE_BY, date(2027, 1, 7)),
        # Thu 23:30 UTC is Fri 00:30 in Berlin: Dec 21-24 (1-4), Dec 28-30 (5-7) ...
        (datetime(2026, 12, 17, 23, 30, tzinfo=UTC), DE_BE, date(2026, 12, 30)),
        # ... whereas a tenant on UTC counts from Thursday: Dec 18 (1), ..., Dec 29 (7).
        (
            datetime(2026, 12, 17, 23, 30, tzinfo=UTC),
            TenantCalendar("DE", "BE", "UTC"),
            date(2026, 12, 29),
        ),
    ],
)
def test_breach_notice_due(
    discovered: datetime | date, calendar: TenantCalendar, expected: date
) -> None:
    assert breach_notice_due(discovered, calendar) == expected


def test_the_incident_deadline_is_the_earliest_affected_client() -> None:
    discovered = datetime(2026, 12, 23, 10, 0, tzinfo=UTC)
    assert earliest_breach_notice_due(discovered, [GB, DE_BE, US_TX]) == date(2027, 1, 5)
    assert earliest_breach_notice_due(discovered, [GB, US_TX]) == date(2027, 1, 6)
    with pytest.raises(ValueError, match="at least one client"):
        earliest_breach_notice_due(discovered, [])


@pytest.mark.parametrize(
    ("discovered", "now", "expected"),
    [
        # Discovered Wed 23 Dec 2026, due Tue 5 Jan 2027.
        (date(2026, 12, 23), datetime(2026, 12, 23, 15, 0, tzinfo=BERLIN), 7),
        (date(2026, 12, 23), datetime(2026, 12, 28, 9, 0, tzinfo=BERLIN), 5),
        (date(2026, 12, 23), datetime(2027, 1, 2, 12, 0, tzinfo=BERLIN), 2),  # Saturday
        (date(2026, 12, 23), datetime(2027, 1, 5, 23, 59, tzinfo=BERLIN), 0),  # due today
        (date(2026, 12, 23), datetime(2027, 1, 6, 0, 0, tzinfo=BERLIN), -1),
        (date(2026, 12, 23), datetime(2027, 1, 9, 12, 0, tzinfo=BERLIN), -3),  # Jan 6-8 gone
        # Discovered Wed 6 Jan 2027, due Fri 15 Jan: overdue on the Saturday after.
        (date(2027, 1, 6), datetime(2027, 1, 15, 18, 0, tzinfo=BERLIN), 0),
        (date(2027, 1, 6), datetime(2027, 1, 16, 10, 0, tzinfo=BERLIN), -1),
        (date(2027, 1, 6), datetime(2027, 1, 18, 10, 0, tzinfo=BERLIN), -1),
        (date(2027, 1, 6), datetime(2027, 1, 19, 10, 0, tzinfo=BERLIN), -2),
    ],
)
def test_breach_working_days_left(discovered: date, now: datetime, expected: int) -> None:
    assert breach_working_days_left(discovered, now, DE_BE) == expected
