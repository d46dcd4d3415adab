"""Create the database and its two roles on a server we administer.

Used by the embedded default, by ``timeward setup-db`` against a server of your
own, and by the test suite. In production a DBA does this once and hands the
owner credentials to the migration job and the application ones to the API.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from timeward.config import APP_ROLE_DEFAULT, OWNER_ROLE_DEFAULT
from timeward.db.urls import with_database, with_user


@dataclass(frozen=True)
class RolePasswords:
    owner: str
    app: str

    @classmethod
    def local(cls, data_dir: Path) -> RolePasswords:
        """Distinct passwords for the two roles, made once and kept in the data folder."""
        return cls(owner=_kept_secret(data_dir, "owner"), app=_kept_secret(data_dir, "app"))


def _kept_secret(data_dir: Path, role: str) -> str:
    path = data_dir / f"db-password-{role}"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(24))
        path.chmod(0o600)
    return path.read_text().strip()


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
    passwords: RolePasswords,
    *,
    owner_role: str = OWNER_ROLE_DEFAULT,
    app_role: str = APP_ROLE_DEFAULT,
    recreate: bool = False,
) -> DatabaseUrls:
    """Ensure both roles and the database exist; returns the URL of each role."""
    conn = await asyncpg.connect(with_database(admin_url, "postgres"))
    try:
        await _ensure_role(conn, owner_role, passwords.owner)
        await _ensure_role(conn, app_role, passwords.app)
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
        app_url=with_user(target, app_role, passwords.app),
        owner_url=with_user(target, owner_role, passwords.owner),
    )
