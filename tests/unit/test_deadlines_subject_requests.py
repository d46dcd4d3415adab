"""Data-subject requests: due date, extension and the admin queue's traffic light.

Expected dates are counted by hand on a calendar.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from timeward.deadlines import (
    ExtensionRefusal,
    ExtensionRefused,
    TenantCalendar,
    TrafficLight,
    add_months,
    extend_subject_request,
    is_overdue,
    latest_extended_due,
    parse_policy,
    subject_request_due,
    traffic_light,
)
from timeward.deadlines.rules import DeadlinePolicy, default_policy

BERLIN = ZoneInfo("Europe/Berlin")
UTC = ZoneInfo("UTC")
DE_BE = TenantCalendar("DE", "BE", "Europe/Berlin")
US_CA = TenantCalendar("US", "CA", "America/Los_Angeles")
US_TX = TenantCalendar("US", "TX", "America/Chicago")
REASON = "The request covers five job sites and three years of timesheets."


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2027, 1, 31), 1, date(2027, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),  # leap year
        (date(2027, 12, 31), 2, date(2028, 2, 29)),  # across the year end, leap
        (date(2027, 11, 30), 3, date(2028, 2, 29)),
        (date(2027, 8, 31), 1, date(2027, 9, 30)),
        (date(2027, 12, 15), 1, date(2028, 1, 15)),
        (date(2027, 5, 31), 12, date(2028, 5, 31)),
        (date(2027, 3, 31), -1, date(2027, 2, 28)),
    ],
)
def test_add_months_clamps_to_the_month_end(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected


@pytest.mark.parametrize(
    ("received", "calendar", "expected"),
    [
        # Default (GDPR): the earlier of one calendar month and 30 days.
        (date(2027, 1, 31), DE_BE, date(2027, 2, 28)),  # month clamps; 30 days: Mar 2
        (date(2028, 1, 31), DE_BE, date(2028, 2, 29)),  # leap; 30 days: Mar 1
        (date(2027, 1, 30), DE_BE, date(2027, 2, 28)),  # month clamps; 30 days: Mar 1
        (date(2027, 1, 15), DE_BE, date(2027, 2, 14)),  # 30 days; month: Feb 15
        (date(2027, 2, 1), DE_BE, date(2027, 3, 1)),  # month; 30 days: Mar 3
        (date(2028, 2, 1), DE_BE, date(2028, 3, 1)),  # month; 30 days: Mar 2 (leap)
        (date(2028, 2, 29), DE_BE, date(2028, 3, 29)),  # month; 30 days: Mar 30
        (date(2027, 3, 31), DE_BE, date(2027, 4, 30)),  # both limits agree
        (date(2027, 7, 1), DE_BE, date(2027, 7, 31)),  # 30 days; month: Aug 1
        (date(2026, 12, 15), DE_BE, date(2027, 1, 14)),  # across the year end
        # Weekends and holidays do not move a calendar-day deadline: Sun 28 Feb 2027.
        (date(2027, 1, 29), DE_BE, date(2027, 2, 28)),
        # California: 45 calendar days. Jan 31 + 28 = Feb 28, + 17 = Mar 17.
        (date(2027, 1, 31), US_CA, date(2027, 3, 17)),
        (date(2028, 1, 31), US_CA, date(2028, 3, 16)),  # leap: Feb 29 is day 29
        # Texas has no rule of its own: the default applies.
        (date(2027, 1, 31), US_TX, date(2027, 2, 28)),
    ],
)
def test_subject_request_due(received: date, calendar: TenantCalendar, expected: date) -> None:
    assert subject_request_due(received, calendar) == expected


def test_receipt_counts_on_the_tenants_local_date() -> None:
    received = datetime(2027, 1, 31, 23, 30, tzinfo=UTC)  # Mon 1 Feb 00:30 in Berlin
    assert subject_request_due(received, DE_BE) == date(2027, 3, 1)
    assert subject_request_due(received, TenantCalendar("DE", "BE", "UTC")) == date(2027, 2, 28)


@pytest.mark.parametrize(
    ("received", "calendar", "expected"),
    [
        (date(2027, 1, 31), DE_BE, date(2027, 4, 28)),  # Feb 28 + 2 months
        (date(2027, 3, 1), DE_BE, date(2027, 5, 31)),  # Mar 31 + 2 months
        (date(2027, 1, 31), US_CA, date(2027, 5, 1)),  # Mar 17 + 45 days
    ],
)
def test_latest_extended_due_counts_from_the_original_due_date(
    received: date, calendar: TenantCalendar, expected: date
) -> None:
    assert latest_extended_due(received, calendar) == expected


def berlin(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN)


@pytest.mark.parametrize(
    ("calendar", "current_due", "requested_due", "now"),
    [
        (DE_BE, date(2027, 2, 28), date(2027, 4, 28), berlin(2027, 2, 10, 10, 0)),
        (DE_BE, date(2027, 2, 28), date(2027, 3, 15), berlin(2027, 2, 10, 10, 0)),
        # A second extension, still within the total and before the original due date.
        (DE_BE, date(2027, 3, 31), date(2027, 4, 28), berlin(2027, 2, 27, 9, 0)),
        # The last minute of the original due day, Berlin time.
        (DE_BE, date(2027, 2, 28), date(2027, 4, 28), berlin(2027, 2, 28, 23, 59)),
        (US_CA, date(2027, 3, 17), date(2027, 5, 1), berlin(2027, 3, 1, 12, 0)),
    ],
)
def test_extension_within_the_rules_is_granted(
    calendar: TenantCalendar, current_due: date, requested_due: date, now: datetime
) -> None:
    granted = extend_subject_request(
        received=date(2027, 1, 31),
        current_due=current_due,
        requested_due=requested_due,
        reason=REASON,
        now=now,
        calendar=calendar,
    )
    assert granted == requested_due


@pytest.mark.parametrize(
    ("calendar", "current_due", "requested_due", "reason", "now", "refusal"),
    [
        (DE_BE, date(2027, 2, 28), date(2027, 4, 29), REASON, berlin(2027, 2, 10, 10, 0),
         ExtensionRefusal.TOO_LONG),
        # Two extensions may not add up to more than the total.
        (DE_BE, date(2027, 3, 31), date(2027, 4, 29), REASON, berlin(2027, 2, 10, 10, 0),
         ExtensionRefusal.TOO_LONG),
        (US_CA, date(2027, 3, 17), date(2027, 5, 2), REASON, berlin(2027, 3, 1, 12, 0),
         ExtensionRefusal.TOO_LONG),
        (DE_BE, date(2027, 2, 28), date(2027, 4, 28), "", berlin(2027, 2, 10, 10, 0),
         ExtensionRefusal.REASON_REQUIRED),
        (DE_BE, date(2027, 2, 28), date(2027, 4, 28), "  \n\t", berlin(2027, 2, 10, 10, 0),
         ExtensionRefusal.REASON_REQUIRED),
        # Midnight after the original due day in Berlin ...
        (DE_BE, date(2027, 2, 28), date(2027, 4, 28), REASON, berlin(2027, 3, 1, 0, 0),
         ExtensionRefusal.DEADLINE_PASSED),
        # ... which is 23:00 UTC on the due day.
        (DE_BE, date(2027, 2, 28), date(2027, 4, 28), REASON,
         datetime(2027, 2, 28, 23, 0, tzinfo=UTC), ExtensionRefusal.DEADLINE_PASSED),
        # A first extension does not reopen the window for a second one.
        (DE_BE, date(2027, 3, 31), date(2027, 4, 28), REASON, berlin(2027, 3, 5, 10, 0),
         ExtensionRefusal.DEADLINE_PASSED),
        (DE_BE, date(2027, 2, 28), date(2027, 2, 28), REASON, berlin(2027, 2, 10, 10, 0),
         ExtensionRefusal.NOT_LATER),
        (DE_BE, date(2027, 3, 31), date(2027, 3, 20), REASON, berlin(2027, 2, 10, 10, 0),
         ExtensionRefusal.NOT_LATER),
    ],
)  # fmt: skip
def test_extension_breaking_a_rule_is_refused(
    calendar: TenantCalendar,
    current_due: date,
    requested_due: date,
    reason: str,
    now: datetime,
    refusal: ExtensionRefusal,
) -> None:
    with pytest.raises(ExtensionRefused) as error:
        extend_subject_request(
            received=date(2027, 1, 31),
            current_due=current_due,
            requested_due=requested_due,
            reason=reason,
            now=now,
            calendar=calendar,
        )
    assert error.value.code is refusal
    assert error.value.message == str(error.value)
    assert error.value.message.endswith(".")


def test_too_long_extension_names_the_latest_date() -> None:
    with pytest.raises(ExtensionRefused, match="2027-04-28 at the latest"):
        extend_subject_request(
            received=date(2027, 1, 31),
            current_due=date(2027, 2, 28),
            requested_due=date(2027, 6, 1),
            reason=REASON,
            now=berlin(2027, 2, 1, 9, 0),
            calendar=DE_BE,
        )


def _policy_without_extension(
    *, red_max_days_left: int, amber_max_days_left: int
) -> DeadlinePolicy:
    """A 30-day policy with no extension rule and the given traffic-light thresholds."""
    return parse_policy(
        {
            "subject_requests": {"default": {"max_days": 30}},
            "subject_request_status": {
                "red_max_days_left": red_max_days_left,
                "amber_max_days_left": amber_max_days_left,
            },
            "instructions": {
                "business_days": 30,
                "subject_request_buffer_days": 5,
                "escalation_business_days": 5,
            },
            "breaches": {"notice_business_days": 7},
        }
    )


def test_jurisdiction_without_extension_refuses_any() -> None:
    policy = _policy_without_extension(red_max_days_left=3, amber_max_days_left=10)
    assert latest_extended_due(date(2027, 1, 31), DE_BE, policy=policy) is None
    with pytest.raises(ExtensionRefused) as error:
        extend_subject_request(
            received=date(2027, 1, 31),
            current_due=date(2027, 3, 2),
            requested_due=date(2027, 3, 10),
            reason=REASON,
            now=berlin(2027, 2, 1, 9, 0),
            calendar=DE_BE,
            policy=policy,
        )
    assert error.value.code is ExtensionRefusal.NOT_ALLOWED


DUE = date(2027, 2, 28)


@pytest.mark.parametrize(
    ("now", "expected", "overdue"),
    [
        (berlin(2027, 2, 10, 12, 0), TrafficLight.GREEN, False),  # 18 days left
        (berlin(2027, 2, 17, 23, 59), TrafficLight.GREEN, False),  # 11
        (berlin(2027, 2, 18, 0, 0), TrafficLight.AMBER, False),  # 10
        (berlin(2027, 2, 24, 12, 0), TrafficLight.AMBER, False),  # 4
        (berlin(2027, 2, 25, 0, 0), TrafficLight.RED, False),  # 3
        (berlin(2027, 2, 28, 23, 59), TrafficLight.RED, False),  # due today
        (datetime(2027, 2, 28, 22, 59, tzinfo=UTC), TrafficLight.RED, False),  # 23:59 Berlin
        (datetime(2027, 2, 28, 23, 0, tzinfo=UTC), TrafficLight.RED, True),  # 00:00 Berlin
        (berlin(2027, 3, 1, 0, 0), TrafficLight.RED, True),
        (berlin(2027, 4, 1, 0, 0), TrafficLight.RED, True),
    ],
)
def test_traffic_light_and_overdue(now: datetime, expected: TrafficLight, overdue: bool) -> None:
    assert traffic_light(DUE, now, DE_BE) is expected
    assert is_overdue(DUE, now, DE_BE) is overdue


def test_traffic_light_thresholds_come_from_the_policy() -> None:
    policy = default_policy()
    lenient = _policy_without_extension(red_max_days_left=0, amber_max_days_left=5)
    three_days_left = berlin(2027, 2, 25, 9, 0)
    assert traffic_light(DUE, three_days_left, DE_BE, policy=policy) is TrafficLight.RED
    assert traffic_light(DUE, three_days_left, DE_BE, policy=lenient) is TrafficLight.AMBER
