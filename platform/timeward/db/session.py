"""Sessions that carry their row-level-security scope.

Every session declares a scope when it is made. An ``after_begin`` hook applies
it to each transaction with ``set_config(..., true)`` (transaction-local), so a
commit halfway through a request re-applies it and a pooled connection never
carries a tenant into the next checkout.

- ``tenant``: rows of one tenant only; the tenant id is mandatory.
- ``platform``: processor metadata across tenants (tenants, instructions...);
  personal-data tables return nothing because no tenant is set.
- ``auth``: identity look-ups before a tenant is known (login by email and slug).
"""

from __future__ import annotations

import enum
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from uuid import UUID

from sqlalchemy import event, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import Session, SessionTransaction

from timeward.db.urls import async_url

SCOPE_KEY = "timeward.scope"
TENANT_KEY = "timeward.tenant_id"
READ_ONLY_KEY = "timeward.read_only"


class Scope(enum.StrEnum):
    TENANT = "tenant"
    PLATFORM = "platform"
    AUTH = "auth"


class MissingTenantContext(RuntimeError):
    """A tenant-scoped session began a transaction without a tenant."""


class ScopedSession(Session):
    """Session class whose transactions always run under a declared RLS scope."""


@event.listens_for(ScopedSession, "after_begin")
def _apply_scope(session: Session, _tx: SessionTransaction, connection: Connection) -> None:
    scope = session.info.get(SCOPE_KEY)
    tenant_id = session.info.get(TENANT_KEY)
    if scope is None:
        raise MissingTenantContext("session has no scope; use Database.*_session()")
    if scope == Scope.TENANT and tenant_id is None:
        raise MissingTenantContext("tenant-scoped session without a tenant id")
    connection.exec_driver_sql(
        "select set_config('app.tenant_id', $1, true), set_config('app.scope', $2, true)",
        (str(tenant_id) if tenant_id else "", str(scope)),
    )
    if session.info.get(READ_ONLY_KEY):
        connection.exec_driver_sql("SET TRANSACTION READ ONLY")


class Database:
    """The application's connection pool and the only way to open a session."""

    def __init__(self, url: str, *, pool_size: int = 10, echo: bool = False) -> None:
        self.engine: AsyncEngine = create_async_engine(
            async_url(url),
            pool_size=pool_size,
            max_overflow=pool_size,
            pool_recycle=1800,  # no pre-ping: it would cost a round trip per checkout
            echo=echo,
        )
        self._factory = async_sessionmaker(
            self.engine, expire_on_commit=False, sync_session_class=ScopedSession
        )

    def _session(
        self, scope: Scope, tenant_id: UUID | None = None, *, read_only: bool = False
    ) -> AsyncSession:
        if scope == Scope.TENANT and tenant_id is None:
            raise MissingTenantContext("a tenant-scoped session needs a tenant id")
        info: dict[str, Any] = {SCOPE_KEY: scope, TENANT_KEY: tenant_id, READ_ONLY_KEY: read_only}
        return self._factory(info=info)

    def tenant_session(self, tenant_id: UUID) -> AsyncSession:
        return self._session(Scope.TENANT, tenant_id)

    def platform_session(self) -> AsyncSession:
        return self._session(Scope.PLATFORM)

    def auth_session(self) -> AsyncSession:
        return self._session(Scope.AUTH)

    @asynccontextmanager
    async def transaction(
        self, scope: Scope, tenant_id: UUID | None = None, *, read_only: bool = False
    ) -> AsyncIterator[AsyncSession]:
        """A session in one transaction: committed on success, rolled back on error."""
        session = self._session(scope, tenant_id, read_only=read_only)
        async with session, session.begin():
            yield session

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(text("select 1"))

    async def dispose(self) -> None:
        await self.engine.dispose()
