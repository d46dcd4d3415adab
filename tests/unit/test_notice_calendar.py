"""Which calendar a tenant's breach-notice deadline is counted in (no database)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from timeward.breaches.calendar import NoticeCalendar, notice_calendar

DISCOVERED = datetime(2026, 12, 23, 10, 0, tzinfo=UTC)


def test_the_most_specific_supported_calendar_is_used() -> None:
    assert notice_calendar("DE", "BY") == NoticeCalendar("DE", "BY")
    assert notice_calendar("DE", "ZZ") == NoticeCalendar("DE")  # unknown subdivision: country
    assert notice_calendar("DE", None).label == "DE"
    assert notice_calendar("GB", "ENG").label == "GB-ENG"


def test_without_a_holiday_calendar_calendar_days_count() -> None:
    calendar = notice_calendar("XX", None)
    assert (calendar, calendar.label) == (NoticeCalendar(None), "calendar days")
    # 7 calendar days, never later than 7 working days anywhere.
    assert calendar.due(DISCOVERED) == date(2026, 12, 30)
    assert calendar.working_days_left(date(2026, 12, 30), datetime(2026, 12, 28, tzinfo=UTC)) == 2
    assert calendar.working_days_left(date(2026, 12, 30), datetime(2026, 12, 31, tzinfo=UTC)) == -1


def test_epiphany_makes_bavaria_a_day_later_than_berlin() -> None:
    # Thu 24 Dec 2026: Dec 28-31 (1-4), Jan 4-5 (5-6), then Berlin Jan 6 and Bavaria Jan 7.
    discovered = datetime(2026, 12, 24, 8, 0, tzinfo=UTC)
    assert NoticeCalendar("DE", "BE").due(discovered) == date(2027, 1, 6)
    assert NoticeCalendar("DE", "BY").due(discovered) == date(2027, 1, 7)
