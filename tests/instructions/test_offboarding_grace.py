"""Offboarding is deliberate: confirmed by the tenant's slug, data returned at once,
deletion only after the grace period, and a client admin can cancel until then."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import asyncpg
import httpx

from tests.accounts import Accounts
from tests.fixtures.jobs import Jobs
from tests.instructions.support import (
    counts,
    fill_notifications,
    follow,
    instruct,
    pass_grace_period,
)
from tests.jobs.smtp_server import SmtpServer
from timeward.db.session import Database
from timeward.instructions.jobs import reconcile_instructions


async def _public(client: httpx.AsyncClient, link: str) -> dict[str, Any]:
    response = await follow(client, link)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def _in_grace(
    client: httpx.AsyncClient, db: Database, jobs: Jobs, smtp_server: SmtpServer, acme: Accounts
) -> dict[str, Any]:
    """Three notes of the employee; offboard, confirmed; the export is delivered and
    deletion waits."""
    assert acme.tenant_id
    await fill_notifications(db, acme.tenant_id, acme.user_id("employee"), 3)
    created = await instruct(client, acme, kind="offboard_tenant", confirm_slug=acme.slug)
    starts = datetime.fromisoformat(created["instruction"]["deletion_starts_at"])
    received = datetime.fromisoformat(created["instruction"]["received_at"])
    assert starts - received == timedelta(days=7)
    await jobs.drain(timeout_s=30)

    [notice] = [m for m in smtp_server.received if m["To"] == acme.email("client_admin")]
    text = notice.get_payload(decode=True).decode()
    assert created["links"]["export"] in text
    assert f"Deletion starts at {starts:%Y-%m-%d %H:%M} UTC" in text and "cancel" in text
    export = await follow(client, created["links"]["export"])
    assert export.status_code == 200
    status = await _public(client, created["links"]["status"])
    assert status["status"] == "scheduled" and status["deletion_starts_at"] is not None
    return created


async def test_offboarding_needs_the_tenants_slug_typed_back(
    client: httpx.AsyncClient, idle_jobs: Jobs, acme: Accounts
) -> None:
    for body in ({}, {"confirm_slug": "bravo"}, {"confirm_slug": acme.slug.upper()}):
        response = await client.post(
            "/api/v1/instructions",
            json={"kind": "offboard_tenant"} | body,
            headers=acme.auth("client_admin"),
        )
        assert response.status_code == 422, response.text
        assert [e["key"] for e in response.json()["errors"]] == ["confirm_slug"]
    listed = await client.get("/api/v1/instructions", headers=acme.auth("client_admin"))
    assert listed.json()["items"] == []


async def test_deletion_starts_only_after_the_grace_period(
    client: httpx.AsyncClient,
    db: Database,
    owner: asyncpg.Pool,
    jobs: Jobs,
    smtp_server: SmtpServer,
    acme: Accounts,
) -> None:
    assert acme.tenant_id
    created = await _in_grace(client, db, jobs, smtp_server, acme)
    instruction_id = created["instruction"]["id"]

    # nothing deleted, the client admin still works and sees why it waits
    assert (await counts(owner, acme.tenant_id))["notifications"] == 4  # and the notice
    detail = await client.get(
        f"/api/v1/instructions/{instruction_id}", headers=acme.auth("client_admin")
    )
    assert detail.status_code == 200
    assert detail.json()["instruction"]["status"] == "scheduled"
    assert "grace period" in detail.json()["instruction"]["status_reason"]
    reconcile_instructions.send()  # the reconciler leaves it alone while the grace lasts
    await jobs.drain()
    assert (await counts(owner, acme.tenant_id))["notifications"] == 4

    await pass_grace_period(owner, jobs, acme.tenant_id, instruction_id)
    assert (await _public(client, created["links"]["status"]))["status"] == "completed"
    assert (await counts(owner, acme.tenant_id))["notifications"] == 0
    closed = await client.get("/api/v1/instructions", headers=acme.auth("client_admin"))
    assert closed.status_code in (401, 403)


async def test_a_client_admin_cancels_during_the_grace_period(
    client: httpx.AsyncClient,
    db: Database,
    owner: asyncpg.Pool,
    jobs: Jobs,
    smtp_server: SmtpServer,
    acme: Accounts,
    staff: Accounts,
) -> None:
    assert acme.tenant_id
    created = await _in_grace(client, db, jobs, smtp_server, acme)
    instruction_id = created["instruction"]["id"]

    canceled = await client.post(
        f"/api/v1/instructions/{instruction_id}/cancel",
        json={"reason": "we renewed the contract"},
        headers=acme.auth("client_admin"),
    )
    assert canceled.status_code == 200, canceled.text
    assert canceled.json()["status"] == "canceled"

    await pass_grace_period(owner, jobs, acme.tenant_id, instruction_id)
    assert (await counts(owner, acme.tenant_id))["notifications"] == 4
    tenants = await client.get("/api/v1/platform/tenants", headers=staff.auth("platform_staff"))
    assert {t["slug"]: t["status"] for t in tenants.json()["items"]}["acme"] == "active"
    detail = await client.get(
        f"/api/v1/instructions/{instruction_id}", headers=acme.auth("client_admin")
    )
    assert detail.json()["instruction"]["status"] == "canceled"
    again = await instruct(client, acme, kind="offboard_tenant", confirm_slug=acme.slug)
    assert again["instruction"]["status"] == "scheduled"
