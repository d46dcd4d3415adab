"""Offboarding (return, then delete everything, then destroy the key) and legal holds."""

from __future__ import annotations

from collections.abc import Iterator
from uuid import UUID

import asyncpg
import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from tests.accounts import PASSWORD, Accounts
from tests.fixtures.jobs import Jobs
from tests.instructions.support import (
    DONE,
    checksums,
    counts,
    fill_notifications,
    follow,
    instruct,
    offboard,
    place_hold,
    release_hold,
    wait_for_status,
)
from tests.jobs.smtp_server import SmtpServer
from timeward.crypto.data_keys import destroy_tenant_data_key
from timeward.db.session import Database
from timeward.identity.service import add_member
from timeward.instructions.certificate import verify
from timeward.instructions.finalisers import (
    DATA_KEY_FINALISER,
    OffboardingFinaliser,
    register_offboarding_finaliser,
    unregister_offboarding_finaliser,
)

LG_BERLIN = {"basis": "Court order to preserve records", "reference": "LG Berlin 12 O 34/27"}
KEPT_BY_PROCESSOR = {
    "audit_events",
    "audit_chain_heads",
    "instructions",
    "instruction_events",
    "instruction_progress",
    "legal_holds",
    "deletion_certificates",
    "data_exports",
}


@pytest.fixture
def data_key() -> Iterator[list[dict[str, int]]]:
    """The real data-key destruction, wrapped to record what was left when it ran (it must
    run last: after every tenant table's rows are gone)."""
    calls: list[dict[str, int]] = []

    async def destroy(session: AsyncSession, tenant_id: UUID) -> int:
        left = {}
        for table in ("notifications", "memberships", "outbound_emails"):
            left[table] = int(
                await session.scalar(
                    text(f"select count(*) from {table} where tenant_id = :t"), {"t": tenant_id}
                )
                or 0
            )
        calls.append(left)
        return await destroy_tenant_data_key(session, tenant_id)

    register_offboarding_finaliser(
        OffboardingFinaliser(
            DATA_KEY_FINALISER, ("tenant_data_keys",), destroy, "tenant data key destroyed"
        )
    )
    yield calls
    unregister_offboarding_finaliser(DATA_KEY_FINALISER)


async def _platform_status(client: httpx.AsyncClient, staff: Accounts, instruction_id: str) -> str:
    response = await client.get(
        f"/api/v1/platform/instructions/{instruction_id}", headers=staff.auth("platform_staff")
    )
    assert response.status_code == 200, response.text
    return str(response.json()["instruction"]["status"])


async def _users(owner: asyncpg.Pool, emails: list[str]) -> set[str]:
    async with owner.acquire() as conn:
        rows = await conn.fetch("select email from users where email = any($1::text[])", emails)
    return {row["email"] for row in rows}


async def test_offboarding_returns_then_deletes_everything_then_destroys_the_key(
    client: httpx.AsyncClient,
    db: Database,
    owner: asyncpg.Pool,
    jobs: Jobs,
    smtp_server: SmtpServer,
    acme: Accounts,
    bravo: Accounts,
    staff: Accounts,
    data_key: list[dict[str, int]],
) -> None:
    assert acme.tenant_id and bravo.tenant_id
    shared = await add_member(db, acme.tenant_id, "shared@example.test", PASSWORD, "employee")
    await add_member(db, bravo.tenant_id, "shared@example.test", PASSWORD, "employee")
    for role in ("employee", "client_manager", "client_admin"):
        await fill_notifications(db, acme.tenant_id, acme.user_id(role), 4)
    await fill_notifications(db, acme.tenant_id, shared, 2)
    await fill_notifications(db, bravo.tenant_id, shared, 2)
    bravo_before = await checksums(owner, bravo.tenant_id)

    created = await offboard(client, owner, jobs, acme)
    status = (await follow(client, created["links"]["status"])).json()
    assert status["status"] == "completed", status

    # returned first: the notice went out with the links, and the export outlives the tenant
    [notice] = [m for m in smtp_server.received if m["To"] == acme.email("client_admin")]
    assert created["links"]["export"] in notice.get_payload(decode=True).decode()
    export = await follow(client, created["links"]["export"])
    assert export.status_code == 200 and export.headers["content-type"] == "application/zip"

    # then deleted: nothing of the tenant remains but the processor's records and the export
    left = {t: n for t, n in (await counts(owner, acme.tenant_id)).items() if n}
    assert set(left) <= KEPT_BY_PROCESSOR, left
    assert left["data_exports"] == 1
    assert await _users(owner, [acme.email(r) for r in acme.users] + ["shared@example.test"]) == {
        "shared@example.test"  # still works for bravo
    }
    assert await checksums(owner, bravo.tenant_id) == bravo_before

    # the key last, once every row was gone
    assert data_key == [{"notifications": 0, "memberships": 0, "outbound_emails": 0}]

    certificate = (await follow(client, created["links"]["certificate"])).json()
    payload = verify(certificate["jws"], (await client.get("/.well-known/jwks.json")).json())
    tables = {t["table"]: t for t in payload["tables"]}
    assert tables["notifications"]["exported"] == 14
    assert tables["notifications"]["removed"] == 15  # and the "your data is ready" notice
    assert tables["users"]["removed"] == 3
    assert tables["memberships"]["removed"] == 4
    assert (
        tables["audit_events"]["retained"] > 0
        and "Accountability" in tables["audit_events"]["basis"]
    )
    assert payload["data_key"] is not None
    assert payload["export"]["sha256"] == export.headers["x-content-sha256"]
    assert payload["outcome"] == "completed"

    tenants = await client.get("/api/v1/platform/tenants", headers=staff.auth("platform_staff"))
    assert {t["slug"]: t["status"] for t in tenants.json()["items"]}["acme"] == "deleted"
    closed = await client.get("/api/v1/instructions", headers=acme.auth("client_admin"))
    assert closed.status_code in (401, 403)


