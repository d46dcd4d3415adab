"""Client instructions to the processor: due date and escalation.

Expected dates are counted by hand on a calendar.
"""

from __future__ import annotations

import tomllib
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from timeward.deadlines import (
    Escalation,
    TenantCalendar,
    instruction_due,
    instruction_escalation,
    parse_policy,
)
from timeward.deadlines.rules import POLICY_FILE

BERLIN = ZoneInfo("Europe/Berlin")
UTC = ZoneInfo("UTC")
DE_BE = TenantCalendar("DE", "BE", "Europe/Berlin")
DE_BY = TenantCalendar("DE", "BY", "Europe/Berlin")
DE = TenantCalendar("DE", None, "Europe/Berlin")
GB = TenantCalendar("GB", None, "Europe/London")
US = TenantCalendar("US", None, "America/New_York")


@pytest.mark.parametrize(
    ("received", "calendar", "expected"),
    [
        # Friday 18 Dec 2026, 15:00 local, before the Christmas holidays.
        (datetime(2026, 12, 18, 15, 0, tzinfo=BERLIN), DE_BE, date(2027, 2, 2)),
        (datetime(2026, 12, 18, 15, 0, tzinfo=BERLIN), DE_BY, date(2027, 2, 3)),  # Epiphany
        (datetime(2026, 12, 18, 15, 0, tzinfo=UTC), GB, date(2027, 2, 3)),
        (datetime(2026, 12, 18, 10, 0, tzinfo=UTC), US, date(2027, 2, 3)),
        # Monday 21 Dec 2026: DE-BE vs GB vs US across the year end.
        (date(2026, 12, 21), DE_BE, date(2027, 2, 3)),
        (date(2026, 12, 21), GB, date(2027, 2, 4)),
        (date(2026, 12, 21), US, date(2027, 2, 4)),
        # Friday before Good Friday: DE loses Good Friday, Easter Monday, 1 May.
        (date(2026, 3, 27), DE, date(2026, 5, 13)),
        (date(2026, 3, 27), US, date(2026, 5, 8)),
    ],
)
def test_instruction_is_due_30_business_days_after_receipt(
    received: datetime | date, calendar: TenantCalendar, expected: date
) -> None:
    assert instruction_due(received, calendar) == expected


@pytest.mark.parametrize(
    ("received", "calendar", "subject_request_due", "expected"),
    [
        # Request due Sun 28 Feb 2027. Unlinked, the instruction of Mon 1 Feb would be
        # due Tue 16 Mar in Berlin (Women's Day, Mon 8 Mar, is skipped); the buffer of
        # 5 days makes it Tue 23 Feb.
        (date(2027, 2, 1), DE_BE, date(2027, 2, 28), date(2027, 2, 23)),
        (date(2027, 2, 1), DE_BY, date(2027, 2, 28), date(2027, 2, 23)),
        # Request due Thu 4 Feb 2027: 5 days before is Sat 30 Jan -> Fri 29 Jan.
        (date(2027, 1, 6), DE_BE, date(2027, 2, 4), date(2027, 1, 29)),
        # Request due Mon 11 Jan 2027: 5 days before is Wed 6 Jan, Epiphany in
        # Bavaria (-> Tue 5 Jan) but a business day in Berlin.
        (date(2026, 12, 14), DE_BY, date(2027, 1, 11), date(2027, 1, 5)),
        (date(2026, 12, 14), DE_BE, date(2027, 1, 11), date(2027, 1, 6)),
        # An extended request (due 28 Apr) leaves the 30-business-day rule in charge.
        (date(2027, 2, 1), DE_BE, date(2027, 4, 28), date(2027, 3, 16)),
        # Filed when the buffer has already begun: due on the day it arrives.
        (date(2027, 2, 26), DE_BE, date(2027, 2, 28), date(2027, 2, 26)),
        (date(2027, 2, 28), DE_BE, date(2027, 2, 28), date(2027, 2, 28)),
    ],
)
def test_instruction_for_a_subject_request_is_due_before_that_request(
    received: date, calendar: TenantCalendar, subject_request_due: date, expected: date
) -> None:
    assert instruction_due(received, calendar, subject_request_due=subject_request_due) == expected


def test_subject_request_buffer_comes_from_the_policy() -> None:
    document = tomllib.loads(POLICY_FILE.read_text())
    document["instructions"]["subject_request_buffer_days"] = 0
    policy = parse_policy(document)
    # Without a buffer the cap is the request's due date, Sun 28 Feb -> Fri 26 Feb.
    due = instruction_due(
        date(2027, 2, 1), DE_BE, subject_request_due=date(2027, 2, 28), policy=policy
    )
    assert due == date(2027, 2, 26)


DUE = date(2027, 2, 2)  # Tue 2 Feb 2027 (from Fri 18 Dec 2026 in Berlin)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (datetime(2027, 1, 23, 12, 0, tzinfo=BERLIN), Escalation.OK),  # Sat: 7 left
        (datetime(2027, 1, 25, 9, 0, tzinfo=BERLIN), Escalation.OK),  # Mon: 6 left
        (datetime(2027, 1, 26, 9, 0, tzinfo=BERLIN), Escalation.NEARING),  # Tue: 5 left
        (datetime(2027, 2, 2, 23, 59, tzinfo=BERLIN), Escalation.NEARING),  # due today
        (datetime(2027, 2, 2, 22, 59, tzinfo=UTC), Escalation.NEARING),  # 23:59 Berlin
        (datetime(2027, 2, 2, 23, 0, tzinfo=UTC), Escalation.OVERDUE),  # 00:00 Berlin
        (datetime(2027, 2, 3, 0, 0, tzinfo=BERLIN), Escalation.OVERDUE),
        (datetime(2027, 3, 1, 0, 0, tzinfo=BERLIN), Escalation.OVERDUE),
    ],
)
def test_escalation_with_the_default_threshold(now: datetime, expected: Escalation) -> None:
    assert instruction_escalation(DUE, now, DE_BE) is expected


@pytest.mark.parametrize(
    ("now", "threshold", "expected"),
    [
        (datetime(2027, 1, 25, 9, 0, tzinfo=BERLIN), 10, Escalation.NEARING),  # 6 left
        (datetime(2027, 2, 1, 9, 0, tzinfo=BERLIN), 0, Escalation.OK),  # 1 left
        (datetime(2027, 2, 2, 9, 0, tzinfo=BERLIN), 0, Escalation.NEARING),  # due today
    ],
)
def test_escalation_threshold_is_configurable(
    now: datetime, threshold: int, expected: Escalation
) -> None:
    assert instruction_escalation(DUE, now, DE_BE, threshold_business_days=threshold) is expected
