"""Properties of the deadline arithmetic, checked on random dates and real calendars."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from timeward.deadlines import (
    TenantCalendar,
    add_business_days,
    add_months,
    business_days_between,
    business_days_left,
    instruction_due,
    is_business_day,
    subject_request_due,
)

JURISDICTIONS = [
    ("DE", "BY"),
    ("DE", "BE"),
    ("GB", "ENG"),
    ("GB", None),
    ("US", "CA"),
    ("US", None),
]
jurisdictions = st.sampled_from(JURISDICTIONS)
days = st.dates(min_value=date(2024, 1, 1), max_value=date(2032, 12, 31))
counts = st.integers(min_value=1, max_value=70)
SETTINGS = settings(max_examples=300, deadline=None)


@SETTINGS
@given(start=days, n=counts, where=jurisdictions)
def test_due_is_a_business_day_n_business_days_after_receipt(
    start: date, n: int, where: tuple[str, str | None]
) -> None:
    due = add_business_days(start, n, *where)
    assert due > start
    assert is_business_day(due, *where)
    assert business_days_between(start, due, *where) == n
    assert business_days_between(due, start, *where) == -n


@SETTINGS
@given(
    start=days, n=counts, extra=st.integers(0, 30), later=st.integers(0, 30), where=jurisdictions
)
def test_add_business_days_is_monotonic(
    start: date, n: int, extra: int, later: int, where: tuple[str, str | None]
) -> None:
    due = add_business_days(start, n, *where)
    assert add_business_days(start, n + extra, *where) >= due
    assert add_business_days(start + timedelta(days=later), n, *where) >= due


@SETTINGS
@given(due=days, offset=st.integers(-40, 40), where=jurisdictions)
def test_business_days_left_is_negative_exactly_when_overdue(
    due: date, offset: int, where: tuple[str, str | None]
) -> None:
    today = due + timedelta(days=offset)
    left = business_days_left(due, today, *where)
    assert (left < 0) == (today > due)
    if today == due:
        assert left == 0


@SETTINGS
@given(received=days)
def test_subject_request_due_is_within_a_month_and_30_days(received: date) -> None:
    due = subject_request_due(received, TenantCalendar("DE", "BE"))
    assert received < due <= received + timedelta(days=30)
    assert due <= add_months(received, 1)
    assert due in (received + timedelta(days=30), add_months(received, 1))


@SETTINGS
@given(received=days, request_due_in=st.integers(0, 90), where=jurisdictions)
def test_a_linked_instruction_never_outlasts_the_subject_request(
    received: date, request_due_in: int, where: tuple[str, str | None]
) -> None:
    calendar = TenantCalendar(*where)
    request_due = received + timedelta(days=request_due_in)
    due = instruction_due(received, calendar, subject_request_due=request_due)
    assert received <= due <= instruction_due(received, calendar)
    if due > received:
        assert due <= request_due - timedelta(days=5)
        assert calendar.is_business_day(due)
