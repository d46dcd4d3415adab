"""Due dates of data-subject requests (the controller's duty, GDPR Art. 12(3)).

Calendar days, not business days: the due date is the earlier of the jurisdiction's
limits counted from the local date of receipt (by default one calendar month and 30
days). It is not moved off a weekend or holiday: an earlier answer is always lawful,
so we never lengthen the period (Regulation 1182/71 Art. 3(4) would allow it).
"""

from __future__ import annotations

from calendar import monthrange
from datetime import date, datetime, timedelta
from enum import StrEnum

from timeward.deadlines.errors import ExtensionRefusal, ExtensionRefused
from timeward.deadlines.rules import DeadlinePolicy, resolve_policy
from timeward.deadlines.tenant_calendar import TenantCalendar


def add_months(day: date, months: int) -> date:
    """The same day ``months`` calendar months later, clamped to the month's end.

    31 January + 1 month is 28 February (29 in a leap year), as in Regulation
    1182/71 Art. 3(2)(c): a period ending on a day the month lacks ends on its last day.
    """
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last_day = monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last_day))


def _earlier_limit(start: date, months: int | None, days: int | None) -> date | None:
    """The earlier of ``start`` + ``months`` and ``start`` + ``days``, ignoring absent limits."""
    limits = []
    if months is not None:
        limits.append(add_months(start, months))
    if days is not None:
        limits.append(start + timedelta(days=days))
    return min(limits, default=None)


def subject_request_due(
    received: datetime | date, calendar: TenantCalendar, *, policy: DeadlinePolicy | None = None
) -> date:
    """The original due date (local day) of a request received at ``received``."""
    rule = resolve_policy(policy).subject_request_rule(calendar)
    due = _earlier_limit(calendar.local_date(received), rule.calendar_months, rule.max_days)
    assert due is not None  # a rule always has at least one limit (validated)
    return due


def latest_extended_due(
    received: datetime | date, calendar: TenantCalendar, *, policy: DeadlinePolicy | None = None
) -> date | None:
    """The latest due date extensions may reach in total (``None``: no extension allowed).

    Counted from the original due date, not from receipt: the shorter reading of
    "extended by two further months".
    """
    rule = resolve_policy(policy).subject_request_rule(calendar)
    original = subject_request_due(received, calendar, policy=policy)
    return _earlier_limit(original, rule.max_extension_months, rule.max_extension_days)


def extend_subject_request(
    *,
    received: datetime | date,
    current_due: date,
    requested_due: date,
    reason: str,
    now: datetime,
    calendar: TenantCalendar,
    policy: DeadlinePolicy | None = None,
) -> date:
    """Validate a client admin's extension and return the new due date.

    Allowed only with a non-empty written reason (it is sent to the requester), only
    while the *original* due date has not passed (also for a second extension), to a
    date later than ``current_due`` and no later than :func:`latest_extended_due`.
    Raises :class:`ExtensionRefused` with a stable ``code`` and a human ``message``.
    """
    latest = latest_extended_due(received, calendar, policy=policy)
    original = subject_request_due(received, calendar, policy=policy)
    if latest is None:
        raise ExtensionRefused(
            ExtensionRefusal.NOT_ALLOWED, "This jurisdiction does not allow extending the deadline."
        )
    if not reason.strip():
        raise ExtensionRefused(
            ExtensionRefusal.REASON_REQUIRED,
            "A written reason is required to extend the deadline; the requester is told it.",
        )
    if calendar.is_overdue(original, now):
        raise ExtensionRefused(
            ExtensionRefusal.DEADLINE_PASSED,
            f"The original due date {original.isoformat()} has passed; an extension must be "
            "decided before it.",
        )
    if requested_due <= current_due:
        raise ExtensionRefused(
            ExtensionRefusal.NOT_LATER,
            f"The new due date must be later than the current one ({current_due.isoformat()}).",
        )
    if requested_due > latest:
        raise ExtensionRefused(
            ExtensionRefusal.TOO_LONG,
            f"The deadline can be extended to {latest.isoformat()} at the latest.",
        )
    return requested_due


class TrafficLight(StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"


def traffic_light(
    due: date, now: datetime, calendar: TenantCalendar, *, policy: DeadlinePolicy | None = None
) -> TrafficLight:
    """Colour of a request in the admin's queue by calendar days left until ``due``.

    Red when overdue or at most ``red_max_days_left`` days are left (0 = due today),
    amber at most ``amber_max_days_left``, green otherwise.
    """
    rule = resolve_policy(policy).traffic_light
    days_left = calendar.calendar_days_left(due, now)
    if calendar.is_overdue(due, now) or days_left <= rule.red_max_days_left:
        return TrafficLight.RED
    if days_left <= rule.amber_max_days_left:
        return TrafficLight.AMBER
    return TrafficLight.GREEN


def is_overdue(due: date, now: datetime, calendar: TenantCalendar) -> bool:
    """Whether the request's (current) due day has ended in the tenant's timezone."""
    return calendar.is_overdue(due, now)
