"""The calendar each affected client's notice deadline is counted in.

Tenants record a country and, optionally, a subdivision; they have no timezone yet,
so local days are UTC days (see docs/accountability.md). When the holidays library
has no calendar for the subdivision we drop it (the country's holidays still count);
when it has none for the country either, the limit is counted in calendar days,
which can only make the deadline earlier.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from timeward.deadlines import (
    TenantCalendar,
    UnsupportedCalendar,
    breach_notice_due,
    default_policy,
    local_date,
)

TIMEZONE = "UTC"  # tenants have no timezone yet


@dataclass(frozen=True)
class NoticeCalendar:
    country: str | None  # None: no holiday calendar, count calendar days
    subdivision: str | None = None

    @property
    def label(self) -> str:
        if self.country is None:
            return "calendar days"
        return self.country if self.subdivision is None else f"{self.country}-{self.subdivision}"

    def _tenant_calendar(self) -> TenantCalendar | None:
        if self.country is None:
            return None
        return TenantCalendar(self.country, self.subdivision, TIMEZONE)

    def due(self, discovered: datetime) -> date:
        """The last day on which this client may be told (7 working days by default)."""
        calendar = self._tenant_calendar()
        if calendar is not None:
            return breach_notice_due(discovered, calendar)
        days = default_policy().breaches.notice_business_days
        return local_date(discovered, UTC) + timedelta(days=days)

    def working_days_left(self, due: date, now: datetime) -> int:
        """0 on the due day, negative once overdue (calendar days without a calendar)."""
        calendar = self._tenant_calendar()
        if calendar is not None:
            return calendar.business_days_left(due, now)
        return (due - local_date(now, UTC)).days


def notice_calendar(country: str, subdivision: str | None) -> NoticeCalendar:
    """The most specific calendar the holidays library supports for this tenant."""
    for candidate in (NoticeCalendar(country, subdivision), NoticeCalendar(country)):
        try:
            candidate._tenant_calendar()
        except UnsupportedCalendar:
            continue
        return candidate
    return NoticeCalendar(None)
