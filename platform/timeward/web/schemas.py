"""Shared msgspec constraints for request bodies."""

from __future__ import annotations

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
