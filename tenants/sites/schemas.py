"""Job sites at the HTTP edge: request bodies and response structs (no I/O)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec

from tenants.sites.models import MAX_RADIUS_M, MIN_RADIUS_M
from timeward.fields import UNSET, Name, Unset

Latitude = Annotated[float, msgspec.Meta(ge=-90, le=90, description="WGS 84 degrees")]
Longitude = Annotated[float, msgspec.Meta(ge=-180, le=180, description="WGS 84 degrees")]
Radius = Annotated[int, msgspec.Meta(ge=MIN_RADIUS_M, le=MAX_RADIUS_M, description="Metres")]
Address = Annotated[str, msgspec.Meta(min_length=1, max_length=500)]


class Geofence(msgspec.Struct, forbid_unknown_fields=True):
    latitude: Latitude
    longitude: Longitude
    radius_m: Radius


class NewSite(msgspec.Struct, forbid_unknown_fields=True):
    name: Name
    address: Address | None = None
    geofence: Geofence | None = None


class SiteChange(msgspec.Struct, forbid_unknown_fields=True):
    name: Name | Unset = UNSET
    address: Address | Unset | None = UNSET
    geofence: Geofence | Unset | None = UNSET
    active: bool | Unset = UNSET


class SiteView(msgspec.Struct):
    id: UUID
    name: str
    address: str | None
    geofence: Geofence | None
    active: bool
    created_at: datetime
    updated_at: datetime
