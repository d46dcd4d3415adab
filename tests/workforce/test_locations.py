"""Sealed locations: bound to their row, unreadable once the tenant's data key is
destroyed (reported as unavailable, never a 500), and reduced after the tenant's
precise retention or when the tenant leaves precise mode."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

import asyncpg
import httpx
import pytest
from cryptography.exceptions import InvalidTag
from sqlalchemy import select

from tenants.locations.service import (
    location_aad,
    reduce_expired_locations,
    reduce_expired_locations_all_tenants,
)
from tests.accounts import log_in_all, seed_tenant
from tests.conftest import TEST_MASTER_KEY
from tests.workforce.seed import (
    AT_HQ,
    AT_YARD,
    Workforce,
    raw_clock_events,
    seed_workforce,
    set_location_mode,
)
from timeward.crypto.aead import unseal
from timeward.crypto.data_keys import DataKeys, destroy_tenant_data_key
from timeward.crypto.master_key import decode_master_key
from timeward.crypto.models import TenantDataKey
from timeward.db.session import Database, Scope
from timeward.services import Services


@pytest.fixture
async def acme_precise(acme_workforce: Workforce, client: httpx.AsyncClient) -> Workforce:
    """acme's workforce with precise locations kept for 7 days."""
    await set_location_mode(client, acme_workforce, "precise", 7)
    return acme_workforce


def _tenant(workforce: Workforce) -> UUID:
    assert workforce.accounts.tenant_id is not None
    return workforce.accounts.tenant_id


async def _shift(client: httpx.AsyncClient, workforce: Workforce, role: str = "employee") -> None:
    headers = workforce.auth(role)
    body = {"site_id": str(workforce.sites["hq"]), "location": AT_HQ}
    assert (await client.post("/api/v1/clock/in", json=body, headers=headers)).status_code == 201
    body = {"location": AT_YARD}
    assert (await client.post("/api/v1/clock/out", json=body, headers=headers)).status_code == 201


async def _my_locations(client: httpx.AsyncClient, workforce: Workforce) -> list[dict[str, object]]:
    response = await client.get("/api/v1/me/clock-events", headers=workforce.employee)
    assert response.status_code == 200, response.text
    return [event["location"] for event in response.json()["items"]]


async def test_a_ciphertext_moved_to_another_row_does_not_open(
    client: httpx.AsyncClient, acme_precise: Workforce, owner: asyncpg.Pool
) -> None:
    await _shift(client, acme_precise)
    first, second = await raw_clock_events(owner, acme_precise)
    async with owner.acquire() as conn, conn.transaction():
        await conn.execute(
            "select set_config('app.tenant_id', $1, true)", str(_tenant(acme_precise))
        )
        for target, source in ((first, second), (second, first)):
            await conn.execute(
                "update clock_events set location_sealed = $1 where id = $2",
                source["location_sealed"],
                target["id"],
            )
    locations = await _my_locations(client, acme_precise)
    assert [loc["status"] for loc in locations] == ["unavailable", "unavailable"]
    assert {loc["latitude"] for loc in locations} == {None}
    assert {loc["on_site"] for loc in locations} == {False, True}  # the geofence result stays


async def test_destroying_the_data_key_leaves_locations_unreadable(
    client: httpx.AsyncClient,
    acme_precise: Workforce,
    owner: asyncpg.Pool,
    db: Database,
    services: Services,
) -> None:
    await _shift(client, acme_precise)
    tenant_id = _tenant(acme_precise)
    other = await seed_workforce(client, await log_in_all(client, await seed_tenant(db, "globex")))
    await set_location_mode(client, other, "precise", 7)
    await _shift(client, other)
    before = await _my_locations(client, acme_precise)
    assert [loc["latitude"] for loc in before] == [AT_YARD["latitude"], AT_HQ["latitude"]]
    stored = await raw_clock_events(owner, acme_precise)

    async with db.transaction(Scope.TENANT, tenant_id) as session:
        assert await destroy_tenant_data_key(session, tenant_id, keys=services.data_keys) == 1
    async with db.transaction(Scope.TENANT, tenant_id) as session:
        assert await destroy_tenant_data_key(session, tenant_id, keys=services.data_keys) == 0
        (key_row,) = (await session.scalars(select(TenantDataKey))).all()
        assert key_row.wrapped_key is None and key_row.destroyed_at is not None
        # No key this or a freshly started process could unwrap opens the stored rows.
        fresh = DataKeys(decode_master_key(TEST_MASTER_KEY))
        for keys in (services.data_keys, fresh):
            assert await keys.for_opening(session, tenant_id, {key_row.id}) == {}
        replacement = await fresh.for_sealing(session, tenant_id)
        assert replacement.id != key_row.id
        for row in stored:
            with pytest.raises(InvalidTag):
                unseal(
                    replacement.secret, row["location_sealed"], location_aad(tenant_id, row["id"])
                )

    after = await _my_locations(client, acme_precise)
    assert [loc["status"] for loc in after] == ["unavailable", "unavailable"]
    assert [(loc["latitude"], loc["longitude"], loc["accuracy"]) for loc in after] == [
        (None, None, None)
    ] * 2
    assert [loc["on_site"] for loc in after] == [False, True]
    managed = await client.get("/api/v1/clock-events", headers=acme_precise.manager)
    assert managed.status_code == 200
    # Another tenant keeps its key; new clock events of this tenant use a new key.
    other_locations = await client.get("/api/v1/me/clock-events", headers=other.employee)
    assert {e["location"]["status"] for e in other_locations.json()["items"]} == {"precise"}
    await _shift(client, acme_precise)
    latest = await _my_locations(client, acme_precise)
    assert [loc["status"] for loc in latest] == ["precise", "precise", "unavailable", "unavailable"]


