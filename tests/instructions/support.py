"""Helpers for instruction tests: filling tenant tables, checksums, waiting for a status,
giving instructions, placing and releasing legal holds, following receipt links."""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import UUID

import asyncpg
import httpx

from tests.accounts import Accounts
from tests.fixtures.jobs import Jobs
from timeward.db.session import Database, Scope
from timeward.instructions.jobs import reconcile_instructions
from timeward.notifications.service import notify

DONE = {"completed", "partially_completed", "failed"}
PUBLIC_URL = "http://127.0.0.1:8000"  # the test settings' public URL, in receipt links


async def tenant_table_names(owner: asyncpg.Pool) -> list[str]:
    async with owner.acquire() as conn:
        rows = await conn.fetch(
            "select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace "
            "join pg_attribute a on a.attrelid = c.oid and a.attname = 'tenant_id' "
            "where n.nspname = 'public' and c.relkind = 'r' order by c.relname"
        )
    return [row["relname"] for row in rows]


async def checksums(owner: asyncpg.Pool, tenant_id: UUID) -> dict[str, tuple[int, str]]:
    """Row count and md5 of the ordered rows of every tenant table, for one tenant (as the
    owner under FORCE RLS: the tenant is set in the transaction)."""
    result = {}
    async with owner.acquire() as conn, conn.transaction():
        await conn.execute("select set_config('app.tenant_id', $1, true)", str(tenant_id))
        for table in await tenant_table_names(owner):
            row = await conn.fetchrow(
                "select count(*) as n, "
                "md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as digest "
                f'from "{table}" t where tenant_id = $1',
                tenant_id,
            )
            result[table] = (row["n"], row["digest"])
    return result


async def counts(owner: asyncpg.Pool, tenant_id: UUID) -> dict[str, int]:
    return {table: n for table, (n, _) in (await checksums(owner, tenant_id)).items()}


async def fill_notifications(
    db: Database, tenant_id: UUID, user_id: UUID, n: int, kind: str = "timesheet.ready"
) -> None:
    async with db.transaction(Scope.TENANT, tenant_id) as session:
        for i in range(n):
            await notify(session, tenant_id, [user_id], kind, f"Note {i}", "body")


async def bulk_fill(owner: asyncpg.Pool, tenant_id: UUID, user_id: UUID, rows: int) -> None:
    """Many rows fast: notifications and sent e-mails made by generate_series as the owner."""
    async with owner.acquire() as conn, conn.transaction():
        await conn.execute("select set_config('app.tenant_id', $1, true)", str(tenant_id))
        await conn.execute(
            "insert into notifications (tenant_id, id, user_id, kind, title, body) "
            "select $1, gen_random_uuid(), $2, 'bulk.note', 'Title ' || g, 'Body ' || g "
            "from generate_series(1, $3) g",
            tenant_id,
            user_id,
            rows,
        )
        await conn.execute(
            "insert into outbound_emails (tenant_id, id, recipient, subject, body_text, status, "
            "sent_at) select $1, gen_random_uuid(), 'person' || g || '@example.test', 'S', "
            "'Body ' || g, 'sent', now() from generate_series(1, $2) g",
            tenant_id,
            rows,
        )


async def wait_for_status(
    client: httpx.AsyncClient,
    accounts: Accounts,
    instruction_id: str,
    statuses: set[str],
    *,
    within: float = 30.0,
) -> dict[str, Any]:
    deadline = asyncio.get_running_loop().time() + within
    while True:
        response = await client.get(
            f"/api/v1/instructions/{instruction_id}", headers=accounts.auth("client_admin")
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        if body["instruction"]["status"] in statuses:
            return body
        assert asyncio.get_running_loop().time() < deadline, body
        await asyncio.sleep(0.1)


async def instruct(client: httpx.AsyncClient, accounts: Accounts, **body: Any) -> dict[str, Any]:
    """Give an instruction as the tenant's client admin; the 201 body."""
    response = await client.post(
        "/api/v1/instructions", json=body, headers=accounts.auth("client_admin")
    )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def end_grace_period(owner: asyncpg.Pool, tenant_id: UUID, instruction_id: str) -> None:
    """Move the offboarding's deletion start (and its wake-up) an hour into the past."""
    async with owner.acquire() as conn, conn.transaction():
        await conn.execute("select set_config('app.tenant_id', $1, true)", str(tenant_id))
        changed = await conn.execute(
            "update instructions set deletion_starts_at = now() - interval '1 hour', "
            "not_before = least(not_before, now() - interval '1 hour'), "
            "enqueued_at = now() - interval '1 hour' where tenant_id = $1 and id = $2",
            tenant_id,
            UUID(instruction_id),
        )
    assert changed == "UPDATE 1"


async def pass_grace_period(
    owner: asyncpg.Pool, jobs: Jobs, tenant_id: UUID, instruction_id: str
) -> None:
    """End the grace period and let the reconciler pick the instruction up."""
    await end_grace_period(owner, tenant_id, instruction_id)
    reconcile_instructions.send()
    await jobs.drain(timeout_s=30)


async def offboard(
    client: httpx.AsyncClient, owner: asyncpg.Pool, jobs: Jobs, accounts: Accounts
) -> dict[str, Any]:
    """Offboard the tenant, confirmed, and let the grace period pass: the 201 body."""
    assert accounts.tenant_id
    created = await instruct(client, accounts, kind="offboard_tenant", confirm_slug=accounts.slug)
    await jobs.drain(timeout_s=30)
    await pass_grace_period(owner, jobs, accounts.tenant_id, created["instruction"]["id"])
    return created


async def follow(client: httpx.AsyncClient, link: str) -> httpx.Response:
    """GET a receipt link (an absolute URL under the public URL) through the test client."""
    return await client.get(link.replace(PUBLIC_URL, ""))


async def place_hold(
    client: httpx.AsyncClient, staff: Accounts, tenant_id: UUID | None, **body: Any
) -> dict[str, Any]:
    """A legal hold placed by a platform admin (a court order unless ``body`` says otherwise:
    ``scope``, ``client_may_be_told`` and the subject are the caller's); the 201 body."""
    response = await client.post(
        "/api/v1/platform/legal-holds",
        json={
            "tenant_id": str(tenant_id),
            "basis": "Court order",
            "reference": "12 O 34/27",
            **body,
        },
        headers=staff.auth("platform_admin"),
    )
    assert response.status_code == 201, response.text
    hold: dict[str, Any] = response.json()
    return hold


async def release_hold(client: httpx.AsyncClient, staff: Accounts, hold_id: str) -> None:
    response = await client.post(
        f"/api/v1/platform/legal-holds/{hold_id}/release",
        json={"reason": "proceedings closed"},
        headers=staff.auth("platform_admin"),
    )
    assert response.status_code == 200, response.text
