"""Retention: periods per tenant within the policy's bounds, and a purge that deletes only
what is past them, only in its tenant, never what a legal hold covers."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from types import MappingProxyType
from uuid import UUID

import asyncpg
import httpx
import pytest

from tests.accounts import Accounts
from tests.instructions.support import checksums, counts
from timeward.audit.log import AuditEntry, verify_tenant_chain
from timeward.db.session import Database, Scope
from timeward.instructions.holds import HoldScope, NewHold, place_hold
from timeward.retention.policy import (
    RetentionPolicyError,
    default_policy,
    load_policy,
    parse_policy,
)
from timeward.retention.service import purge_tenant
from timeward.services import Services


async def sent_emails(
    owner: asyncpg.Pool, tenant_id: UUID | None, n: int, age_days: int, status: str = "sent"
) -> None:
    async with owner.acquire() as conn, conn.transaction():
        await conn.execute("select set_config('app.tenant_id', $1, true)", str(tenant_id))
        await conn.execute(
            "insert into outbound_emails (tenant_id, id, recipient, subject, body_text, status, "
            "created_at) select $1, gen_random_uuid(), 'p' || g || '@example.test', 'S', 'B', $4, "
            "now() - make_interval(days => $3) from generate_series(1, $2) g",
            tenant_id,
            n,
            age_days,
            status,
        )


def test_the_shipped_policy_loads_and_bad_ones_are_refused(tmp_path: Path) -> None:
    policy = default_policy()
    assert {"clock_events", "time_entries", "closed_privacy_requests", "audit_events"} <= set(
        policy.categories
    )
    assert policy.categories["time_entries"].table == "time_entries"
    assert "instructions" in policy.instructions.retained_tables
    for broken in (
        {"categories": {"x": {"table": "t", "timestamp": "at"}}, "instructions": {}},
        {"categories": {"x": {"table": "t; drop", "timestamp": "at", "days": 1}}},
        {"categories": {"x": {"table": "t", "timestamp": "at", "days": 1, "dayz": 2}}},
        {
            "categories": {"x": {"table": "t", "timestamp": "at", "days": 5, "min_days": 7}},
            "instructions": {"export_days": 1, "purge_batch_rows": 1},
        },
    ):
        with pytest.raises(RetentionPolicyError):
            parse_policy(broken)
    path = tmp_path / "retention.toml"
    path.write_text('[categories.x]\ntable = "t"\ntimestamp = "at"\ndays = -1\n')
    with pytest.raises(RetentionPolicyError, match="days"):
        load_policy(path)


async def test_purge_removes_what_is_past_the_period_in_one_tenant_only(
    db: Database, owner: asyncpg.Pool, acme: Accounts, bravo: Accounts
) -> None:
    assert acme.tenant_id and bravo.tenant_id
    await sent_emails(owner, acme.tenant_id, 30, age_days=120)  # past 90 days
    await sent_emails(owner, acme.tenant_id, 5, age_days=10)  # recent
    await sent_emails(owner, acme.tenant_id, 4, age_days=120, status="pending")  # not closed
    await sent_emails(owner, bravo.tenant_id, 30, age_days=120)
    bravo_before = await checksums(owner, bravo.tenant_id)

    report = await purge_tenant(db, acme.tenant_id, default_policy(), batch_rows=7)

    assert report.counts["sent_emails"] == 30
    assert report.counts["clock_events"] == 0  # the table exists, nothing of acme is old
    assert report.counts["closed_privacy_requests"] == 0 and not report.skipped
    assert (await counts(owner, acme.tenant_id))["outbound_emails"] == 9
    assert await checksums(owner, bravo.tenant_id) == bravo_before
    again = await purge_tenant(db, acme.tenant_id, default_policy())
    assert again.counts["sent_emails"] == 0  # may run twice


async def test_tenant_override_and_bounds_over_http(
    client: httpx.AsyncClient, db: Database, owner: asyncpg.Pool, acme: Accounts
) -> None:
    assert acme.tenant_id
    headers = acme.auth("client_admin")
    listed = {
        p["category"]: p
        for p in (await client.get("/api/v1/retention", headers=headers)).json()["items"]
    }
    assert listed["sent_emails"]["days"] == 90 and not listed["sent_emails"]["overridden"]
    for category, days in (("sent_emails", 3), ("sent_emails", 400), ("expired_exports", 5)):
        refused = await client.put(
            f"/api/v1/retention/{category}", json={"days": days}, headers=headers
        )
        assert refused.status_code == 422, refused.text
    unknown = await client.put("/api/v1/retention/nothing", json={"days": 10}, headers=headers)
    assert unknown.status_code == 404
    changed = await client.put("/api/v1/retention/sent_emails", json={"days": 30}, headers=headers)
    assert changed.status_code == 200 and changed.json()["overridden"]

    await sent_emails(owner, acme.tenant_id, 6, age_days=45)
    report = await purge_tenant(db, acme.tenant_id, default_policy())
    assert report.counts["sent_emails"] == 6
    runs = (await client.get("/api/v1/retention/runs", headers=headers)).json()["items"]
    assert runs[0]["counts"]["sent_emails"] == 6
    assert runs[0]["counts"]["closed_privacy_requests"] == 0 and runs[0]["skipped"] == {}


async def test_legal_holds_stop_the_purge(
    db: Database, owner: asyncpg.Pool, acme: Accounts, bravo: Accounts
) -> None:
    assert acme.tenant_id and bravo.tenant_id
    await sent_emails(owner, acme.tenant_id, 3, age_days=120)
    await sent_emails(owner, bravo.tenant_id, 3, age_days=120)
    async with db.transaction(Scope.PLATFORM) as session:
        await place_hold(
            session,
            NewHold(acme.tenant_id, HoldScope.TENANT, "Subpoena", "S-1", client_may_be_told=False),
            acme.user_id("client_admin"),
        )
    held = await purge_tenant(db, acme.tenant_id, default_policy())
    free = await purge_tenant(db, bravo.tenant_id, default_policy())
    assert held.counts == {} and held.skipped["sent_emails"] == "legal hold on the tenant"
    assert free.counts["sent_emails"] == 3
    assert (await counts(owner, acme.tenant_id))["outbound_emails"] == 3


async def test_audit_events_go_as_a_prefix_and_the_chain_still_verifies(
    db: Database, owner: asyncpg.Pool, services: Services, acme: Accounts
) -> None:
    assert acme.tenant_id
    for n in range(6):
        await services.audit.record(db, acme.tenant_id, AuditEntry("test.event", details={"n": n}))
    async with owner.acquire() as conn, conn.transaction():
        await conn.execute("select set_config('app.tenant_id', $1, true)", str(acme.tenant_id))
        total = await conn.fetchval(
            "select count(*) from audit_events where tenant_id = $1", acme.tenant_id
        )
        # the first events are 10 years old (the owner may rewrite them in a test only)
        await conn.execute(
            "update audit_events set at = at - interval '10 years' "
            "where tenant_id = $1 and seq <= 4",
            acme.tenant_id,
        )
    policy = default_policy()
    audit_only = replace(
        policy, categories=MappingProxyType({"audit_events": policy.categories["audit_events"]})
    )
    report = await purge_tenant(db, acme.tenant_id, audit_only, batch_rows=3)
    assert report.counts["audit_events"] == 4
    async with db.transaction(Scope.TENANT, acme.tenant_id) as session:
        assert await verify_tenant_chain(session, acme.tenant_id) is None
    await services.audit.record(db, acme.tenant_id, AuditEntry("test.after"))
    async with db.transaction(Scope.TENANT, acme.tenant_id) as session:
        assert await verify_tenant_chain(session, acme.tenant_id) is None
    async with owner.acquire() as conn, conn.transaction():
        await conn.execute("select set_config('app.tenant_id', $1, true)", str(acme.tenant_id))
        left = await conn.fetchval(
            "select count(*) from audit_events where tenant_id = $1", acme.tenant_id
        )
    assert left == total - 4 + 1
