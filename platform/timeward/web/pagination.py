"""Query parameters of every list route: the page and the date range, parsed once.

Page sizes are bounded at the edge (``limit`` 1..200, else 400 naming ``limit``);
the bounds are declared on the query parameter itself because Litestar does not
apply ``msgspec.Meta`` constraints to query strings. A handler takes
``page: PageRequest`` and ``period: DateRange`` as dependencies (``PAGING_DEPENDENCIES``)
instead of repeating the parameters; the values themselves live in `timeward.paging`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Annotated

from litestar.di import NamedDependency, Provide
from litestar.params import QueryParameter

from timeward.errors import InvalidInput
from timeward.fields import INSTANT_BOUNDS, instant_in_bounds
from timeward.paging import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    DateRange,
    Page,
    PageRequest,
    make_page,
)

PageLimit = Annotated[
    int,
    QueryParameter(
        ge=1, le=MAX_PAGE_SIZE, description=f"Page size, 1 to {MAX_PAGE_SIZE}", required=False
    ),
]
PageOffset = Annotated[int, QueryParameter(ge=0, description="Rows to skip", required=False)]
RangeStart = Annotated[
    str | None,
    QueryParameter(
        name="from",
        description="Inclusive lower bound: a date (YYYY-MM-DD, midnight UTC) or an RFC 3339 "
        "date-time with offset",
        required=False,
    ),
]
RangeEnd = Annotated[
    str | None,
    QueryParameter(
        name="to",
        description="Exclusive upper bound: a date (YYYY-MM-DD, midnight UTC) or an RFC 3339 "
        "date-time with offset",
        required=False,
    ),
]


def _parse_instant(key: str, raw: str) -> datetime:
    try:
        if len(raw) == 10:
            return datetime.combine(date.fromisoformat(raw), time(), tzinfo=UTC)
        parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError as exc:
        raise InvalidInput.on_field(
            key, "expected YYYY-MM-DD or an RFC 3339 date-time with offset", "query"
        ) from exc
    if parsed.tzinfo is None:
        raise InvalidInput.on_field(key, "a date-time needs a UTC offset (e.g. Z)", "query")
    if not instant_in_bounds(parsed):
        raise InvalidInput.on_field(key, INSTANT_BOUNDS, "query")
    return parsed


def date_range(start: str | None, end: str | None) -> DateRange:
    """Parse the ``from`` and ``to`` query parameters; ``from`` must come before ``to``."""
    parsed = DateRange(
        _parse_instant("from", start) if start else None,
        _parse_instant("to", end) if end else None,
    )
    if parsed.start and parsed.end and parsed.start >= parsed.end:
        raise InvalidInput.on_field("to", "must be later than 'from'", "query")
    return parsed


RequestedPage = NamedDependency[PageRequest]
RequestedPeriod = NamedDependency[DateRange]


def provide_page(limit: PageLimit = DEFAULT_PAGE_SIZE, offset: PageOffset = 0) -> PageRequest:
    return PageRequest(limit, offset)


def provide_period(start: RangeStart = None, end: RangeEnd = None) -> DateRange:
    return date_range(start, end)


PAGING_DEPENDENCIES = {
    "page": Provide(provide_page, sync_to_thread=False),
    "period": Provide(provide_period, sync_to_thread=False),
}

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "MAX_PAGE_SIZE",
    "PAGING_DEPENDENCIES",
    "DateRange",
    "Page",
    "PageLimit",
    "PageOffset",
    "PageRequest",
    "RangeEnd",
    "RangeStart",
    "RequestedPage",
    "RequestedPeriod",
    "date_range",
    "make_page",
]
