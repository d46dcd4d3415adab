"""Clocking in and out over HTTP: state conflicts, input errors naming the field, the
location mode shown beforehand and applied, and the clock-event lists."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx

from tests.workforce.seed import (
    AT_HQ,
    AT_YARD,
    NOWHERE,
    Workforce,
    iso,
    raw_clock_events,
    set_location_mode,
)


async def _clock(
    client: httpx.AsyncClient, workforce: Workforce, kind: str, role: str = "employee", **body: Any
) -> httpx.Response:
    return await client.post(f"/api/v1/clock/{kind}", json=body, headers=workforce.auth(role))


async def test_employee_sees_the_location_mode_before_clocking_in(
    client: httpx.AsyncClient, acme_workforce: Workforce
) -> None:
    default = await client.get("/api/v1/me/clock-policy", headers=acme_workforce.employee)
    assert default.status_code == 200
    assert default.json()["location_mode"] == "geofence"
    assert "coordinates are discarded" in default.json()["explanation"]
    assert default.json()["clocked_in"] is False

    await set_location_mode(client, acme_workforce, "precise", 7)
    policy = (await client.get("/api/v1/me/clock-policy", headers=acme_workforce.employee)).json()
    assert policy["location_mode"] == "precise" and policy["precise_location_days"] == 7
    assert "at most 7 days" in policy["explanation"] and "never in between" in policy["explanation"]

    clocked = await _clock(client, acme_workforce, "in", location=AT_HQ)
    after = (await client.get("/api/v1/me/clock-policy", headers=acme_workforce.employee)).json()
    assert after["clocked_in"] is True and after["clocked_in_since"] == clocked.json()["at"]

    await set_location_mode(client, acme_workforce, "off")
    off = (await client.get("/api/v1/me/clock-policy", headers=acme_workforce.employee)).json()
    assert off["location_mode"] == "off" and off["precise_location_days"] is None
    assert "does not use your location" in off["explanation"]


async def test_clock_in_twice_or_out_without_in_is_a_conflict(
    client: httpx.AsyncClient, acme_workforce: Workforce
) -> None:
    out_first = await _clock(client, acme_workforce, "out")
    assert out_first.status_code == 409
    assert out_first.json()["detail"] == "You are not clocked in: clock in first."
    clock_in = await _clock(client, acme_workforce, "in", site_id=str(acme_workforce.sites["hq"]))
    assert clock_in.status_code == 201 and clock_in.json()["kind"] == "in"
    again = await _clock(client, acme_workforce, "in")
    assert again.status_code == 409 and "already clocked in" in again.json()["detail"]
    assert again.json()["reason"] == "already_clocked_in"
    clock_out = await _clock(client, acme_workforce, "out")
    assert clock_out.status_code == 201
    assert clock_out.json()["site_id"] == str(acme_workforce.sites["hq"])
    entry_id = clock_out.json()["time_entry_id"]
    assert entry_id
    entry = (
        await client.get(f"/api/v1/time-entries/{entry_id}", headers=acme_workforce.manager)
    ).json()
    assert entry["clock_in_event_id"] == clock_in.json()["id"]
    listed = (await client.get("/api/v1/me/clock-events", headers=acme_workforce.employee)).json()
    assert [e["time_entry_id"] for e in listed["items"]] == [entry_id, entry_id]
    assert entry["source"] == "clock" and entry["approval_state"] == "pending"
    assert (await _clock(client, acme_workforce, "out")).status_code == 409


async def test_simultaneous_clock_ins_yield_one_event(
    client: httpx.AsyncClient, acme_workforce: Workforce
) -> None:
    responses = await asyncio.gather(*(_clock(client, acme_workforce, "in") for _ in range(4)))
    assert sorted(r.status_code for r in responses) == [201, 409, 409, 409]
    events = await client.get("/api/v1/me/clock-events", headers=acme_workforce.employee)
    assert len(events.json()["items"]) == 1


BAD_CLOCK_INPUT: list[tuple[dict[str, Any], int, str]] = [
    ({"location": {"latitude": 90.5, "longitude": 13.4}}, 400, "location.latitude"),
    ({"location": {"latitude": 52.5, "longitude": -180.1}}, 400, "location.longitude"),
    ({"location": {"latitude": 52.5, "longitude": 13.4, "accuracy": -1}}, 400, "accuracy"),
    ({"location": {"latitude": 52.5}}, 400, "longitude"),
    ({"location": {"latitude": 52.5, "longitude": 13.4, "speed": 3}}, 400, "speed"),
    ({"location": {"latitude": "north", "longitude": 13.4}}, 400, "location.latitude"),
    ({"at": "2026-01-01T08:00:00"}, 400, "at"),
    ({"at": "soon"}, 400, "at"),
    ({"site_id": "not-a-uuid"}, 400, "site_id"),
    ({"site_id": "00000000-0000-0000-0000-000000000001"}, 422, "site_id"),
    ({"path": [[52.5, 13.4], [52.6, 13.5]]}, 400, "path"),
]


async def test_bad_clock_input_is_a_4xx_naming_the_field(
    client: httpx.AsyncClient, acme_workforce: Workforce
) -> None:
    outcomes = {}
    for body, _status, key in BAD_CLOCK_INPUT:
        for kind in ("in", "out"):
            if kind == "out":
                assert (await _clock(client, acme_workforce, "in")).status_code == 201
            response = await _clock(client, acme_workforce, kind, **body)
            named = key in str(response.json().get("errors"))
            outcomes[(kind, str(body))] = (response.status_code, named)
            if kind == "out":
                assert (await _clock(client, acme_workforce, "out")).status_code == 201
    assert outcomes == {
        (kind, str(body)): (status, True)
        for body, status, _ in BAD_CLOCK_INPUT
        for kind in ("in", "out")
    }


async def test_clock_times_must_be_now_within_a_small_skew(
    client: httpx.AsyncClient, acme_workforce: Workforce
) -> None:
    now = datetime.now(UTC)
    future = await _clock(client, acme_workforce, "in", at=iso(now + timedelta(minutes=10)))
    assert future.status_code == 422 and future.json()["errors"][0]["key"] == "at"
    assert "future" in future.json()["detail"]
    stale = await _clock(client, acme_workforce, "in", at=iso(now - timedelta(hours=25)))
    assert stale.status_code == 422 and stale.json()["errors"][0]["key"] == "at"
    skewed = await _clock(client, acme_workforce, "in", at=iso(now + timedelta(seconds=60)))
    assert skewed.status_code == 201
    before_in = await _clock(client, acme_workforce, "out", at=iso(now - timedelta(minutes=5)))
    assert before_in.status_code == 422 and before_in.json()["errors"][0]["key"] == "at"
    offline = await _clock(client, acme_workforce, "out", at=iso(now + timedelta(seconds=90)))
    assert offline.status_code == 201


async def test_archived_site_cannot_be_clocked_in_at(
    client: httpx.AsyncClient, acme_workforce: Workforce
) -> None:
    archived = await client.patch(
        f"/api/v1/sites/{acme_workforce.sites['yard']}",
        json={"active": False},
        headers=acme_workforce.admin,
    )
    assert archived.json()["active"] is False
    response = await _clock(client, acme_workforce, "in", site_id=str(acme_workforce.sites["yard"]))
    assert response.status_code == 422 and "archived" in response.json()["detail"]


async def test_geofence_mode_stores_only_the_on_site_answer(
    client: httpx.AsyncClient, acme_workforce: Workforce, owner: asyncpg.Pool
) -> None:
    clock_in = await _clock(
        client, acme_workforce, "in", site_id=str(acme_workforce.sites["hq"]), location=AT_HQ
    )
    assert clock_in.json()["location_mode"] == "geofence"
    assert clock_in.json()["location"] == {
        "status": "geofence",
        "latitude": None,
        "longitude": None,
        "accuracy": None,
        "on_site": True,
        "matched_site_id": str(acme_workforce.sites["hq"]),
    }
    away = await _clock(client, acme_workforce, "out", location=NOWHERE)
    assert away.json()["location"]["on_site"] is False
    assert away.json()["location"]["matched_site_id"] is None
    # Declared a site without a geofence while standing in the yard's.
    elsewhere = await _clock(
        client,
        acme_workforce,
        "in",
        role="client_manager",
        site_id=str(acme_workforce.sites["remote"]),
        location=AT_YARD,
    )
    assert elsewhere.json()["location"]["on_site"] is None
    assert elsewhere.json()["location"]["matched_site_id"] == str(acme_workforce.sites["yard"])

    rows = await raw_clock_events(owner, acme_workforce)
    assert len(rows) == 3
    for row in rows:
        assert row["location_sealed"] is None and row["location_key_id"] is None
        assert row["location_status"] == "geofence"
        for coordinate in ("52.52", "13.41", "48.13", "11.57", "52.48", "13.43"):
            assert coordinate not in row["as_json"]
    async with owner.acquire() as conn, conn.transaction():
        await conn.execute(
            "select set_config('app.tenant_id', $1, true)", str(acme_workforce.accounts.tenant_id)
        )
        assert await conn.fetchval("select count(*) from tenant_data_keys") == 0


async def test_off_mode_processes_no_location(
    client: httpx.AsyncClient, acme_workforce: Workforce, owner: asyncpg.Pool
) -> None:
    await set_location_mode(client, acme_workforce, "off")
    response = await _clock(
        client, acme_workforce, "in", site_id=str(acme_workforce.sites["hq"]), location=AT_HQ
    )
    assert response.status_code == 201
    assert response.json()["location"]["status"] == "not_collected"
    assert response.json()["location"]["on_site"] is None
    (row,) = await raw_clock_events(owner, acme_workforce)
    assert row["location_mode"] == "off" and row["on_site"] is None
    assert row["matched_site_id"] is None and row["location_sealed"] is None


async def test_precise_mode_seals_the_coordinates(
    client: httpx.AsyncClient, acme_workforce: Workforce, owner: asyncpg.Pool
) -> None:
    await set_location_mode(client, acme_workforce, "precise", 30)
    clock_in = await _clock(
        client, acme_workforce, "in", site_id=str(acme_workforce.sites["hq"]), location=AT_HQ
    )
    assert clock_in.json()["location"]["latitude"] == AT_HQ["latitude"]
    await _clock(client, acme_workforce, "out", location=AT_YARD)
    (row_in, row_out) = await raw_clock_events(owner, acme_workforce)
    for row in (row_in, row_out):
        assert row["location_status"] == "precise" and row["location_key_id"] is not None
        sealed = bytes(row["location_sealed"])
        assert b"52.52" not in sealed and b"13.41" not in sealed and b"52.48" not in sealed
        assert "52.52" not in row["as_json"] and "52.48" not in row["as_json"]
    assert (
        row_out["on_site"] is False and row_out["matched_site_id"] == acme_workforce.sites["yard"]
    )

    mine = (await client.get("/api/v1/me/clock-events", headers=acme_workforce.employee)).json()[
        "items"
    ]
    seen = [(e["kind"], e["location"]["latitude"], e["location"]["accuracy"]) for e in mine]
    assert seen == [("out", AT_YARD["latitude"], 8.0), ("in", AT_HQ["latitude"], 12.5)]
    managed = await client.get(
        f"/api/v1/clock-events?employee_id={acme_workforce.employees['employee']}",
        headers=acme_workforce.manager,
    )
    assert [e["location"]["status"] for e in managed.json()["items"]] == ["precise", "precise"]


async def test_clock_event_lists_filter_by_period_and_page(
    client: httpx.AsyncClient, acme_workforce: Workforce
) -> None:
    now = datetime.now(UTC)
    for hours, kind in ((10, "in"), (8, "out"), (6, "in"), (4, "out"), (2, "in")):
        response = await _clock(client, acme_workforce, kind, at=iso(now - timedelta(hours=hours)))
        assert response.status_code == 201, response.text
    await _clock(client, acme_workforce, "in", role="client_manager")

    page = (
        await client.get("/api/v1/me/clock-events?limit=2", headers=acme_workforce.employee)
    ).json()
    assert [e["kind"] for e in page["items"]] == ["in", "out"] and page["next_offset"] == 2
    last = await client.get(
        "/api/v1/me/clock-events?limit=2&offset=4", headers=acme_workforce.employee
    )
    assert len(last.json()["items"]) == 1 and last.json()["next_offset"] is None
    since = iso(now - timedelta(hours=7)).replace("+00:00", "Z")
    window = await client.get(
        "/api/v1/me/clock-events",
        params={"from": since, "to": iso(now - timedelta(hours=3))},
        headers=acme_workforce.employee,
    )
    assert [e["kind"] for e in window.json()["items"]] == ["out", "in"]
    everyone = await client.get("/api/v1/clock-events", headers=acme_workforce.manager)
    assert len(everyone.json()["items"]) == 6
    one = await client.get(
        f"/api/v1/clock-events?employee_id={acme_workforce.employees['client_manager']}",
        headers=acme_workforce.manager,
    )
    assert len(one.json()["items"]) == 1
    today = now.date().isoformat()
    by_date = await client.get(f"/api/v1/clock-events?from={today}", headers=acme_workforce.manager)
    assert by_date.status_code == 200

    bad = {
        "limit=500": ("limit", 400),
        "from=yesterday": ("from", 422),
        "from=2026-01-01T00:00:00": ("from", 422),
        f"from={today}&to={today}": ("to", 422),
    }
    for query, (key, status) in bad.items():
        response = await client.get(
            f"/api/v1/me/clock-events?{query}", headers=acme_workforce.employee
        )
        assert response.status_code == status, query
        assert response.json()["errors"][0]["key"] == key


async def test_an_employee_who_left_cannot_clock_in_but_can_clock_out(
    client: httpx.AsyncClient, acme_workforce: Workforce
) -> None:
    assert (await _clock(client, acme_workforce, "in")).status_code == 201
    left = await client.patch(
        f"/api/v1/employees/{acme_workforce.employees['employee']}",
        json={"status": "left"},
        headers=acme_workforce.admin,
    )
    assert left.status_code == 200
    assert (await _clock(client, acme_workforce, "out")).status_code == 201
    again = await _clock(client, acme_workforce, "in")
    assert again.status_code == 409 and "left" in again.json()["detail"]
