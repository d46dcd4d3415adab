"""Returned data is readable by the client: sealed locations are opened in the zip."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import httpx
import pytest

from tests.accounts import Accounts
from tests.fixtures.jobs import Jobs
from tests.instructions.support import follow, instruct
from tests.workforce.seed import AT_HQ, AT_YARD, seed_workforce, set_location_mode


async def _clock_a_shift(client: httpx.AsyncClient, acme: Accounts) -> None:
    workforce = await seed_workforce(client, acme)
    await set_location_mode(client, workforce, "precise", 7)
    headers = workforce.employee
    body = {"site_id": str(workforce.sites["hq"]), "location": AT_HQ}
    assert (await client.post("/api/v1/clock/in", json=body, headers=headers)).status_code == 201
    body = {"location": AT_YARD}
    assert (await client.post("/api/v1/clock/out", json=body, headers=headers)).status_code == 201


def _expected(point: dict[str, float]) -> tuple[float, float, float]:
    return point["latitude"], point["longitude"], point["accuracy"]


def _check_locations(archive: zipfile.ZipFile) -> None:
    wanted = [_expected(AT_HQ), _expected(AT_YARD)]
    events = sorted(json.loads(archive.read("clock_events.json")), key=lambda e: e["at"])
    assert all("location_sealed" not in e for e in events)
    assert [
        (e["location"]["latitude"], e["location"]["longitude"], e["location"]["accuracy_m"])
        for e in events
    ] == wanted
    assert {e["location"]["status"] for e in events} == {"precise"}
    rows = sorted(
        csv.DictReader(io.StringIO(archive.read("clock_events.csv").decode())),
        key=lambda r: r["at"],
    )
    assert "location_sealed" not in rows[0]
    assert [
        (
            float(r["location.latitude"]),
            float(r["location.longitude"]),
            float(r["location.accuracy_m"]),
        )
        for r in rows
    ] == wanted


@pytest.mark.parametrize("kind", ["return_data", "offboard_tenant"])
async def test_returned_clock_event_locations_are_coordinates(
    client: httpx.AsyncClient, jobs: Jobs, acme: Accounts, kind: str
) -> None:
    await _clock_a_shift(client, acme)
    body = {"kind": kind} | ({"confirm_slug": acme.slug} if kind == "offboard_tenant" else {})
    created = await instruct(client, acme, **body)
    await jobs.drain(timeout_s=30)
    # the receipt link works after offboarding too (access is closed, the key destroyed)
    download = await follow(client, created["links"]["export"])
    assert download.status_code == 200, download.text
    _check_locations(zipfile.ZipFile(io.BytesIO(download.content)))
