"""Pages and date ranges: the plain values list queries take and list responses return.

Neutral on purpose: services and views use these without importing the web layer;
`timeward.web.pagination` parses them from query strings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

import msgspec

MAX_PAGE_SIZE = 200
DEFAULT_PAGE_SIZE = 50

T = TypeVar("T")


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
