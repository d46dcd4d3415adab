"""A per-process cache of the account check, emptied by PostgreSQL notifications.

Every authenticated request asks "may this token still act?" (``actor_role``). The
answer is kept for at most :data:`TTL_SECONDS`, and only while this process listens on
the ``timeward_account`` channel: a trigger on ``users``, ``memberships``,
``platform_staff`` and ``tenants`` (migration 0026) notifies the changed user (or ``*``
for a tenant), and every process drops what it holds at once. A process that is not
listening (connection lost, not yet connected) caches nothing and asks the database on
every request, as before. Only positive answers are kept. See docs/performance.md,
"API request path".
"""

from __future__ import annotations

import asyncio
import time
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import Any
from uuid import UUID

import asyncpg
import structlog
from sqlalchemy import event
from sqlalchemy.orm import Session, UOWTransaction

from timeward.db.session import Database, ScopedSession
from timeward.db.urls import asyncpg_dsn
from timeward.identity.models import Membership, PlatformStaff, Tenant, User

CHANNEL = "timeward_account"
TTL_SECONDS = 3.0
HEARTBEAT_SECONDS = 0.5
MAX_ENTRIES = 50_000

log = structlog.get_logger("timeward.auth")

Key = tuple[UUID, UUID | None]


ACCOUNT_MODELS = (User, Membership, PlatformStaff, Tenant)
CHANGED_KEY = "timeward.accounts_changed"
_caches: weakref.WeakSet[AccountCache] = weakref.WeakSet()


class AccountCache:
    def __init__(self, ttl: float = TTL_SECONDS) -> None:
        self._ttl = ttl
        self._entries: dict[Key, tuple[str, float]] = {}
        self._generation = 0
        self.listening = False
        _caches.add(self)

    @property
    def generation(self) -> int:
        """Changes whenever entries are dropped: an answer fetched before is not kept."""
        return self._generation

    def get(self, user_id: UUID, tenant_id: UUID | None) -> str | None:
        if not self.listening:
            return None
        hit = self._entries.get((user_id, tenant_id))
        if hit is None:
            return None
        role, expires = hit
        if expires < time.monotonic():
            del self._entries[(user_id, tenant_id)]
            return None
        return role

    def put(self, user_id: UUID, tenant_id: UUID | None, role: str, generation: int) -> None:
        if not self.listening or generation != self._generation:
            return
        if len(self._entries) >= MAX_ENTRIES:
            self._entries.clear()
        self._entries[(user_id, tenant_id)] = (role, time.monotonic() + self._ttl)

    def drop(self, payload: str) -> None:
        """A notification: one user's answers, or everything (``*``)."""
        self._generation += 1
        if payload == "*":
            self._entries.clear()
            return
        try:
            user_id = UUID(payload)
        except ValueError:
            self._entries.clear()
            return
        for key in [k for k in self._entries if k[0] == user_id]:
            del self._entries[key]

    def stop_caching(self) -> None:
        self.listening = False
        self.drop("*")


def listen_dsn(database: Database) -> str:
    """The pool's own server and role, for the listening connection."""
    return asyncpg_dsn(database.engine.url)


@asynccontextmanager
async def listening(cache: AccountCache, dsn: str) -> AsyncIterator[None]:
    """Keep a LISTEN connection for the app's lifetime; reconnect when it fails."""
    task = asyncio.create_task(_listen_forever(cache, dsn))
    try:
        yield
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task
        cache.stop_caching()


async def _listen_forever(cache: AccountCache, dsn: str) -> None:
    while True:
        connection: asyncpg.Connection[Any] | None = None
        try:
            connection = await asyncpg.connect(dsn, timeout=5)
            await connection.add_listener(
                CHANNEL, lambda _conn, _pid, _channel, payload: cache.drop(str(payload))
            )
            cache.drop("*")
            cache.listening = True
            # A connection lost without a word would leave stale answers for up to the
            # TTL: a heartbeat stops caching within HEARTBEAT_SECONDS of any failure.
            while True:
                await asyncio.sleep(HEARTBEAT_SECONDS)
                await connection.execute("select 1", timeout=HEARTBEAT_SECONDS)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # any failure: stop caching, retry
            cache.stop_caching()
            log.warning("account_cache.not_listening", error=type(exc).__name__)
            await asyncio.sleep(1)
        finally:
            cache.stop_caching()
            if connection is not None:
                with suppress(Exception):
                    await connection.close(timeout=1)


# A change this process commits itself is dropped here at once, not only when its own
# notification comes back (which is what every other process waits for).
@event.listens_for(ScopedSession, "after_flush")
def _note_account_changes(session: Session, _flush: UOWTransaction) -> None:
    touched = (*session.new, *session.dirty, *session.deleted)
    if any(isinstance(instance, ACCOUNT_MODELS) for instance in touched):
        session.info[CHANGED_KEY] = True


@event.listens_for(ScopedSession, "after_commit")
def _drop_after_own_change(session: Session) -> None:
    if session.info.pop(CHANGED_KEY, False):
        for cache in list(_caches):
            cache.drop("*")
