"""Which job is working on an instruction: a PostgreSQL session-level advisory lock.

The executor holds the lock on a connection of its own for as long as it works. If its
process dies (even SIGKILL), the server drops the connection and the lock with it, so
"no live job" is a fact the reconciler can read from ``pg_locks`` instead of guessing
from timestamps; and two copies of a message never work on one instruction at once.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from uuid import UUID

import structlog
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from timeward.db.session import Database

LOCK_CLASS = 0x54570001  # "TW", 1: instruction executors (first key of the two-key form)

log = structlog.get_logger("timeward.instructions")


def lock_key(instruction_id: UUID) -> int:
    """The second key: 31 bits of the id (a collision only makes one of two wait)."""
    return int.from_bytes(instruction_id.bytes[:4], "big") & 0x7FFFFFFF


@asynccontextmanager
async def instruction_lock(database: Database, instruction_id: UUID) -> AsyncIterator[bool]:
    """Yields True when this process now holds the instruction's lock, False when another
    live job does. The lock is released (or its connection discarded) on exit."""
    key = {"c": LOCK_CLASS, "k": lock_key(instruction_id)}
    async with database.engine.connect() as conn:
        held = bool(await conn.scalar(text("select pg_try_advisory_lock(:c, :k)"), key))
        await conn.commit()
        try:
            yield held
        finally:
            if held:
                try:
                    await conn.execute(text("select pg_advisory_unlock(:c, :k)"), key)
                    await conn.commit()
                except Exception:  # never return a connection that may still hold it
                    log.warning("instruction.unlock_failed", instruction_id=str(instruction_id))
                    await conn.invalidate()


async def live_jobs(session: AsyncSession, instruction_ids: Iterable[UUID]) -> set[UUID]:
    """The instructions some live connection holds the executor lock for."""
    by_key = {lock_key(i): i for i in instruction_ids}
    if not by_key:
        return set()
    rows = await session.scalars(
        text(
            "select objid::bigint from pg_locks where locktype = 'advisory' and granted "
            "and objsubid = 2 and classid::bigint = :c and database = "
            "(select oid from pg_database where datname = current_database())"
        ),
        {"c": LOCK_CLASS},
    )
    return {by_key[key] for key in rows.all() if key in by_key}
