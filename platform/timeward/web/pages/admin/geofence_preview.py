"""A site's geofence drawn by the app itself: the numbers of an inline SVG (the circle,
its centre, the tenant's other geofences nearby, a scale bar), computed here and drawn
by ``templates/admin/geofence_preview.html`` with SVG attributes only (the CSP forbids
inline styles, and no map tile is loaded from anywhere). Why: docs/web.md, "Workforce".

The projection is equirectangular around the site's centre, which is exact enough for a
circle of at most 10 km.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from tenants.sites.models import JobSite

WIDTH = 320
HEIGHT = 240
CIRCLE_PX = 80  # the site's own circle always has this radius; the scale changes
SCALE_MAX_PX = 120
METRES_PER_DEGREE_LATITUDE = 110_574.0
METRES_PER_DEGREE_LONGITUDE_AT_EQUATOR = 111_320.0


@dataclass(frozen=True)
class Circle:
    x: float
    y: float
    r: float
    name: str


@dataclass(frozen=True)
class Preview:
    width: int
    height: int
    site: Circle
    neighbours: list[Circle]
    scale_px: float
    scale_label: str
    latitude: float
    longitude: float
    radius_m: int


def nice_length(most: float) -> float:
    """The longest 1, 2 or 5 times a power of ten that is at most ``most`` metres."""
    power = 10.0 ** math.floor(math.log10(most))
    return float(max(step * power for step in (1, 2, 5) if step * power <= most))


def _label(metres: float) -> str:
    if metres >= 1000:
        return f"{metres / 1000:g} km"
    return f"{metres:g} m"


def _fence(site: JobSite) -> tuple[float, float, int] | None:
    if (
        site.geofence_latitude is None
        or site.geofence_longitude is None
        or site.geofence_radius_m is None
    ):
        return None
    return site.geofence_latitude, site.geofence_longitude, site.geofence_radius_m


def preview(site: JobSite, others: list[JobSite]) -> Preview | None:
    """The drawing of ``site``'s geofence with the ``others`` that show in the frame;
    None when the site has no geofence."""
    fence = _fence(site)
    if fence is None:
        return None
    latitude, longitude, radius_m = fence
    metres_per_px = radius_m / CIRCLE_PX
    across = METRES_PER_DEGREE_LONGITUDE_AT_EQUATOR * math.cos(math.radians(latitude))
    centre_x, centre_y = WIDTH / 2, HEIGHT / 2

    def place(lat: float, lon: float) -> tuple[float, float]:
        dx = (lon - longitude) * across / metres_per_px
        dy = (lat - latitude) * METRES_PER_DEGREE_LATITUDE / metres_per_px
        return round(centre_x + dx, 1), round(centre_y - dy, 1)

    neighbours = []
    for other in others:
        other_fence = _fence(other)
        if other.id == site.id or other_fence is None:
            continue
        x, y = place(other_fence[0], other_fence[1])
        r = round(other_fence[2] / metres_per_px, 1)
        if -r < x < WIDTH + r and -r < y < HEIGHT + r:
            neighbours.append(Circle(x, y, r, other.name))
    scale = nice_length(SCALE_MAX_PX * metres_per_px)
    return Preview(
        width=WIDTH,
        height=HEIGHT,
        site=Circle(centre_x, centre_y, CIRCLE_PX, site.name),
        neighbours=neighbours,
        scale_px=round(scale / metres_per_px, 1),
        scale_label=_label(scale),
        latitude=latitude,
        longitude=longitude,
        radius_m=radius_m,
    )
