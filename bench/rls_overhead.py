"""Cost of row-level security: the same queries as the application role (RLS forced,
tenant set per transaction) and as a superuser (RLS bypassed), in one process.

    .venv/bin/python -m bench.rls_overhead [--queries 4000] [--concurrency 10]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import uuid

import asyncpg

from bench.harness import bench_database, machine, run_concurrently

TENANTS, EMPLOYEES, EVENTS = 50, 5, 400
QUERIES = {
    "list page": (
        "select id, employee_id, kind, at from clock_events where tenant_id = $1 "
        "order by at desc, id limit 50"
    ),
    "one employee's month": (
        "select count(*), min(at), max(at) from clock_events where tenant_id = $1 "
        "and employee_id = $2 and at > now() - interval '30 days'"
    ),
}


async def seed(superuser_url: str) -> list[tuple[uuid.UUID, list[uuid.UUID]]]:
    conn = await asyncpg.connect(superuser_url)
    tenants = []
    try:
        for n in range(TENANTS):
            tenant = uuid.uuid4()
            await conn.execute(
                "insert into tenants (id, slug, name, status, country) values ($1, $2, $3, 'active', 'DE')",
                tenant,
                f"rls-{n}",
                f"RLS {n}",
            )
            employees = [uuid.uuid4() for _ in range(EMPLOYEES)]
            for e, employee in enumerate(employees):
                await conn.execute(
                    "insert into employees (tenant_id, id, name, status) values ($1, $2, $3, 'active')",
                    tenant,
                    employee,
                    f"Employee {e}",
                )
                await conn.execute(
                    """
                    insert into clock_events (tenant_id, id, employee_id, kind, at, location_mode, location_status)
                    select $1, gen_random_uuid(), $2, case when g % 2 = 0 then 'in' else 'out' end,
                           now() - interval '1 hour' * g, 'geofence', 'not_collected'
                    from generate_series(1, $3) g
                    """,
                    tenant,
                    employee,
                    EVENTS,
                )
            tenants.append((tenant, employees))
        await conn.execute("analyze")
    finally:
        await conn.close()
    return tenants


async def measure(
    url: str, label: str, sql: str, tenants, total: int, concurrency: int, set_tenant: bool
):  # type: ignore[no-untyped-def]
    pool = await asyncpg.create_pool(url, min_size=concurrency, max_size=concurrency)
    rng = random.Random(3)
    picks = [rng.choice(tenants) for _ in range(total)]

    async def operation(i: int) -> None:
        tenant, employees = picks[i]
        args = (tenant, employees[i % len(employees)]) if "$2" in sql else (tenant,)
        async with pool.acquire() as conn, conn.transaction():
            if set_tenant:
                await conn.execute(
                    "select set_config('app.tenant_id', $1, true), set_config('app.scope', 'tenant', true)",
                    str(tenant),
                )
            rows = await conn.fetch(sql, *args)
            assert rows

    try:
        return await run_concurrently(label, operation, total, concurrency)
    finally:
        await pool.close()


async def main(total: int, concurrency: int) -> None:
    async with bench_database("timeward_bench_rls") as db:
        tenants = await seed(db.superuser_url)
        print(f"machine: {machine()}")
        print(
            f"{TENANTS} tenants x {EMPLOYEES} employees x {EVENTS} clock events; {total} queries, {concurrency} concurrent"
        )
        for name, sql in QUERIES.items():
            await measure(db.superuser_url, "warm-up", sql, tenants, 200, concurrency, False)
            runs = [
                (db.urls.app_url, f"{name}: app role, RLS", True),
                (db.superuser_url, f"{name}: no RLS, same set_config", True),
                (db.superuser_url, f"{name}: no RLS, query only", False),
            ]
            timings = [
                await measure(url, label, sql, tenants, total, concurrency, set_tenant)
                for url, label, set_tenant in runs
            ]
            for timing in timings:
                print(timing.describe())
            rls, same, bare = (t.per_second for t in timings)
            print(f"ratio RLS / no RLS, policy cost alone:        {rls / same:.3f}")
            print(f"ratio RLS / bare query, incl. set_config trip: {rls / bare:.3f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--queries", type=int, default=4000)
    parser.add_argument("--concurrency", type=int, default=10)
    args = parser.parse_args()
    asyncio.run(main(args.queries, args.concurrency))
