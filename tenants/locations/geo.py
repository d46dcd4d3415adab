"""Geofence arithmetic (great-circle distance on a spherical Earth)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

EARTH_RADIUS_M = 6_371_008.8


@dataclass(frozen=True)
class Point:
    latitude: float
    longitude: float


@dataclass(frozen=True)
class Geofence:
    site_id: UUID
    centre: Point
    radius_m: float


def distance_m(a: Point, b: Point) -> float:
    """Haversine distance in metres."""
    phi1, phi2 = math.radians(a.latitude), math.radians(b.latitude)
    dphi = phi2 - phi1
    dlambda = math.radians(b.longitude - a.longitude)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


@dataclass(frozen=True)
class GeofenceResult:
    on_site: bool | None  # None: there was no geofence to compare with
    matched_site_id: UUID | None


def match(point: Point, fences: Iterable[Geofence], declared_site: UUID | None) -> GeofenceResult:
    """Which site's geofence contains the point, and whether the employee is on site.

    ``on_site`` refers to the declared site when one was given (None if that site
    has no geofence), else to any site. The matched site is the declared one when
    the point is inside it, else the nearest site whose geofence contains it.
    """
    fences = list(fences)
    inside = sorted(
        (d, fence.site_id)
        for fence in fences
        if (d := distance_m(point, fence.centre)) <= fence.radius_m
    )
    inside_ids = [site_id for _, site_id in inside]
    if declared_site is not None and declared_site in inside_ids:
        matched: UUID | None = declared_site
    else:
        matched = inside_ids[0] if inside_ids else None
    if declared_site is not None:
        has_fence = any(f.site_id == declared_site for f in fences)
        return GeofenceResult(declared_site in inside_ids if has_fence else None, matched)
    return GeofenceResult(matched is not None if fences else None, matched)
