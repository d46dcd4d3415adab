"""The deadline for notifying clients of a personal-data breach.

Every affected client admin must be told without undue delay and within a number
of working days of discovery (7 by default), counted like every business-day period:
the day of discovery is not counted, weekends and the client's public holidays are
skipped. Each client is counted in its own calendar.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from timeward.deadlines.rules import DeadlinePolicy, resolve_policy
from timeward.deadlines.tenant_calendar import TenantCalendar


def breach_notice_due(
    discovered: datetime | date,
    calendar: TenantCalendar,
    *,
    policy: DeadlinePolicy | None = None,
) -> date:
    """The last local day on which the client with ``calendar`` may be notified."""
    rule = resolve_policy(policy).breaches
    return calendar.add_business_days(discovered, rule.notice_business_days)


def earliest_breach_notice_due(
    discovered: datetime | date,
    calendars: Iterable[TenantCalendar],
    *,
    policy: DeadlinePolicy | None = None,
) -> date:
    """The incident's deadline: the earliest among the affected clients' calendars."""
    dues = [breach_notice_due(discovered, calendar, policy=policy) for calendar in calendars]
    if not dues:
        raise ValueError("a breach affects at least one client")
    return min(dues)


def breach_working_days_left(
    discovered: datetime | date,
    now: datetime,
    calendar: TenantCalendar,
    *,
    policy: DeadlinePolicy | None = None,
) -> int:
    """Working days left after today until the notice is due.

    0 on the due day itself (still in time until its end); negative exactly when
    overdue (see :func:`~timeward.deadlines.business_days.business_days_left`).
    """
    due = breach_notice_due(discovered, calendar, policy=policy)
    return calendar.business_days_left(due, now)
