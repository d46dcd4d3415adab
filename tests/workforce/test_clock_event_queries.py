"""A page of clock events costs the same number of SQL statements whatever its size: the
manager's list and the employee's own list read the rows with their time entries and
open the sealed locations of the whole page at once, never per row."""

from __future__ import annotations

import asyncpg
import httpx

from tests.privacy.test_query_counts import counted_list
from tests.workforce.seed import AT_HQ, Workforce, set_location_mode
from timeward.db.session import Database

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


async def insert_pairs(owner: asyncpg.Pool, workforce: Workforce, pairs: int) -> None:
    """Older in/out pairs of the employee, each with its time entry, written directly."""
    tenant, employee = workforce.accounts.tenant_id, workforce.employees["employee"]
    async with owner.acquire() as conn, conn.transaction():
        await conn.execute(
            "select set_config('app.tenant_id', $1, true), set_config('app.scope', 'tenant', true)",
            str(tenant),
        )
        rows = await conn.fetch(
            "select gen_random_uuid() as in_id, gen_random_uuid() as out_id,"
            " now() - make_interval(days => g) as started from generate_series(1, $1) g",
            pairs,
        )
        for kind, id_column, offset in (("in", "in_id", "0"), ("out", "out_id", "1 hour")):
            await conn.executemany(
                "insert into clock_events (id, tenant_id, employee_id, kind, at, location_mode,"
                " location_status) values ($1, $2, $3, $4,"
                f" $5::timestamptz + interval '{offset}', 'geofence', 'not_collected')",
                [(row[id_column], tenant, employee, kind, row["started"]) for row in rows],
            )
        await conn.executemany(
            "insert into time_entries (id, tenant_id, employee_id, started_at, ended_at, source,"
            " clock_in_event_id, clock_out_event_id, approval_state) values"
            " (gen_random_uuid(), $1, $2, $3, $3::timestamptz + interval '1 hour', 'clock',"
            " $4, $5, 'pending')",
            [(tenant, employee, row["started"], row["in_id"], row["out_id"]) for row in rows],
        )


async def statements_per_list(
    client: httpx.AsyncClient, db: Database, workforce: Workforce, expected_rows: int
) -> dict[str, int]:
    counts = {}
    for name, (path, role) in LISTS.items():
        items, counts[name] = await counted_list(client, db, path, workforce.auth(role))
        assert len(items) == expected_rows, name
        assert all(item["time_entry_id"] for item in items), name
        assert items[0]["location"]["latitude"] == AT_HQ["latitude"], name  # opened
    return counts


async def test_a_clock_event_page_costs_the_same_statements_for_10_and_200_rows(
    client: httpx.AsyncClient, db: Database, owner: asyncpg.Pool, acme_workforce: Workforce
) -> None:
    await set_location_mode(client, acme_workforce, "precise", 7)
    await clock_pairs(client, acme_workforce, 5)
    ten = await statements_per_list(client, db, acme_workforce, 10)
    await insert_pairs(owner, acme_workforce, 95)
    two_hundred = await statements_per_list(client, db, acme_workforce, 200)

    assert len(ten) == 2 and all(ten.values()) and two_hundred == ten, (ten, two_hundred)
