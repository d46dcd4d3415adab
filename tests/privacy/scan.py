"""The erasure scan: every text and json column of every table, and every file stored in a
bytea column (zips opened, each member searched), for the person's values."""

from __future__ import annotations

import io
import zipfile
from uuid import UUID

import asyncpg

from tests.database import admin_url
from timeward.db.bootstrap import DatabaseUrls
from timeward.db.urls import with_database

SCAN_COLUMNS = """
select n.nspname as schema, c.relname as table, a.attname as column,
       format_type(a.atttypid, a.atttypmod) as type
from pg_class c
join pg_namespace n on n.oid = c.relnamespace
join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
where n.nspname = 'public' and c.relkind in ('r', 'p')
  and (format_type(a.atttypid, a.atttypmod) in ('text', 'json', 'jsonb', 'text[]')
       or format_type(a.atttypid, a.atttypmod) like 'character%')
order by 1, 2, 3
"""


async def scan(conn: asyncpg.Connection, needles: dict[str, str]) -> list[str]:
    """Every (table.column, what) where any needle occurs, in the rows this connection sees."""
    found = []
    for row in await conn.fetch(SCAN_COLUMNS):
        column = f'"{row["table"]}"."{row["column"]}"'
        for what, needle in needles.items():
            hit = await conn.fetchval(
                f'select count(*) from "{row["table"]}" where {column}::text ilike $1',
                f"%{needle}%",
            )
            if hit:
                found.append(f"{row['table']}.{row['column']}: {what}")
    return found + await scan_files(conn, needles)


FILE_COLUMNS = """
select c.relname as table, a.attname as column
from pg_class c
join pg_namespace n on n.oid = c.relnamespace
join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
where n.nspname = 'public' and c.relkind in ('r', 'p') and a.atttypid = 'bytea'::regtype
order by 1, 2
"""


def _texts(blob: bytes) -> dict[str, str]:
    """A stored file's texts by member name: the members of a zip, else the file itself."""
    try:
        with zipfile.ZipFile(io.BytesIO(blob)) as archive:
            return {m: archive.read(m).decode("utf-8", "replace") for m in archive.namelist()}
    except zipfile.BadZipFile:
        return {"": blob.decode("utf-8", "replace")}


async def scan_files(conn: asyncpg.Connection, needles: dict[str, str]) -> list[str]:
    """Every (table.column/member, what) where a needle occurs inside a stored file."""
    found = []
    for row in await conn.fetch(FILE_COLUMNS):
        column = f'"{row["table"]}"."{row["column"]}"'
        for (blob,) in await conn.fetch(
            f'select {column} from "{row["table"]}" where {column} is not null'
        ):
            for member, content in _texts(blob).items():
                found += [
                    f"{row['table']}.{row['column']}/{member}: {what}"
                    for what, needle in needles.items()
                    if needle.lower() in content.lower()
                ]
    return found


async def scan_everything(
    owner: asyncpg.Pool, database_urls: DatabaseUrls, tenants: list[UUID], needles: dict[str, str]
) -> list[str]:
    """As the owner (FORCE RLS applies: once per tenant and per scope), then as a superuser
    (no RLS at all) as a backstop that no policy hides a row."""
    found: set[str] = set()
    async with owner.acquire() as conn:
        settings = [(str(t), "tenant") for t in tenants] + [("", "auth"), ("", "platform")]
        for tenant, scope in settings:
            async with conn.transaction():
                await conn.execute(
                    "select set_config('app.tenant_id', $1, true), "
                    "set_config('app.scope', $2, true)",
                    tenant,
                    scope,
                )
                found.update(await scan(conn, needles))
    superuser = await asyncpg.connect(
        with_database(admin_url(), database_urls.app_url.rsplit("/", 1)[1])
    )
    try:
        found.update(await scan(superuser, needles))
    finally:
        await superuser.close()
    return sorted(found)
