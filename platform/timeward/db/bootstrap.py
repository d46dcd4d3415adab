"""Create the database and its two roles on a server we administer.

Used by the embedded default, by ``timeward setup-db`` against a server of your
own, and by the test suite. In production a DBA does this once and hands the
owner credentials to the migration job and the application ones to the API.
"""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from timeward.config import APP_ROLE_DEFAULT, OWNER_ROLE_DEFAULT
from timeward.db.urls import with_database, with_user


@dataclass(frozen=True)
class DatabaseUrls:
    app_url: str
    owner_url: str


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _quote_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


async def _ensure_role(conn: asyncpg.Connection, role: str, password: str) -> None:
    exists = await conn.fetchval("select 1 from pg_roles where rolname = $1", role)
    verb = "ALTER" if exists else "CREATE"
    await conn.execute(
        f"{verb} ROLE {_quote_ident(role)} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEROLE "
        f"NOCREATEDB PASSWORD {_quote_literal(password)}"
    )


async def bootstrap_database(
    admin_url: str,
    database: str,
    password: str,
    *,
    owner_role: str = OWNER_ROLE_DEFAULT,
    app_role: str = APP_ROLE_DEFAULT,
    recreate: bool = False,
) -> DatabaseUrls:
    """Ensure both roles and the database exist; returns the URL of each role."""
    conn = await asyncpg.connect(with_database(admin_url, "postgres"))
    try:
        await _ensure_role(conn, owner_role, password)
        await _ensure_role(conn, app_role, password)
        if recreate:
            await conn.execute(f"DROP DATABASE IF EXISTS {_quote_ident(database)} WITH (FORCE)")
        if not await conn.fetchval("select 1 from pg_database where datname = $1", database):
            await conn.execute(
                f"CREATE DATABASE {_quote_ident(database)} OWNER {_quote_ident(owner_role)}"
            )
        await conn.execute(
            f"GRANT CONNECT ON DATABASE {_quote_ident(database)} TO {_quote_ident(app_role)}"
        )
    finally:
        await conn.close()
    target = with_database(admin_url, database)
    return DatabaseUrls(
        app_url=with_user(target, app_role, password),
        owner_url=with_user(target, owner_role, password),
    )
