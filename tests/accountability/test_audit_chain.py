"""The audit log is hash-chained per tenant and tampering is detected."""

from __future__ import annotations

import asyncio
from uuid import UUID

import asyncpg
from sqlalchemy import text

from tests.conftest import TenantFactory
from timeward.audit.log import AuditEntry, AuditLog, verify_tenant_chain
from timeward.db.session import Database, Scope

KEY = b"k" * 32


async def _append(db: Database, tenant: UUID, n: int, log: AuditLog) -> None:
    for i in range(n):
        async with db.transaction(Scope.TENANT, tenant) as session:
            await log.append(session, tenant, AuditEntry(action="test.event", details={"i": i}))


async def tamper(owner: asyncpg.Pool, tenant: UUID, statement: str) -> str:
    """Edit the log as the schema owner (forced RLS applies to it too)."""
    async with owner.acquire() as conn, conn.transaction():
        await conn.execute("select set_config('app.tenant_id', $1, true)", str(tenant))
        return str(await conn.execute(statement))


async def test_chain_verifies_and_detects_an_edited_row(
    db: Database, owner: asyncpg.Pool, make_tenant: TenantFactory
) -> None:
    tenant_a, tenant_b = await make_tenant("alpha"), await make_tenant("bravo")
    log = AuditLog(KEY)
    await _append(db, tenant_a, 5, log)
    await _append(db, tenant_b, 2, log)
    async with db.transaction(Scope.TENANT, tenant_a) as session:
        assert await verify_tenant_chain(session, tenant_a) is None

    changed = await tamper(
        owner, tenant_a, "update audit_events set details = '{\"i\": 99}' where seq = 3"
    )
    assert changed == "UPDATE 1"
    async with db.transaction(Scope.TENANT, tenant_a) as session:
        broken = await verify_tenant_chain(session, tenant_a)
    async with db.transaction(Scope.TENANT, tenant_b) as session:
        intact = await verify_tenant_chain(session, tenant_b)
    assert broken is not None and broken.seq == 3
    assert intact is None


async def test_deleted_row_is_a_sequence_gap(
    db: Database, owner: asyncpg.Pool, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant("alpha")
    await _append(db, tenant, 3, AuditLog(KEY))
    assert await tamper(owner, tenant, "delete from audit_events where seq = 2") == "DELETE 1"
    async with db.transaction(Scope.TENANT, tenant) as session:
        broken = await verify_tenant_chain(session, tenant)
    assert broken is not None and broken.seq == 3 and "gap" in broken.reason


async def test_concurrent_appends_keep_one_unbroken_chain(
    db: Database, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant("alpha")
    log = AuditLog(KEY)
    await asyncio.gather(*(_append(db, tenant, 2, log) for _ in range(10)))
    async with db.transaction(Scope.TENANT, tenant) as session:
        assert await verify_tenant_chain(session, tenant) is None
        head = await session.scalar(text("select seq from audit_chain_heads"))
    assert head == 20
