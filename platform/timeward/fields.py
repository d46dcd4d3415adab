"""Field types every request and response struct shares: msgspec constraints, no web types."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

import msgspec

from timeward.mail.address import MAILBOX_PATTERN, MAX_LENGTH

Email = Annotated[
    str,
    msgspec.Meta(
        min_length=6,
        max_length=MAX_LENGTH,
        pattern=MAILBOX_PATTERN,
        description="One e-mail address (name@example.com): no display name, list or spaces",
    ),
]
Password = Annotated[str, msgspec.Meta(min_length=1, max_length=1024)]
NewPassword = Annotated[
    str, msgspec.Meta(min_length=12, max_length=1024, description="At least 12 characters")
]
Slug = Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$", max_length=63)]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
CountryCode = Annotated[str, msgspec.Meta(pattern=r"^[A-Z]{2}$")]
Subdivision = Annotated[str, msgspec.Meta(pattern=r"^[A-Z0-9]{1,8}$")]
# For request bodies only: query strings are bounded by timeward.web.pagination.
ONE_LINE = r"^(?![\s\S]*[\r\n])\s*\S"  # not blank, no line break anywhere
OneLine = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=ONE_LINE)]
Text = Annotated[str, msgspec.Meta(min_length=1, max_length=10_000, pattern=r"\S")]
Categories = Annotated[list[OneLine], msgspec.Meta(min_length=1, max_length=50)]

# Instants outside these years are typos or probes; near year 1 or 9999 an offset would
# overflow Python's datetime when converted to UTC.
EARLIEST_INSTANT = datetime(1900, 1, 1, tzinfo=UTC)
LATEST_INSTANT = datetime(2999, 12, 31, 23, 59, 59, tzinfo=UTC)
INSTANT_BOUNDS = "must lie between 1900-01-01 and 2999-12-31 (UTC)"
AwareDateTime = Annotated[
    datetime,
    msgspec.Meta(tz=True, description="RFC 3339 date-time with a UTC offset, years 1900 to 2999"),
]


def instant_in_bounds(value: datetime) -> bool:
    """Aware comparison works on offsets, so even year 1 at +14:00 does not overflow."""
    return EARLIEST_INSTANT <= value <= LATEST_INSTANT


class Body(msgspec.Struct):
    """A request body whose date-times must lie within the bounds (a 400 otherwise)."""

    def __post_init__(self) -> None:
        for name in self.__struct_fields__:
            value = getattr(self, name)
            if isinstance(value, datetime) and not instant_in_bounds(value):
                raise ValueError(f"`{name}` {INSTANT_BOUNDS}")


# PATCH bodies: a field left out is UNSET (unchanged); null clears an optional field.
UNSET = msgspec.UNSET
Unset = msgspec.UnsetType


def given(struct: msgspec.Struct) -> dict[str, Any]:
    """The fields a request actually set (UNSET ones left out)."""
    return {
        name: value
        for name in struct.__struct_fields__
        if (value := getattr(struct, name)) is not UNSET
    }
