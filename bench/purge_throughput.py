"""Retention purge throughput against a plain DELETE of the same rows, in one process.

Builds N expired rows (sent e-mails past the 90-day period) for one tenant, next to
another tenant's rows and some of its own recent ones, then:

1. runs the retention purge (``timeward.retention.service.purge_tenant``: batches of
   ``purge_batch_rows`` chosen by primary key, one tenant-scoped transaction per batch, as
   the application role under forced row-level security), timed;
2. rebuilds an identical set and deletes it with one plain ``DELETE ... WHERE tenant_id =
   $1 AND created_at < cutoff AND status <> 'pending'`` in one tenant-scoped transaction,
   as the same role, timed.

Prints rows per second for each and their ratio. Not a test: run it by hand::

    .venv/bin/python bench/purge_throughput.py --rows 200000

It uses TEST_DATABASE_URL (a superuser URL) or the local server on 127.0.0.1:5432, in a
database of its own that it drops at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from uuid import UUID

import asyncpg
from sqlalchemy import text

from timeward.config import APP_ROLE_DEFAULT
from timeward.db.bootstrap import RolePasswords, bootstrap_database
from timeward.db.migrate import upgrade_to_head
from timeward.db.session import Database, Scope
from timeward.db.urls import with_database
from timeward.identity.service import NewTenant, create_tenant
from timeward.retention.policy import default_policy
from timeward.retention.service import purge_tenant

ADMIN_URL = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
PASSWORD = "timeward-bench-password"


async def fill(owner: asyncpg.Connection, tenant_id: UUID, rows: int, age_days: int) -> None:
    async with owner.transaction():
        await owner.execute("select set_config('app.tenant_id', $1, true)", str(tenant_id))
        await owner.execute(
            "insert into outbound_emails (tenant_id, id, recipient, subject, body_text, status, "
            "created_at, sent_at) select $1, gen_random_uuid(), 'person' || g || '@example.test', "
            "'Your timesheet', repeat('body ', 20), 'sent', now() - make_interval(days => $3), "
            "now() - make_interval(days => $3) from generate_series(1, $2) g",
            tenant_id,
            rows,
            age_days,
        )
    await owner.execute("vacuum analyze outbound_emails")


async def plain_delete(database: Database, tenant_id: UUID, cutoff: datetime) -> int:
    async with database.transaction(Scope.TENANT, tenant_id) as session:
        result = await session.execute(
            text(
                "DELETE FROM outbound_emails WHERE tenant_id = :t AND created_at < :cutoff "
                "AND status <> 'pending'"
            ),
            {"t": tenant_id, "cutoff": cutoff},
        )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def main(rows: int, batch: int) -> None:
    name = f"timeward_bench_{os.getpid()}"
    urls = await bootstrap_database(
        ADMIN_URL, name, RolePasswords(PASSWORD, PASSWORD), recreate=True
    )
    await asyncio.to_thread(upgrade_to_head, urls.owner_url, APP_ROLE_DEFAULT)
    database = Database(urls.app_url, pool_size=2)
    owner = await asyncpg.connect(urls.owner_url)
    try:
        tenant = await create_tenant(database, NewTenant("bench-co", "Bench Co", "DE"))
        neighbour = await create_tenant(database, NewTenant("other-co", "Other Co", "DE"))
        await fill(owner, neighbour, rows, age_days=400)  # another tenant's expired rows
        await fill(owner, tenant, rows // 10, age_days=5)  # the tenant's recent rows stay
        policy = default_policy()
        only_mail = replace(
            policy,
            categories=MappingProxyType({"sent_emails": policy.categories["sent_emails"]}),
        )

        await fill(owner, tenant, rows, age_days=400)
        started = time.perf_counter()
        report = await purge_tenant(database, tenant, only_mail, batch_rows=batch, record=False)
        purge_seconds = time.perf_counter() - started
        purged = report.counts["sent_emails"]

        await fill(owner, tenant, rows, age_days=400)
        cutoff = datetime.now(UTC) - timedelta(days=only_mail.categories["sent_emails"].days)
        started = time.perf_counter()
        deleted = await plain_delete(database, tenant, cutoff)
        delete_seconds = time.perf_counter() - started
    finally:
        await owner.close()
        await database.dispose()
        admin = await asyncpg.connect(with_database(ADMIN_URL, "postgres"))
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()

    assert purged == deleted == rows, (purged, deleted, rows)
    purge_rate, delete_rate = purged / purge_seconds, deleted / delete_seconds
    print(f"rows: {rows}  purge batch: {batch}")
    print(f"retention purge: {purge_seconds:8.3f} s  {purge_rate:12,.0f} rows/s")
    print(f"plain DELETE:    {delete_seconds:8.3f} s  {delete_rate:12,.0f} rows/s")
    print(f"purge / plain DELETE throughput: {purge_rate / delete_rate:.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--batch", type=int, default=default_policy().instructions.purge_batch_rows)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.rows, arguments.batch))
