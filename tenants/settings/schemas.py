"""The tenant's settings at the HTTP edge: request bodies and response structs (no I/O)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from tenants.settings.models import MAX_PRECISE_DAYS, LocationMode

PreciseDays = Annotated[
    int,
    msgspec.Meta(
        ge=1, le=MAX_PRECISE_DAYS, description="Days precise coordinates are kept (precise mode)"
    ),
]


class LocationSettings(msgspec.Struct, forbid_unknown_fields=True):
    location_mode: LocationMode
    precise_location_days: PreciseDays | None = None


class LocationSettingsView(msgspec.Struct):
    location_mode: str
    precise_location_days: int
    explanation: str
    updated_at: datetime | None
    coordinates_reduced: int = 0  # how many stored coordinates this change dropped


TimeZoneName = Annotated[
    str, msgspec.Meta(max_length=64, description="IANA time zone, e.g. Europe/Berlin")
]
LanguageCode = Annotated[str, msgspec.Meta(max_length=8, description="en or de")]


class RegionalSettings(msgspec.Struct, forbid_unknown_fields=True):
    """Omitted fields keep their current value."""

    time_zone: TimeZoneName | None = None
    languages: Annotated[list[LanguageCode], msgspec.Meta(max_length=8)] | None = None
    default_language: LanguageCode | None = None


class RegionalSettingsView(msgspec.Struct):
    time_zone: str
    time_zone_chosen: bool  # False: derived from the tenant's country
    languages: list[str]
    default_language: str
    updated_at: datetime | None


class DirectorySettings(msgspec.Struct, forbid_unknown_fields=True):
    enabled: bool


class DirectorySettingsView(msgspec.Struct):
    enabled: bool  # employees see the colleague directory (name, job title, site)
    updated_at: datetime | None
