"""Bounded pages and date-range filters shared by every list route.

Page sizes are bounded at the edge (``limit`` 1..200, else 400 naming ``limit``);
the bounds are declared on the query parameter itself because Litestar does not
apply ``msgspec.Meta`` constraints to query strings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Annotated, Generic, TypeVar

import msgspec
from litestar.params import QueryParameter

from timeward.errors import InvalidInput
from timeward.web.schemas import INSTANT_BOUNDS, instant_in_bounds

MAX_PAGE_SIZE = 200
DEFAULT_PAGE_SIZE = 50

T = TypeVar("T")

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


class Page(msgspec.Struct, Generic[T]):
    """One page of a list; ``next_offset`` is null on the last page."""

    items: list[T]
    limit: int
    offset: int
    next_offset: int | None


@dataclass(frozen=True)
class PageRequest:
    limit: int = DEFAULT_PAGE_SIZE
    offset: int = 0

    @property
    def fetch(self) -> int:
        """Rows to ask for: one more than a page tells whether another page follows."""
        return self.limit + 1


def make_page(rows: Sequence[T], request: PageRequest) -> Page[T]:
    more = len(rows) > request.limit
    return Page(
        items=list(rows[: request.limit]),
        limit=request.limit,
        offset=request.offset,
        next_offset=request.offset + request.limit if more else None,
    )


@dataclass(frozen=True)
class DateRange:
    start: datetime | None = None
    end: datetime | None = None


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
