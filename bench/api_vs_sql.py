"""Throughput of the API against the same data access run directly through asyncpg.

50 tenants, a manager listing clock events (80 % of requests) and employees clocking in
and out (20 %), 50 concurrent clients. The API runs in its own uvicorn process (one
worker); the baseline runs the list and insert statements the endpoints execute, with
the same per-transaction tenant setting, on an asyncpg pool in this process.

    .venv/bin/python -m bench.api_vs_sql [--requests 3000] [--concurrency 50]
"""

from __future__ import annotations

import argparse
import asyncio
import random

import asyncpg
import httpx

from bench.harness import (
    BenchDatabase,
    Timing,
    bench_database,
    machine,
    run_concurrently,
    start_api,
    stop_api,
)
from bench.workload import BenchTenant, create_tenants, populate
from timeward.db.session import Database

LIST_SQL = """
select id, employee_id, kind, at, site_id, location_mode, location_status, on_site,
       matched_site_id, location_sealed, location_key_id, created_at
from clock_events where tenant_id = $1 order by at desc, id limit 51
"""
LAST_SQL = """
select kind from clock_events where tenant_id = $1 and employee_id = $2
order by at desc limit 1
"""
INSERT_SQL = """
insert into clock_events (tenant_id, id, employee_id, kind, at, location_mode, location_status)
values ($1, gen_random_uuid(), $2, $3, now(), 'geofence', 'not_collected')
"""


def plan(tenants: list[BenchTenant], total: int) -> list[tuple[str, BenchTenant, int]]:
    rng = random.Random(7)
    return [
        ("read" if rng.random() < 0.8 else "write", rng.choice(tenants), rng.randrange(1000))
        for _ in range(total)
    ]


async def api_run(
    base: str,
    steps: list[tuple[str, BenchTenant, int]],
    concurrency: int,
    state: dict[tuple[str, int], str],
) -> Timing:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as http:

        async def operation(i: int) -> None:
            kind, tenant, pick = steps[i]
            if kind == "read":
                token = tenant.tokens[tenant.manager_email]
                response = await http.get(
                    "/api/v1/clock-events?limit=50", headers={"Authorization": f"Bearer {token}"}
                )
            else:
                email = tenant.employee_emails[pick % len(tenant.employee_emails)]
                key = (tenant.slug, pick % len(tenant.employee_emails))
                action = "out" if state.get(key) == "in" else "in"
                state[key] = action
                response = await http.post(
                    f"/api/v1/clock/{action}",
                    json={},
                    headers={"Authorization": f"Bearer {tenant.tokens[email]}"},
                )
            if response.status_code == 409:  # two clock steps of one employee crossed: refused
                return
            if response.status_code >= 400:
                raise RuntimeError(f"{response.status_code} {response.text[:200]}")

        return await run_concurrently(
            "API (HTTP, auth, RLS, ORM)", operation, len(steps), concurrency
        )


async def sql_run(
    db: BenchDatabase, steps: list[tuple[str, BenchTenant, int]], concurrency: int
) -> Timing:
    pool = await asyncpg.create_pool(db.urls.app_url, min_size=10, max_size=10)
    state: dict[tuple[str, int], str] = {}
    try:

        async def operation(i: int) -> None:
            kind, tenant, pick = steps[i]
            async with pool.acquire() as conn, conn.transaction():
                await conn.execute(
                    "select set_config('app.tenant_id', $1, true), set_config('app.scope', 'tenant', true)",
                    str(tenant.tenant_id),
                )
                if kind == "read":
                    await conn.fetch(LIST_SQL, tenant.tenant_id)
                    return
                n = pick % len(tenant.employee_ids)
                employee = tenant.employee_ids[n]
                await conn.execute(
                    "select 1 from employees where tenant_id = $1 and id = $2 for update",
                    tenant.tenant_id,
                    employee,
                )
                await conn.fetchval(LAST_SQL, tenant.tenant_id, employee)
                action = "out" if state.get((tenant.slug, n)) == "in" else "in"
                state[(tenant.slug, n)] = action
                await conn.execute(INSERT_SQL, tenant.tenant_id, employee, action)

        return await run_concurrently(
            "same SQL via asyncpg (RLS on)", operation, len(steps), concurrency
        )
    finally:
        await pool.close()


async def main(requests: int, concurrency: int, tenants_count: int) -> None:
    async with bench_database("timeward_bench_api") as db:
        database = Database(db.urls.app_url, pool_size=5)
        tenants = await create_tenants(database, tenants_count, employees=4)
        await database.dispose()
        process, base = start_api(db.urls.app_url)
        try:
            async with httpx.AsyncClient(base_url=base, timeout=60) as http:
                await populate(http, db.urls.owner_url, tenants, events_per_employee=200)
            steps = plan(tenants, requests)
            clocked: dict[tuple[str, int], str] = {}
            await api_run(base, steps[:200], concurrency, clocked)  # warm-up
            api = await api_run(base, steps, concurrency, clocked)
        finally:
            stop_api(process)
        sql = await sql_run(db, steps, concurrency)
    print(f"machine: {machine()}")
    print(
        f"{tenants_count} tenants, {requests} requests (80 % list, 20 % clock), {concurrency} concurrent"
    )
    print(api.describe())
    print(sql.describe())
    print(f"ratio API / SQL throughput: {api.per_second / sql.per_second:.3f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--tenants", type=int, default=50)
    args = parser.parse_args()
    asyncio.run(main(args.requests, args.concurrency, args.tenants))
