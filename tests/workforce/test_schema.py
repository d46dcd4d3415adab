"""The workforce tables as migrated: they match the models (columns, types, keys, indexes;
Alembic does not compare check constraints), and tenant_id leads every
primary key, foreign key and index (so they distribute by tenant on Citus unchanged)."""

from __future__ import annotations

from typing import Any

import asyncpg
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Table
from sqlalchemy.ext.asyncio import create_async_engine

from timeward.db.bootstrap import DatabaseUrls
from timeward.db.models import metadata
from timeward.db.urls import async_url

WORKFORCE_TABLES = (
    "tenant_data_keys",
    "tenant_settings",
    "employees",
    "job_sites",
    "clock_events",
    "time_entries",
    "period_locks",
)

LEADING_COLUMNS_SQL = """
select c.conname as name, a.attname as leading
from pg_constraint c
join pg_attribute a on a.attrelid = c.conrelid and a.attnum = c.conkey[1]
where c.conrelid = $1::regclass and c.contype in ('p', 'f', 'u')
union all
select i.indexrelid::regclass::text, a.attname
from pg_index i
join pg_attribute a on a.attrelid = i.indrelid and a.attnum = i.indkey[0]
where i.indrelid = $1::regclass
"""


def _table_of(diff: Any) -> str | None:
    """The table an Alembic autogenerate diff is about."""
    if isinstance(diff, list):  # column modifications: [(op, schema, table, column, ...)]
        return str(diff[0][2])
    item = diff[1]
    if isinstance(item, Table):
        return str(item.name)
    table = getattr(item, "table", None)
    if table is not None:
        return str(table.name)
    return str(diff[2]) if len(diff) > 2 and isinstance(diff[2], str) else None


async def schema_drift(database_urls: DatabaseUrls, tables: tuple[str, ...]) -> list[Any]:
    """Where the migrated tables differ from the models (Alembic autogenerate's diffs)."""
    engine = create_async_engine(async_url(database_urls.owner_url))
    try:
        async with engine.connect() as conn:
            diffs = await conn.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync), metadata)
            )
    finally:
        await engine.dispose()
    return [d for d in diffs if _table_of(d) in tables]


async def test_models_match_migration_0004(database_urls: DatabaseUrls) -> None:
    assert await schema_drift(database_urls, WORKFORCE_TABLES) == []


async def test_tenant_id_leads_every_key_and_index(owner: asyncpg.Pool) -> None:
    not_leading = []
    async with owner.acquire() as conn:
        for table in WORKFORCE_TABLES:
            rows = await conn.fetch(LEADING_COLUMNS_SQL, table)
            assert rows, table
            not_leading += [
                f"{table}.{row['name']}" for row in rows if row["leading"] != "tenant_id"
            ]
    assert not_leading == []