async def test_subject_hold_keeps_the_subject_until_released(
    client: httpx.AsyncClient,
    db: Database,
    owner: asyncpg.Pool,
    jobs: Jobs,
    acme: Accounts,
    staff: Accounts,
) -> None:
    assert acme.tenant_id
    subject = acme.user_id("employee")
    await fill_notifications(db, acme.tenant_id, subject, 5)
    hold = await place_hold(
        client,
        staff,
        acme.tenant_id,
        **LG_BERLIN,
        scope="subject",
        subject_user_id=str(subject),
        client_may_be_told=True,
    )
    created = await instruct(client, acme, kind="delete_subject", subject_user_id=str(subject))
    instruction_id = created["instruction"]["id"]
    await jobs.drain()
    detail = await wait_for_status(client, acme, instruction_id, DONE)

    assert detail["instruction"]["status"] == "partially_completed"
    assert "LG Berlin 12 O 34/27" in detail["instruction"]["status_reason"]
    progress = {row["table"]: row for row in detail["progress"]}
    assert progress["notifications"] == {
        "table": "notifications",
        "removed": 0,
        "anonymised": 0,
        "retained": 5,
        "exported": 0,
        "basis": f"legal hold {hold['id']} (LG Berlin 12 O 34/27): Court order to preserve records",
        "done": True,
    }
    # the subject's 5 are kept; the admin was told of the partial result
    assert (await counts(owner, acme.tenant_id))["notifications"] == 6
    holds = await client.get("/api/v1/legal-holds", headers=acme.auth("client_admin"))
    assert [h["id"] for h in holds.json()["items"]] == [hold["id"]]
    partial = await client.get(
        f"/api/v1/instructions/{instruction_id}/certificate", headers=acme.auth("client_admin")
    )
    assert partial.json()["payload"]["outcome"] == "partially_completed"

    await release_hold(client, staff, hold["id"])
    await jobs.drain()
    detail = await wait_for_status(client, acme, instruction_id, {"completed"})
    # the subject's are gone; the admin's "partially completed" and "completed" notices stay
    assert (await counts(owner, acme.tenant_id))["notifications"] == 2
    assert [e["to_status"] for e in detail["history"]][-4:] == [
        "partially_completed",
        "scheduled",
        "in_processing",
        "completed",
    ]
    final = await client.get(
        f"/api/v1/instructions/{instruction_id}/certificate", headers=acme.auth("client_admin")
    )
    tables = {t["table"]: t for t in final.json()["payload"]["tables"]}
    assert tables["notifications"]["removed"] == 5 and tables["notifications"]["retained"] == 0


