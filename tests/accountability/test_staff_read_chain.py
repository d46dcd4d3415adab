"""Staff reads never wait for the chain's head lock, and stay tamper-evident.

docs/performance.md, "API request path": a ``personal_data.read`` is chained at the end
of the reading transaction when the tenant's head row is free; when another transaction
holds it, the read waits in ``audit_pending_reads`` until the tenant's next chained
write, a listing or verification of the log, or the minute's job folds it in.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import httpx
from sqlalchemy import func, select

from tests.accounts import Accounts
from tests.fixtures.jobs import Jobs
from tests.workforce.test_schema import schema_drift
from timeward.audit.jobs import fold_staff_reads
from timeward.audit.log import AuditEntry, verify_tenant_chain
from timeward.audit.models import AuditEvent, AuditPendingRead
from timeward.db.bootstrap import DatabaseUrls
from timeward.db.session import Database, Scope
from timeward.services import Services

READ = "personal_data.read"


async def _pending(db: Database, acme: Accounts) -> int:
    async with db.transaction(Scope.TENANT, acme.tenant_id) as session:
        return int(await session.scalar(select(func.count()).select_from(AuditPendingRead)) or 0)


async def _reads_in_chain(db: Database, acme: Accounts) -> list[AuditEvent]:
    async with db.transaction(Scope.TENANT, acme.tenant_id) as session:
        query = select(AuditEvent).where(AuditEvent.action == READ).order_by(AuditEvent.seq)
        return list((await session.scalars(query)).all())


@asynccontextmanager
async def _head_held(owner: asyncpg.Pool, acme: Accounts) -> AsyncIterator[None]:
    """Another transaction holds the tenant's chain head (as a long append would)."""
    async with owner.acquire() as conn, conn.transaction():
        await conn.execute("select set_config('app.tenant_id', $1, true)", str(acme.tenant_id))
        held = await conn.fetchval("select seq from audit_chain_heads for update")
        assert held is not None
        yield


async def _read(client: httpx.AsyncClient, acme: Accounts, role: str = "client_manager") -> None:
    """A staff read of personal data; it must not wait for the head."""
    response = await asyncio.wait_for(
        client.get("/api/v1/clock-events", headers=acme.auth(role)), timeout=10
    )
    assert response.status_code == 200


async def test_a_read_is_chained_when_it_commits(
    client: httpx.AsyncClient, acme: Accounts, db: Database
) -> None:
    await _read(client, acme)
    assert await _pending(db, acme) == 0
    [read] = await _reads_in_chain(db, acme)
    assert read.actor_role == "client_manager"


async def test_a_read_does_not_wait_for_a_held_head_and_is_chained_later_tamper_evident(
    client: httpx.AsyncClient, acme: Accounts, db: Database, owner: asyncpg.Pool
) -> None:
    async with _head_held(owner, acme):
        await _read(client, acme)
        assert await _pending(db, acme) == 1 and await _reads_in_chain(db, acme) == []

    verified = await client.get("/api/v1/audit-events/verify", headers=acme.auth("client_admin"))
    assert verified.json() == {"intact": True}
    assert await _pending(db, acme) == 0
    [read] = await _reads_in_chain(db, acme)
    assert read.actor_role == "client_manager"
    assert read.details == {"route": "GET /api/v1/clock-events"}

    async with owner.acquire() as conn, conn.transaction():
        await conn.execute("select set_config('app.tenant_id', $1, true)", str(acme.tenant_id))
        status = await conn.execute(
            'update audit_events set details = \'{"route": "GET /elsewhere"}\' where seq = $1',
            read.seq,
        )
    assert status == "UPDATE 1"
    broken = await client.get("/api/v1/audit-events/verify", headers=acme.auth("client_admin"))
    assert broken.json()["first_broken_seq"] == read.seq


async def test_a_read_on_a_free_head_chains_the_pending_reads_first_oldest_first(
    client: httpx.AsyncClient, acme: Accounts, db: Database, owner: asyncpg.Pool
) -> None:
    async with _head_held(owner, acme):
        await _read(client, acme, "client_admin")
        await _read(client, acme, "client_manager")
    assert await _pending(db, acme) == 2

    await _read(client, acme, "client_manager")
    assert await _pending(db, acme) == 0
    reads = await _reads_in_chain(db, acme)
    assert [r.actor_role for r in reads] == ["client_admin", "client_manager", "client_manager"]
    assert [r.seq for r in reads] == list(range(reads[0].seq, reads[0].seq + 3))
    assert reads[0].at < reads[1].at < reads[2].at
    async with db.transaction(Scope.TENANT, acme.tenant_id) as session:
        assert await verify_tenant_chain(session, acme.tenant_id) is None


async def test_concurrent_reads_and_writes_keep_one_unbroken_chain(
    client: httpx.AsyncClient, acme: Accounts, db: Database, services: Services
) -> None:
    async def read() -> None:
        response = await client.get("/api/v1/employees", headers=acme.auth("client_manager"))
        assert response.status_code == 200

    async def write(i: int) -> None:
        async with db.transaction(Scope.TENANT, acme.tenant_id) as session:
            await services.audit.append(
                session, acme.tenant_id, AuditEntry("test.event", details={"i": i})
            )

    await asyncio.gather(*(read() for _ in range(20)), *(write(i) for i in range(5)))
    listed = await client.get(
        "/api/v1/audit-events",
        params={"action": READ, "limit": 200},
        headers=acme.auth("client_admin"),
    )
    assert len(listed.json()["items"]) == 20
    async with db.transaction(Scope.TENANT, acme.tenant_id) as session:
        assert await verify_tenant_chain(session, acme.tenant_id) is None
    assert await _pending(db, acme) == 0


async def test_the_minute_job_folds_a_quiet_tenants_reads(
    client: httpx.AsyncClient, acme: Accounts, db: Database, owner: asyncpg.Pool, jobs: Jobs
) -> None:
    async with _head_held(owner, acme):
        for _ in range(3):
            await _read(client, acme, "client_admin")
    assert await _pending(db, acme) == 3
    fold_staff_reads.send()
    await jobs.drain()
    assert await _pending(db, acme) == 0
    assert len(await _reads_in_chain(db, acme)) == 3
    async with db.transaction(Scope.TENANT, acme.tenant_id) as session:
        assert await verify_tenant_chain(session, acme.tenant_id) is None


async def test_pending_reads_match_migration_0026(database_urls: DatabaseUrls) -> None:
    assert await schema_drift(database_urls, ("audit_pending_reads",)) == []
