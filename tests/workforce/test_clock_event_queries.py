"""A page of clock events costs the same number of SQL statements whatever its size: the
manager's list and the employee's own list read the rows with their time entries and
open the sealed locations of the whole page at once, never per row."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import asyncpg
import httpx
import msgspec

from tenants.locations.service import Coordinates, location_aad
from tests.privacy.test_query_counts import counted_list, counted_statements
from tests.workforce.seed import AT_HQ, Workforce, set_location_mode
from timeward import clock
from timeward.crypto.aead import seal
from timeward.db.session import Database, Scope
from timeward.services import Services

LISTS = {
    "the manager's list": ("/api/v1/clock-events", "client_manager"),
    "the employee's own list": ("/api/v1/me/clock-events", "employee"),
}


async def clock_pairs(client: httpx.AsyncClient, workforce: Workforce, pairs: int) -> None:
    """In and out over HTTP in precise mode: sealed locations, a time entry per pair."""
    for kind in ("in", "out") * pairs:
        response = await client.post(
            f"/api/v1/clock/{kind}", json={"location": AT_HQ}, headers=workforce.employee
        )
        assert response.status_code == 201, response.text


async def insert_pairs(
    db: Database, services: Services, owner: asyncpg.Pool, workforce: Workforce, pairs: int
) -> None:
    """Older in/out pairs of the employee, each with its time entry, written directly; the
    clock-ins carry coordinates sealed under the tenant's key (each opens, as captured)."""
    tenant, employee = workforce.accounts.tenant_id, workforce.employees["employee"]
    async with db.transaction(Scope.TENANT, tenant) as session:
        key = await services.data_keys.for_sealing(session, tenant)
    plaintext = msgspec.json.encode(
        Coordinates(AT_HQ["latitude"], AT_HQ["longitude"], AT_HQ["accuracy"])
    )
    async with owner.acquire() as conn, conn.transaction():
        await conn.execute(
            "select set_config('app.tenant_id', $1, true), set_config('app.scope', 'tenant', true)",
            str(tenant),
        )
        rows = [(uuid4(), uuid4(), clock.now() - timedelta(days=n)) for n in range(1, pairs + 1)]
        await conn.executemany(
            "insert into clock_events (id, tenant_id, employee_id, kind, at, location_mode,"
            " location_status, location_sealed, location_key_id)"
            " values ($1, $2, $3, 'in', $4, 'precise', 'precise', $5, $6)",
            [
                (
                    in_id,
                    tenant,
                    employee,
                    at,
                    seal(key.secret, plaintext, location_aad(tenant, in_id)),
                    key.id,
                )
                for in_id, _, at in rows
            ],
        )
        await conn.executemany(
            "insert into clock_events (id, tenant_id, employee_id, kind, at, location_mode,"
            " location_status) values ($1, $2, $3, 'out', $4, 'geofence', 'not_collected')",
            [(out_id, tenant, employee, at + timedelta(hours=1)) for _, out_id, at in rows],
        )
        await conn.executemany(
            "insert into time_entries (id, tenant_id, employee_id, started_at, ended_at, source,"
            " clock_in_event_id, clock_out_event_id, approval_state)"
            " values ($1, $2, $3, $4, $5, 'clock', $6, $7, 'pending')",
            [
                (uuid4(), tenant, employee, at, at + timedelta(hours=1), in_id, out_id)
                for in_id, out_id, at in rows
            ],
        )


async def statements_per_list(
    client: httpx.AsyncClient, db: Database, workforce: Workforce, expected_rows: int
) -> dict[str, int]:
    counts = {}
    for name, (path, role) in LISTS.items():
        items, counts[name] = await counted_list(client, db, path, workforce.auth(role))
        assert len(items) == expected_rows, name
        assert all(item["time_entry_id"] for item in items), name
        sealed = [item["location"] for item in items if item["location"]["status"] == "precise"]
        assert sealed and all(at["latitude"] == AT_HQ["latitude"] for at in sealed), name
    return counts


async def test_a_clock_event_page_costs_the_same_statements_for_10_and_200_rows(
    client: httpx.AsyncClient,
    db: Database,
    services: Services,
    owner: asyncpg.Pool,
    acme_workforce: Workforce,
) -> None:
    await set_location_mode(client, acme_workforce, "precise", 7)
    await clock_pairs(client, acme_workforce, 5)
    ten = await statements_per_list(client, db, acme_workforce, 10)
    await insert_pairs(db, services, owner, acme_workforce, 95)
    two_hundred = await statements_per_list(client, db, acme_workforce, 200)

    assert len(ten) == 2 and all(ten.values()) and two_hundred == ten, (ten, two_hundred)


# What a clock step reads and writes, whatever the request around it costs (the account
# check, the tenant setting): statements naming these tables.
CLOCK_TABLES = (
    "employees",
    "tenant_settings",
    "clock_events",
    "time_entries",
    "job_sites",
    "tenant_data_keys",
)


async def statements_per_clock_step(
    client: httpx.AsyncClient, db: Database, workforce: Workforce, body: dict[str, object]
) -> dict[str, int]:
    counts = {}
    for kind in ("in", "out"):
        with counted_statements(db) as seen:
            response = await client.post(
                f"/api/v1/clock/{kind}", json=body, headers=workforce.employee
            )
        assert response.status_code == 201, response.text
        counts[kind] = sum(any(table in s for table in CLOCK_TABLES) for s in seen)
    return counts


async def test_a_clock_step_reads_and_writes_in_a_fixed_number_of_statements(
    client: httpx.AsyncClient, db: Database, acme_workforce: Workforce
) -> None:
    """In: the employee locked with the tenant's policy, the last event, the insert; out:
    also the time entry's insert. A position in precise mode adds the geofences and the
    tenant's data key (docs/performance.md, "List and clock routes, quiet-machine
    round")."""
    await clock_pairs(client, acme_workforce, 1)  # the caches filled, the data key made
    assert await statements_per_clock_step(client, db, acme_workforce, {}) == {"in": 3, "out": 4}
    await set_location_mode(client, acme_workforce, "precise", 7)
    await clock_pairs(client, acme_workforce, 1)
    with_position = await statements_per_clock_step(client, db, acme_workforce, {"location": AT_HQ})
    assert with_position == {"in": 5, "out": 6}
