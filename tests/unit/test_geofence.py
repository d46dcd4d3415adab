"""Geofence arithmetic (pure logic)."""

from __future__ import annotations

from uuid import UUID

import pytest

from tenants.locations.geo import Geofence, GeofenceResult, Point, distance_m, match

HQ, YARD, BARE = UUID(int=1), UUID(int=2), UUID(int=3)
FENCES = [
    Geofence(HQ, Point(52.5219, 13.4132), 150),
    Geofence(YARD, Point(52.4800, 13.4300), 200),
]


def test_distance_matches_a_known_value() -> None:
    berlin, munich = Point(52.5200, 13.4050), Point(48.1351, 11.5820)
    assert distance_m(berlin, munich) == pytest.approx(504_000, rel=0.01)
    assert distance_m(berlin, berlin) == 0


@pytest.mark.parametrize(
    ("point", "declared", "expected"),
    [
        (Point(52.5221, 13.4135), HQ, GeofenceResult(True, HQ)),
        (Point(52.5221, 13.4135), None, GeofenceResult(True, HQ)),
        (Point(52.5221, 13.4135), YARD, GeofenceResult(False, HQ)),
        (Point(48.1374, 11.5755), HQ, GeofenceResult(False, None)),
        (Point(48.1374, 11.5755), None, GeofenceResult(False, None)),
        (Point(52.4801, 13.4301), BARE, GeofenceResult(None, YARD)),
    ],
)
def test_match(point: Point, declared: UUID | None, expected: GeofenceResult) -> None:
    assert match(point, FENCES, declared) == expected


def test_without_any_geofence_there_is_no_answer() -> None:
    assert match(Point(52.5, 13.4), [], None) == GeofenceResult(None, None)
