"""Access-request export of one employee with five years of clock events: how long the
product's catalog-driven export takes (collect every linked row, open sealed locations,
build the JSON + CSV zip) against selecting the same employee's rows directly.

    .venv/bin/python -m bench.subject_export [--years 5]
"""

from __future__ import annotations

import argparse
import asyncio
import time
import uuid
from datetime import UTC, datetime

import asyncpg

from bench.harness import bench_database, print_comparison
from tenants.privacy_requests.export import collect, package
from tenants.privacy_requests.models import PrivacyRequest
from tenants.privacy_requests.subject import SubjectRef
from timeward.crypto.data_keys import DataKeys
from timeward.db.session import Database, Scope
from timeward.identity.service import NewTenant, add_member, create_tenant

MASTER_KEY = b"b" * 32


async def seed(db: Database, owner_url: str, years: int) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID]:
    tenant = await create_tenant(db, NewTenant("export-bench", "Export Bench", "DE", "BE"))
    user = await add_member(db, tenant, "worker@export.example", "bench password 1", "employee")
    employee = uuid.uuid4()
    conn = await asyncpg.connect(owner_url)
    try:
        async with conn.transaction():
            await conn.execute("select set_config('app.tenant_id', $1, true)", str(tenant))
            await conn.execute(
                "insert into employees (tenant_id, id, user_id, name, work_email, status) "
                "values ($1, $2, $3, 'Worker One', 'worker@export.example', 'active')",
                tenant,
                employee,
                user,
            )
            await conn.execute(
                """
                insert into clock_events (tenant_id, id, employee_id, kind, at, location_mode,
                                          location_status, on_site)
                select $1, gen_random_uuid(), $2, case when g % 2 = 0 then 'in' else 'out' end,
                       now() - interval '12 hours' * g, 'geofence', 'geofence', true
                from generate_series(1, $3) g
                """,
                tenant,
                employee,
                years * 365 * 2,
            )
        await conn.execute("analyze")
    finally:
        await conn.close()
    return tenant, employee, user


async def export_once(db: Database, subject: SubjectRef) -> tuple[int, int]:
    async with db.transaction(Scope.TENANT, subject.tenant_id, read_only=True) as session:
        tables = await collect(session, DataKeys(MASTER_KEY), subject)
    request = PrivacyRequest(
        tenant_id=subject.tenant_id,
        id=uuid.uuid4(),
        request_type="access",
        received_at=datetime.now(UTC),
    )
    exported = package(request, "Export Bench", subject, tables, datetime.now(UTC))
    rows = sum(len(t.rows) for t in tables)
    return rows, len(exported.content)


async def direct_once(app_url: str, subject: SubjectRef) -> int:
    conn = await asyncpg.connect(app_url)
    try:
        async with conn.transaction():
            await conn.execute(
                "select set_config('app.tenant_id', $1, true), set_config('app.scope', 'tenant', true)",
                str(subject.tenant_id),
            )
            events = await conn.fetch(
                "select * from clock_events where tenant_id = $1 and employee_id = $2",
                subject.tenant_id,
                subject.employee_id,
            )
            employee = await conn.fetch(
                "select * from employees where tenant_id = $1 and id = $2",
                subject.tenant_id,
                subject.employee_id,
            )
        return len(events) + len(employee)
    finally:
        await conn.close()


async def main(years: int) -> None:
    async with bench_database("timeward_bench_export") as bench:
        db = Database(bench.urls.app_url, pool_size=2)
        try:
            tenant, employee, user = await seed(db, bench.urls.owner_url, years)
            subject = SubjectRef(tenant, employee, user)
            await export_once(db, subject)  # warm-up
            started = time.perf_counter()
            rows, size = await export_once(db, subject)
            export_s = time.perf_counter() - started
            started = time.perf_counter()
            direct_rows = await direct_once(bench.urls.app_url, subject)
            direct_s = time.perf_counter() - started
        finally:
            await db.dispose()
    print_comparison(
        f"{years} years of clock events ({years * 365 * 2} events) for one employee",
        ("export (collect + zip)  ", export_s, f"  {rows} rows, {size / 1024:.0f} KiB zip"),
        ("same rows selected      ", direct_s, f"  {direct_rows} rows"),
        "export / select time",
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--years", type=int, default=5)
    asyncio.run(main(parser.parse_args().years))
