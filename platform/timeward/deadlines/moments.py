"""From instants to calendar days, and from a due day back to an instant.

The counting convention of the whole package:

* A deadline is a **local calendar day** ``D`` in the tenant's timezone.
* It is met by anything done before the **end of D**: the exclusive instant
  00:00 of ``D + 1`` in that timezone (:func:`due_moment`). From that instant on
  the deadline :func:`is_overdue`.
* An instant (receipt, discovery, "now") counts on its local date in the tenant's
  timezone (:func:`local_date`); the time of day never matters otherwise.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo

ONE_DAY = timedelta(days=1)


def require_aware(moment: datetime) -> datetime:
    """Refuse naive datetimes: their day would depend on the server's clock zone."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment.isoformat()}: pass a timezone-aware datetime")
    return moment


def local_date(moment: datetime | date, tz: tzinfo | None = None) -> date:
    """The calendar day on which ``moment`` falls.

    A ``date`` is taken as already local and returned unchanged. An aware
    ``datetime`` is converted to ``tz`` first (by default it keeps its own zone).
    """
    if not isinstance(moment, datetime):
        return moment
    aware = require_aware(moment)
    return (aware if tz is None else aware.astimezone(tz)).date()


def due_moment(due: date, tz: tzinfo) -> datetime:
    """The first instant after the due day ``due`` in ``tz`` (exclusive end of the deadline)."""
    return datetime.combine(due + ONE_DAY, time.min, tzinfo=tz)


def is_overdue(due: date, now: datetime, tz: tzinfo) -> bool:
    """Whether the end of the due day (in ``tz``) has been reached at ``now``."""
    # Compared in UTC: aware datetimes sharing one tzinfo compare by wall time.
    return require_aware(now).astimezone(UTC) >= due_moment(due, tz).astimezone(UTC)


def calendar_days_left(due: date, now: datetime, tz: tzinfo) -> int:
    """Calendar days from today (local) to the due day: 0 on the due day, negative after."""
    return (due - local_date(now, tz)).days
