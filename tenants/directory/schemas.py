"""The directory at the HTTP edge: request bodies and response structs (no I/O)."""

from __future__ import annotations

import msgspec


class DirectoryEntry(msgspec.Struct):
    """What a colleague sees: no contact details, no ids."""

    name: str
    job_title: str | None
    site: str | None


class MyListing(msgspec.Struct, forbid_unknown_fields=True):
    listed: bool  # false: leave the directory; true: rejoin it


class MyListingView(msgspec.Struct):
    listed: bool  # whether the directory shows me (when the tenant has it on)
    directory_enabled: bool
