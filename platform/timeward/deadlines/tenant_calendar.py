"""The calendar a tenant's deadlines are counted in: country, subdivision, timezone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from timeward.deadlines import business_days, moments
from timeward.deadlines.errors import UnsupportedCalendar


def check_calendar(country: str, subdivision: str | None) -> None:
    """Raise :class:`UnsupportedCalendar` naming the field at fault (``country`` or
    ``subdivision``) unless the holidays library has this calendar."""
    business_days.check_jurisdiction(country, None)
    if subdivision is not None:
        try:
            business_days.check_jurisdiction(country, subdivision)
        except UnsupportedCalendar as error:
            raise UnsupportedCalendar(error.message, field="subdivision") from error


@dataclass(frozen=True)
class TenantCalendar:
    """Where (public holidays) and when (local days) a tenant's deadlines fall.

    ``country``/``subdivision`` use the codes of :mod:`timeward.deadlines.business_days`;
    ``timezone`` is an IANA name (``"Europe/Berlin"``). Construction validates all three
    and raises :class:`UnsupportedCalendar`.
    """

    country: str
    subdivision: str | None = None
    timezone: str = "UTC"

    def __post_init__(self) -> None:
        check_calendar(self.country, self.subdivision)
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise UnsupportedCalendar(
                f"Unknown timezone {self.timezone!r}.", field="timezone"
            ) from error

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def jurisdiction_keys(self) -> tuple[str, ...]:
        """Policy keys for this calendar, most specific first: ``("US-CA", "US")``."""
        if self.subdivision is None:
            return (self.country,)
        return (f"{self.country}-{self.subdivision}", self.country)

    def local_date(self, moment: datetime | date) -> date:
        return moments.local_date(moment, self.zone)

    def is_overdue(self, due: date, now: datetime) -> bool:
        """Whether ``now`` is at or past the end of the local due day."""
        return moments.is_overdue(due, now, self.zone)

    def calendar_days_left(self, due: date, now: datetime) -> int:
        return moments.calendar_days_left(due, now, self.zone)

    def is_business_day(self, day: date) -> bool:
        return business_days.is_business_day(day, self.country, self.subdivision)

    def add_business_days(self, start: datetime | date, n: int) -> date:
        return business_days.add_business_days(
            start, n, self.country, self.subdivision, tz=self.zone
        )

    def business_days_between(self, a: datetime | date, b: datetime | date) -> int:
        return business_days.business_days_between(
            a, b, self.country, self.subdivision, tz=self.zone
        )

    def business_days_left(self, due: date, now: datetime | date) -> int:
        return business_days.business_days_left(
            due, now, self.country, self.subdivision, tz=self.zone
        )

    def last_business_day_on_or_before(self, day: date) -> date:
        return business_days.last_business_day_on_or_before(day, self.country, self.subdivision)