async def test_a_hold_the_client_may_not_be_told_of_stays_hidden(
    client: httpx.AsyncClient,
    db: Database,
    jobs: Jobs,
    acme: Accounts,
    staff: Accounts,
) -> None:
    assert acme.tenant_id
    subject = acme.user_id("employee")
    await fill_notifications(db, acme.tenant_id, subject, 2)
    hold = await place_hold(
        client, staff, acme.tenant_id, **LG_BERLIN, scope="tenant", client_may_be_told=False
    )
    created = await instruct(client, acme, kind="delete_subject", subject_user_id=str(subject))
    instruction_id = created["instruction"]["id"]
    await jobs.drain()
    for _ in range(100):
        if await _platform_status(client, staff, instruction_id) == "partially_completed":
            break
    assert await _platform_status(client, staff, instruction_id) == "partially_completed"

    # the client sees work in progress, and nothing of the hold
    detail = await wait_for_status(client, acme, instruction_id, {"in_processing"})
    assert detail["instruction"]["status_reason"] is None
    assert detail["instruction"]["certificate_id"] is None
    assert "partially_completed" not in [e["to_status"] for e in detail["history"]]
    assert all(row["basis"] is None for row in detail["progress"] if not row["done"])
    disclosed = await client.get("/api/v1/legal-holds", headers=acme.auth("client_admin"))
    assert disclosed.json()["items"] == []
    certificate = await client.get(
        f"/api/v1/instructions/{instruction_id}/certificate", headers=acme.auth("client_admin")
    )
    assert certificate.status_code == 404
    events = await client.get("/api/v1/audit-events", headers=acme.auth("client_admin"))
    assert all(e["subject_type"] != "legal_hold" for e in events.json()["items"])
    assert all(e["details"].get("to") != "partially_completed" for e in events.json()["items"])

    # staff may run it again while the hold lasts: still kept, still hidden
    rerun = await client.post(
        f"/api/v1/platform/instructions/{instruction_id}/status",
        json={"status": "scheduled", "reason": "checking the hold"},
        headers=staff.auth("platform_staff"),
    )
    assert rerun.status_code == 200, rerun.text
    await jobs.drain()
    assert await _platform_status(client, staff, instruction_id) == "partially_completed"
    detail = await wait_for_status(client, acme, instruction_id, {"in_processing"})
    assert len(detail["history"]) == 3

    await release_hold(client, staff, hold["id"])
    await jobs.drain()
    detail = await wait_for_status(client, acme, instruction_id, {"completed"})
    assert detail["instruction"]["certificate_id"] is not None
    assert [e["to_status"] for e in detail["history"]] == [
        "received",
        "scheduled",
        "in_processing",
        "completed",
    ]


async def test_offboarding_keeps_a_held_subject_and_the_key(
    client: httpx.AsyncClient,
    db: Database,
    owner: asyncpg.Pool,
    jobs: Jobs,
    acme: Accounts,
    staff: Accounts,
    data_key: list[dict[str, int]],
) -> None:
    assert acme.tenant_id
    held, other = acme.user_id("employee"), acme.user_id("client_manager")
    await fill_notifications(db, acme.tenant_id, held, 3)
    await fill_notifications(db, acme.tenant_id, other, 4)
    hold = await place_hold(
        client,
        staff,
        acme.tenant_id,
        **LG_BERLIN,
        scope="subject",
        subject_user_id=str(held),
        client_may_be_told=True,
    )
    created = await offboard(client, owner, jobs, acme)
    instruction_id = created["instruction"]["id"]
    assert (await follow(client, created["links"]["status"])).json()["status"] == (
        "partially_completed"
    )
    left = await counts(owner, acme.tenant_id)
    assert left["notifications"] == 3 and left["memberships"] == 1
    assert await _users(owner, [acme.email("employee"), acme.email("client_manager")]) == {
        acme.email("employee")
    }
    assert data_key == []  # the held data is encrypted with it: kept
    certificate = (await follow(client, created["links"]["certificate"])).json()["payload"]
    tables = {t["table"]: t for t in certificate["tables"]}
    assert tables["notifications"]["removed"] == 5  # the manager's 4 and the delivery notice
    assert tables["notifications"]["retained"] == 3
    assert tables["notifications"]["legal_hold"] is True
    assert certificate["data_key"] is None

    await release_hold(client, staff, hold["id"])
    await jobs.drain(timeout_s=30)
    assert await _platform_status(client, staff, instruction_id) == "completed"
    left = {t: n for t, n in (await counts(owner, acme.tenant_id)).items() if n}
    assert set(left) <= KEPT_BY_PROCESSOR, left
    assert len(data_key) == 1
