"""Returned data (return_data / offboarding export) of a tenant with 1,000,000 clock events:
the executor's export step in a worker process of its own, its peak RSS, and its time
against a plain ``COPY (SELECT ...) TO STDOUT`` of the same rows in the same run.

    .venv/bin/python -m bench.return_data_export [--events 1000000] [--sealed 0.25]

The tenant has 200 employees; ``--sealed`` of the events carry precise coordinates sealed
under the tenant's data key (the export opens every one of them); the rest are geofence
results. Rows are seeded with ``generate_series`` and ``COPY`` (seconds, not minutes).

The worker is ``python -m bench.return_data_export --worker ...``: it runs the real
``return_data`` instruction (export, deliver, certify, conclude) with ``run_instruction``
and reports how long the export step took; the parent reads the worker's peak RSS from
``getrusage(RUSAGE_CHILDREN)`` after it exits. The baseline copies, table by table, the
rows the export holds (``SELECT * ... WHERE tenant_id = ... ORDER BY`` primary key, as
the export reads them) as the application role with the same tenant setting, and throws
the bytes away.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta

import asyncpg
import msgspec
from sqlalchemy import text

from bench.harness import bench_database, machine
from tenants.locations.service import Coordinates, location_aad
from timeward.acting import Acting
from timeward.audit.log import AuditLog
from timeward.auth.keys import KeyRing
from timeward.crypto.aead import seal
from timeward.crypto.data_keys import DataKeys
from timeward.crypto.master_key import derive_key
from timeward.datamap.catalog import load_catalog
from timeward.datamap.deletion import quote
from timeward.db.session import Database, Scope
from timeward.identity.service import NewTenant, add_member, create_tenant
from timeward.instructions import executor
from timeward.instructions.executor import Phase
from timeward.instructions.instructing import NewInstruction, create_instruction
from timeward.instructions.states import Kind
from timeward.retention.policy import default_policy

MASTER_KEY = b"r" * 32
EMPLOYEES = 200


async def seed(
    database: Database, superuser_url: str, events: int, sealed_share: float
) -> tuple[uuid.UUID, uuid.UUID]:
    tenant = await create_tenant(database, NewTenant("return-bench", "Return Bench", "DE", "BE"))
    admin = await add_member(
        database, tenant, "admin@return.example", "bench password 1", "client_admin"
    )
    async with database.transaction(Scope.TENANT, tenant) as session:
        key = await DataKeys(MASTER_KEY).for_sealing(session, tenant)
    sealed = int(events * sealed_share)
    conn = await asyncpg.connect(superuser_url)  # a superuser: COPY into a table under RLS
    try:
        await conn.execute(
            "insert into employees (tenant_id, id, name, work_email, status) "
            "select $1, gen_random_uuid(), 'Worker ' || g, 'worker' || g || '@return.example', "
            "'active' from generate_series(1, $2) g",
            tenant,
            EMPLOYEES,
        )
        employees = [
            r["id"]
            for r in await conn.fetch("select id from employees where tenant_id = $1", tenant)
        ]
        await conn.execute(
            """
            insert into clock_events (tenant_id, id, employee_id, kind, at, location_mode,
                                      location_status, on_site)
            select $1, gen_random_uuid(), ($2::uuid[])[1 + g % $4],
                   case when (g / $4) % 2 = 0 then 'in' else 'out' end,
                   now() - interval '1 minute' * g, 'geofence', 'geofence', g % 3 <> 0
            from generate_series(1, $3) g
            """,
            tenant,
            employees,
            events - sealed,
            len(employees),
        )
        rng = random.Random(19)
        now = datetime.now(UTC)
        records = []
        for n in range(sealed):
            event_id = uuid.uuid4()
            point = Coordinates(52.5 + rng.random() / 10, 13.4 + rng.random() / 10, 12.0)
            plaintext = msgspec.json.encode(point)
            records.append(
                (
                    tenant,
                    event_id,
                    employees[n % len(employees)],
                    "in" if n % 2 else "out",
                    now - timedelta(minutes=n),
                    "precise",
                    "precise",
                    True,
                    seal(key.secret, plaintext, location_aad(tenant, event_id)),
                    key.id,
                )
            )
        await conn.copy_records_to_table(
            "clock_events",
            records=records,
            columns=[
                "tenant_id",
                "id",
                "employee_id",
                "kind",
                "at",
                "location_mode",
                "location_status",
                "on_site",
                "location_sealed",
                "location_key_id",
            ],
        )
        await conn.execute("vacuum analyze")
    finally:
        await conn.close()
    async with database.transaction(Scope.TENANT, tenant) as session:
        instruction = await create_instruction(
            session,
            tenant,
            NewInstruction(Kind.RETURN_DATA),
            Acting(admin, "client_admin"),
            audit=AuditLog(derive_key(MASTER_KEY, "audit-identity")),
        )
    return tenant, instruction.id


async def worker(app_url: str, tenant: uuid.UUID, instruction: uuid.UUID) -> None:
    """The worker process: run the instruction to its end, time the export step."""
    database = Database(app_url, pool_size=2)
    timed: dict[str, float] = {}
    export_step = executor.PHASE_STEPS[Phase.EXPORT]

    async def timed_export(job: executor.Job) -> executor.RunResult | None:
        started, cpu = time.perf_counter(), time.process_time()
        try:
            return await export_step(job)
        finally:
            timed["export"] = time.perf_counter() - started
            timed["export_cpu"] = time.process_time() - cpu

    executor.PHASE_STEPS[Phase.EXPORT] = timed_export
    context = executor.ExecutionContext(
        database=database,
        audit=AuditLog(derive_key(MASTER_KEY, "audit-identity")),
        keys=KeyRing(database, MASTER_KEY),
        master_key=MASTER_KEY,
        policy=default_policy(),
        settings=executor.ExecutionSettings(slice_seconds=3600),
    )
    started = time.perf_counter()
    try:
        while (await executor.run_instruction(context, tenant, instruction)).outcome not in (
            executor.Outcome.FINISHED,
            executor.Outcome.NOTHING,
        ):
            pass
    finally:
        await database.dispose()
    self_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "export_s": timed["export"],
                "cpu_s": timed["export_cpu"],
                "run_s": time.perf_counter() - started,
                "rss_kb": self_rss,
            }
        )
    )


async def copy_baseline(app_url: str, tenant: uuid.UUID) -> tuple[float, int, dict[str, int]]:
    """COPY ... TO STDOUT of every table the export holds, as the export reads them."""
    database = Database(app_url, pool_size=1)
    async with database.transaction(Scope.TENANT, tenant, read_only=True) as session:
        catalog = await load_catalog(session)
        counts = dict(
            (
                await session.execute(
                    text(
                        "select row_counts from data_exports where tenant_id = :t "
                        "and content is not null"
                    ),
                    {"t": tenant},
                )
            ).scalar_one()
        )
        size = (
            await session.execute(
                text("select size_bytes from data_exports where tenant_id = :t"), {"t": tenant}
            )
        ).scalar_one()
    await database.dispose()
    copied = 0

    async def discard(chunk: bytes) -> None:
        nonlocal copied
        copied += len(chunk)

    conn = await asyncpg.connect(app_url)
    try:
        started = time.perf_counter()
        async with conn.transaction(readonly=True):
            await conn.execute(
                "select set_config('app.tenant_id', $1, true), "
                "set_config('app.scope', 'tenant', true)",
                str(tenant),
            )
            for table in sorted(t for t, n in counts.items() if n):
                order = ", ".join(quote(c) for c in catalog[table].primary_key) or "ctid"
                await conn.copy_from_query(
                    f"SELECT * FROM {quote(table)} WHERE tenant_id = '{tenant}' ORDER BY {order}",
                    output=discard,
                )
        seconds = time.perf_counter() - started
    finally:
        await conn.close()
    return seconds, copied, counts | {"__zip_bytes": int(size)}


async def main(events: int, sealed_share: float) -> None:
    async with bench_database("timeward_bench_return") as bench:
        database = Database(bench.urls.app_url, pool_size=2)
        try:
            started = time.perf_counter()
            tenant, instruction = await seed(database, bench.superuser_url, events, sealed_share)
            seed_s = time.perf_counter() - started
        finally:
            await database.dispose()
        profile = os.environ.get("BENCH_PROFILE")  # a path: record the worker with py-spy
        spy = ["py-spy", "record", "--format", "raw", "-o", profile, "--"] if profile else []
        child = await asyncio.to_thread(
            subprocess.run,
            [
                *spy,
                sys.executable,
                "-m",
                "bench.return_data_export",
                "--worker",
                bench.urls.app_url,
                str(tenant),
                str(instruction),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if child.returncode:
            sys.exit(child.stderr[-4000:])
        report = json.loads([x for x in child.stdout.splitlines() if x.startswith("{")][-1])
        peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        copy_s, copied, counts = await copy_baseline(bench.urls.app_url, tenant)
    zip_bytes = counts.pop("__zip_bytes")
    print(f"machine: {machine()}, load average {os.getloadavg()[0]:.1f}")
    print(
        f"{events} clock events ({sealed_share:.0%} sealed) of {EMPLOYEES} employees, "
        f"seeded in {seed_s:.1f} s; {sum(counts.values())} rows in {len(counts)} tables"
    )
    print(
        f"export step (worker process)  {report['export_s']:7.2f} s   zip {zip_bytes / 2**20:.0f} MiB"
        f"   (CPU {report['cpu_s']:.2f} s; whole instruction {report['run_s']:.2f} s)"
    )
    print(f"COPY ... TO STDOUT (baseline) {copy_s:7.2f} s   {copied / 2**20:.0f} MiB of text")
    print(
        f"peak RSS of the worker        {peak_kb / 1024:7.0f} MiB (its own: {report['rss_kb'] / 1024:.0f} MiB)"
    )
    print(f"ratio COPY time / export time: {copy_s / report['export_s']:.2f} (target >= 0.3)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--sealed", type=float, default=0.25)
    parser.add_argument("--worker", nargs=3, metavar=("APP_URL", "TENANT", "INSTRUCTION"))
    arguments = parser.parse_args()
    if arguments.worker:
        app_url, tenant_id, instruction_id = arguments.worker
        asyncio.run(worker(app_url, uuid.UUID(tenant_id), uuid.UUID(instruction_id)))
    else:
        asyncio.run(main(arguments.events, arguments.sealed))
