"""Alembic environment: always runs as the schema owner role.

The owner URL comes from ``config.attributes["owner_url"]`` (set by
``timeward migrate``) or the ``DATABASE_OWNER_URL`` environment variable; the
application role to grant privileges to from ``config.attributes["app_role"]``
or ``TIMEWARD_APP_ROLE``.
"""

from __future__ import annotations

import asyncio
import os

from alembic import context
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from timeward.config import APP_ROLE_DEFAULT
from timeward.db.models import metadata
from timeward.db.urls import async_url

config = context.config


def _owner_url() -> str:
    url = config.attributes.get("owner_url") or os.environ.get("DATABASE_OWNER_URL")
    if not url:
        raise RuntimeError("DATABASE_OWNER_URL is not set: migrations run as the schema owner")
    return str(url)


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        transaction_per_migration=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_online() -> None:
    engine = create_async_engine(async_url(_owner_url()), poolclass=NullPool)
    async with engine.connect() as connection:
        await connection.run_sync(_configure)
        await connection.commit()
    await engine.dispose()


config.attributes.setdefault("app_role", os.environ.get("TIMEWARD_APP_ROLE", APP_ROLE_DEFAULT))
if context.is_offline_mode():
    raise RuntimeError("offline migrations are not supported; run `timeward migrate`")
connection = config.attributes.get("connection")
if connection is None:
    asyncio.run(_run_online())
else:
    _configure(connection)