async def test_expired_precise_locations_are_reduced_to_the_geofence_result(
    client: httpx.AsyncClient, acme_precise: Workforce, owner: asyncpg.Pool, db: Database
) -> None:
    await _shift(client, acme_precise)
    await _shift(client, acme_precise, role="client_manager")
    tenant_id = _tenant(acme_precise)
    now = datetime.now(UTC)
    assert await reduce_expired_locations(db, tenant_id, now) == 0
    assert await reduce_expired_locations(db, tenant_id, now + timedelta(days=6)) == 0
    restricted = await client.patch(
        f"/api/v1/employees/{acme_precise.employees['client_manager']}",
        json={"processing_restricted": True},
        headers=acme_precise.admin,
    )
    assert restricted.status_code == 200
    later = now + timedelta(days=7, minutes=5)
    assert await reduce_expired_locations(db, tenant_id, later) == 2
    assert await reduce_expired_locations(db, tenant_id, later) == 0

    locations = await _my_locations(client, acme_precise)
    assert [loc["status"] for loc in locations] == ["reduced", "reduced"]
    assert [loc["latitude"] for loc in locations] == [None, None]
    assert [loc["on_site"] for loc in locations] == [False, True]
    assert [loc["matched_site_id"] for loc in locations] == [
        str(acme_precise.sites["yard"]),
        str(acme_precise.sites["hq"]),
    ]
    rows = await raw_clock_events(owner, acme_precise)
    reduced = [r for r in rows if r["employee_id"] == acme_precise.employees["employee"]]
    assert {(r["location_sealed"], r["location_key_id"]) for r in reduced} == {(None, None)}
    # The restricted employee's data is frozen: kept as it was until the restriction is lifted.
    frozen = [r for r in rows if r["employee_id"] == acme_precise.employees["client_manager"]]
    assert {r["location_status"] for r in frozen} == {"precise"}
    await client.patch(
        f"/api/v1/employees/{acme_precise.employees['client_manager']}",
        json={"processing_restricted": False},
        headers=acme_precise.admin,
    )
    assert await reduce_expired_locations_all_tenants(db, later) == 2


async def test_leaving_precise_mode_drops_stored_coordinates_at_once(
    client: httpx.AsyncClient, acme_precise: Workforce
) -> None:
    await _shift(client, acme_precise)
    changed = await set_location_mode(client, acme_precise, "geofence")
    assert changed["coordinates_reduced"] == 2
    assert [loc["status"] for loc in await _my_locations(client, acme_precise)] == [
        "reduced",
        "reduced",
    ]
    await set_location_mode(client, acme_precise, "precise", 7)
    await _shift(client, acme_precise)
    shorter = await set_location_mode(client, acme_precise, "precise", 1)
    assert shorter["coordinates_reduced"] == 0
    statuses = [loc["status"] for loc in await _my_locations(client, acme_precise)]
    assert statuses == ["precise", "precise", "reduced", "reduced"]


async def test_location_settings_are_validated(
    client: httpx.AsyncClient, acme_precise: Workforce
) -> None:
    for body, key in (
        ({"location_mode": "stream"}, "location_mode"),
        ({"location_mode": "precise", "precise_location_days": 0}, "precise_location_days"),
        ({"location_mode": "precise", "precise_location_days": 91}, "precise_location_days"),
        ({}, "location_mode"),
    ):
        response = await client.put(
            "/api/v1/settings/location", json=body, headers=acme_precise.admin
        )
        assert response.status_code == 400, body
        assert key in str(response.json()["errors"])
    current = await client.get("/api/v1/settings/location", headers=acme_precise.admin)
    assert current.json()["location_mode"] == "precise"
    assert current.json()["precise_location_days"] == 7
