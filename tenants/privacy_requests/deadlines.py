"""The deadline of a request, counted by :mod:`timeward.deadlines` (never re-implemented).

Subject-request deadlines count calendar days, so holiday calendars do not matter; the
jurisdiction only picks the rule in ``policies/deadlines.toml`` (``"US-CA"``, ``"US"``,
``"default"``). Tenants have no timezone yet: local days are UTC days, as for breach
notices (see docs/accountability.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache

from timeward.deadlines import (
    TenantCalendar,
    TrafficLight,
    UnsupportedCalendar,
    extend_subject_request,
    is_overdue,
    latest_extended_due,
    subject_request_due,
    traffic_light,
)

TIMEZONE = "UTC"  # tenants have no timezone yet


@dataclass(frozen=True)
class CalendarDaysOnly(TenantCalendar):
    """A jurisdiction the holidays library does not know: calendar days need no holidays,
    so its rule is still looked up by country and subdivision."""

    def __post_init__(self) -> None:
        return None


@cache  # a handful of jurisdictions; building one loads its holiday calendar
def request_calendar(country: str, subdivision: str | None) -> TenantCalendar:
    try:
        return TenantCalendar(country, subdivision, TIMEZONE)
    except UnsupportedCalendar:
        return CalendarDaysOnly(country, subdivision, TIMEZONE)


@dataclass(frozen=True)
class Deadline:
    due: date
    original_due: date
    latest_extension: date | None  # None: this jurisdiction allows no extension
    days_left: int  # 0 on the due day, negative once overdue
    light: TrafficLight
    overdue: bool


def due_on_receipt(received: datetime, calendar: TenantCalendar) -> date:
    return subject_request_due(received, calendar)


def deadline(
    received: datetime, due: date, original_due: date, calendar: TenantCalendar, now: datetime
) -> Deadline:
    return deadlines_at(now)(received, due, original_due, calendar)


Standing = tuple[int, TrafficLight, bool]  # days left, traffic light, overdue


def standings_at(now: datetime) -> Callable[[date, TenantCalendar], Standing]:
    """A due day's days left, traffic light and overdue flag at one instant, counted
    once per (due day, calendar)."""

    @cache
    def standing(due: date, calendar: TenantCalendar) -> Standing:
        return (
            calendar.calendar_days_left(due, now),
            traffic_light(due, now, calendar),
            is_overdue(due, now, calendar),
        )

    return standing


def deadlines_at(now: datetime) -> Callable[[datetime, date, date, TenantCalendar], Deadline]:
    """``deadline`` for many requests at one instant (a page, a sweep): what depends only
    on the due day and the calendar is counted once per pair, not once per request."""
    standing = standings_at(now)

    @cache
    def latest(received_on: date, calendar: TenantCalendar) -> date | None:
        return latest_extended_due(received_on, calendar)

    def of(received: datetime, due: date, original_due: date, calendar: TenantCalendar) -> Deadline:
        days_left, light, overdue = standing(due, calendar)
        return Deadline(
            due=due,
            original_due=original_due,
            latest_extension=latest(calendar.local_date(received), calendar),
            days_left=days_left,
            light=light,
            overdue=overdue,
        )

    return of


def extended_due(
    received: datetime,
    current_due: date,
    requested_due: date,
    reason: str,
    now: datetime,
    calendar: TenantCalendar,
) -> date:
    """The new due date, or :class:`timeward.deadlines.ExtensionRefused`."""
    return extend_subject_request(
        received=received,
        current_due=current_due,
        requested_due=requested_due,
        reason=reason,
        now=now,
        calendar=calendar,
    )
