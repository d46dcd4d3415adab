"""The geofence drawing's numbers (web/pages/admin/geofence_preview.py), without a
database: the scale bar is a round length no longer than 120 px, the site's circle is
always 80 px, and another site's fence lands where its bearing and distance put it."""

from __future__ import annotations

from uuid import uuid4

import pytest

from tenants.sites.models import JobSite
from timeward.web.pages.admin.geofence_preview import CIRCLE_PX, nice_length, preview


def site(name: str, latitude: float | None, longitude: float | None, radius: int | None) -> JobSite:
    return JobSite(
        id=uuid4(),
        tenant_id=uuid4(),
        name=name,
        geofence_latitude=latitude,
        geofence_longitude=longitude,
        geofence_radius_m=radius,
    )


@pytest.mark.parametrize(
    ("most", "length"), [(225.0, 200.0), (150.0, 100.0), (15_000.0, 10_000.0), (7.5, 5.0)]
)
def test_the_scale_is_a_round_length(most: float, length: float) -> None:
    assert nice_length(most) == length


def test_the_drawing_of_a_fence_and_a_neighbour() -> None:
    hq = site("hq", 52.5219, 13.4132, 150)
    north = site("north", 52.5219 + 300 / 110_574, 13.4132, 100)  # 300 m due north
    far = site("far", 48.1374, 11.5755, 200)
    bare = site("bare", None, None, None)
    drawing = preview(hq, [hq, north, far, bare])
    assert drawing is not None
    assert (drawing.site.x, drawing.site.y, drawing.site.r) == (160, 120, CIRCLE_PX)
    assert drawing.scale_label == "200 m" and drawing.scale_px == pytest.approx(106.7, abs=0.1)
    [neighbour] = drawing.neighbours  # the far one is out of the frame, the bare one unfenced
    assert neighbour.name == "north"
    assert neighbour.x == pytest.approx(160) and neighbour.y == pytest.approx(120 - 160, abs=0.2)
    assert neighbour.r == pytest.approx(100 / 150 * CIRCLE_PX, abs=0.1)
    assert preview(bare, [hq]) is None
    big = preview(site("wide", 0.0, 0.0, 10_000), [])
    assert big is not None and big.scale_label == "10 km"
