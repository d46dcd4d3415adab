"""Reading, verifying and pseudonymising the audit log, over HTTP and the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import asyncpg
import httpx
import pytest
from sqlalchemy import select

from tests.accounts import Accounts, log_in_all, seed_platform
from tests.conftest import TEST_MASTER_KEY
from timeward.audit.log import verify_tenant_chain
from timeward.audit.models import AuditEvent
from timeward.audit.service import pseudonym_for, pseudonymise_subject
from timeward.db.bootstrap import DatabaseUrls
from timeward.db.session import Database, Scope
from timeward.services import Services


async def test_client_admin_reads_and_filters_events(
    client: httpx.AsyncClient, acme: Accounts
) -> None:
    everything = await client.get("/api/v1/audit-events", headers=acme.auth("client_admin"))
    logins = await client.get(
        "/api/v1/audit-events",
        params={"action": "auth.login", "actor_id": str(acme.user_id("employee"))},
        headers=acme.auth("client_admin"),
    )
    assert {e["action"] for e in everything.json()["items"]} >= {"auth.login"}
    [login] = logins.json()["items"]
    assert login["subject_id"] == str(acme.user_id("employee")) and login["request_id"]
    seqs = [e["seq"] for e in everything.json()["items"]]
    assert seqs == sorted(seqs, reverse=True)


async def test_platform_staff_read_only_processor_events(
    client: httpx.AsyncClient, acme: Accounts, db: Database
) -> None:
    staff = await log_in_all(client, await seed_platform(db))
    await client.patch(
        f"/api/v1/platform/tenants/{acme.tenant_id}",
        json={"status": "active"},
        headers=staff.auth("platform_admin"),
    )
    events = await client.get("/api/v1/audit-events", headers=staff.auth("platform_staff"))
    actions = {e["action"] for e in events.json()["items"]}
    assert "tenant.status_changed" in actions
    assert not actions & {"user.created"}, "tenant events must not reach the platform"
    assert all(e["subject_id"] != str(acme.user_id("employee")) for e in events.json()["items"])


async def test_verify_reports_the_first_broken_link(
    client: httpx.AsyncClient, acme: Accounts, owner: asyncpg.Pool
) -> None:
    intact = await client.get("/api/v1/audit-events/verify", headers=acme.auth("client_admin"))
    assert intact.json() == {"intact": True}
    async with owner.acquire() as conn, conn.transaction():
        await conn.execute("select set_config('app.tenant_id', $1, true)", str(acme.tenant_id))
        status = await conn.execute("update audit_events set action = 'forged' where seq = 2")
    assert status == "UPDATE 1"
    broken = await client.get("/api/v1/audit-events/verify", headers=acme.auth("client_admin"))
    assert broken.json() == {
        "intact": False,
        "first_broken_seq": 2,
        "reason": "digest does not match the event's content",
    }


async def test_pseudonymisation_keeps_facts_and_chain(
    acme: Accounts, db: Database, services: Services
) -> None:
    subject = acme.user_id("employee")
    tenant = acme.tenant_id
    assert tenant is not None
    async with db.transaction(Scope.TENANT, tenant) as session:
        before = (
            await session.scalars(select(AuditEvent).where(AuditEvent.subject_id == subject))
        ).all()
        changed = await pseudonymise_subject(session, services.audit.key, tenant, subject)
    assert before and changed == len(before)
    pseudonym = pseudonym_for(services.audit.key, tenant, subject)
    async with db.transaction(Scope.TENANT, tenant) as session:
        rows = (await session.scalars(select(AuditEvent).order_by(AuditEvent.seq))).all()
        assert await verify_tenant_chain(session, tenant) is None
    assert all(subject not in (e.actor_id, e.subject_id) for e in rows)
    assert [e.action for e in rows if e.subject_id == pseudonym] == [e.action for e in before]


async def test_application_role_cannot_pseudonymise_outside_a_tenant(
    db: Database, acme: Accounts
) -> None:
    async with db.transaction(Scope.PLATFORM) as session:
        with pytest.raises(Exception, match="tenant-scoped"):
            await pseudonymise_subject(session, b"k" * 32, acme.tenant_id, acme.user_id("employee"))  # type: ignore[arg-type]


def test_cli_verify_finds_tampering(
    database_urls: DatabaseUrls, acme: Accounts, owner: asyncpg.Pool, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": database_urls.app_url,
        "TIMEWARD_MASTER_KEY": TEST_MASTER_KEY,
        "TIMEWARD_DATA_DIR": str(tmp_path),
    }
    command = [sys.executable, "-m", "timeward.cli", "audit", "verify", "--tenant", "acme"]
    ok = subprocess.run(command, env=env, capture_output=True, text=True)
    assert (ok.returncode, ok.stdout.strip()) == (0, "acme: intact")
    conn = subprocess.run(
        [
            "psql",
            database_urls.owner_url,
            "-c",
            f"begin; select set_config('app.tenant_id', '{acme.tenant_id}', true); "
            "delete from audit_events where seq = 1; commit;",
        ],
        capture_output=True,
        text=True,
    )
    assert conn.returncode == 0, conn.stderr
    broken = subprocess.run(command, env=env, capture_output=True, text=True)
    assert broken.returncode == 1
    assert broken.stdout.strip() == "acme: BROKEN at seq 2: sequence gap: expected 1"
