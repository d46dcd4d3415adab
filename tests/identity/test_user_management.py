"""Client admins manage their tenant's accounts; platform admins onboard tenants. Over HTTP."""

from __future__ import annotations

import os
import subprocess
import sys
from uuid import UUID

import httpx
import pytest
from sqlalchemy import select

from tests.accounts import (
    Accounts,
    invite_and_accept,
    log_in_all,
    mailed_link,
    seed_platform,
    seed_tenant,
    token_pair,
)
from tests.conftest import TEST_MASTER_KEY
from timeward.audit.log import PLATFORM_CHAIN, verify_tenant_chain
from timeward.audit.models import AuditEvent
from timeward.db.bootstrap import DatabaseUrls
from timeward.db.session import Database, Scope

NEW_PASSWORD = "a new long password"


@pytest.fixture
async def globex(db: Database, client: httpx.AsyncClient) -> Accounts:
    return await log_in_all(client, await seed_tenant(db, "globex"))


async def _actions(db: Database, tenant_id: UUID | None) -> list[str]:
    chain = tenant_id or PLATFORM_CHAIN
    scope = Scope.TENANT if tenant_id else Scope.PLATFORM
    async with db.transaction(scope, tenant_id) as session:
        assert await verify_tenant_chain(session, chain) is None
        rows = await session.scalars(
            select(AuditEvent.action).where(AuditEvent.tenant_id == chain).order_by(AuditEvent.seq)
        )
        return list(rows.all())


async def test_admin_creates_a_user_who_can_log_in(
    client: httpx.AsyncClient, acme: Accounts, db: Database
) -> None:
    created = await invite_and_accept(
        client, db, acme, "new.hire@acme.example", "client_manager", NEW_PASSWORD
    )
    assert created.status_code == 200
    assert created.json()["role"] == "client_manager"
    login = await token_pair(client, "new.hire@acme.example", "acme", NEW_PASSWORD)
    assert login.status_code == 200
    listed = await client.get("/api/v1/users", headers=acme.auth("client_admin"))
    assert "new.hire@acme.example" in {u["email"] for u in listed.json()["items"]}


async def test_admin_cannot_grant_a_platform_role(
    client: httpx.AsyncClient, acme: Accounts
) -> None:
    response = await client.post(
        "/api/v1/users",
        json={"email": "x@acme.example", "role": "platform_admin"},
        headers=acme.auth("client_admin"),
    )
    assert response.status_code == 400
    assert "role" in str(response.json()["errors"])
    change = await client.patch(
        f"/api/v1/users/{acme.user_id('employee')}",
        json={"role": "platform_staff"},
        headers=acme.auth("client_admin"),
    )
    assert change.status_code == 400


async def test_admin_cannot_touch_another_tenants_user(
    client: httpx.AsyncClient, acme: Accounts, globex: Accounts
) -> None:
    response = await client.patch(
        f"/api/v1/users/{globex.user_id('employee')}",
        json={"status": "disabled"},
        headers=acme.auth("client_admin"),
    )
    assert response.status_code == 404
    still_works = await client.get("/api/v1/me", headers=globex.auth("employee"))
    assert still_works.status_code == 200
    listed = await client.get("/api/v1/users", headers=acme.auth("client_admin"))
    assert {u["email"] for u in listed.json()["items"]} == {acme.email(r) for r in acme.users}


async def test_bad_input_is_a_clear_4xx(
    client: httpx.AsyncClient, acme: Accounts, db: Database
) -> None:
    bad_email = await client.post(
        "/api/v1/users",
        json={"email": "not-an-email", "role": "employee"},
        headers=acme.auth("client_admin"),
    )
    await client.post(
        "/api/v1/users",
        json={"email": "ok@acme.example", "role": "employee"},
        headers=acme.auth("client_admin"),
    )
    token = await mailed_link(db, acme.tenant_id, "ok@acme.example", "invitations")
    short_password = await client.post(
        f"/api/v1/invitations/{token}/accept", json={"password": "short"}
    )
    not_json = await client.post(
        "/api/v1/users",
        content=b"{",
        headers={**acme.auth("client_admin"), "content-type": "application/json"},
    )
    bad_uuid = await client.patch(
        "/api/v1/users/not-a-uuid", json={}, headers=acme.auth("client_admin")
    )
    assert [r.status_code for r in (bad_email, not_json)] == [400, 400]
    assert short_password.status_code == 422 and "12 characters" in short_password.text
    assert "email" in str(bad_email.json()["errors"])
    assert bad_uuid.status_code in (400, 404)


async def test_duplicate_member_and_self_disable_are_conflicts(
    client: httpx.AsyncClient, acme: Accounts
) -> None:
    duplicate = await client.post(
        "/api/v1/users",
        json={"email": acme.email("employee"), "role": "employee"},
        headers=acme.auth("client_admin"),
    )
    self_disable = await client.patch(
        f"/api/v1/users/{acme.user_id('client_admin')}",
        json={"status": "disabled"},
        headers=acme.auth("client_admin"),
    )
    assert (duplicate.status_code, self_disable.status_code) == (409, 409)


async def test_role_change_invalidates_old_tokens_and_is_audited(
    client: httpx.AsyncClient, acme: Accounts, db: Database
) -> None:
    await token_pair(client, acme.email("employee"), "acme", "wrong password")
    promoted = await client.patch(
        f"/api/v1/users/{acme.user_id('employee')}",
        json={"role": "client_manager"},
        headers=acme.auth("client_admin"),
    )
    assert promoted.json()["role"] == "client_manager"
    assert (await client.get("/api/v1/me", headers=acme.auth("employee"))).status_code == 401
    await client.patch(
        f"/api/v1/users/{acme.user_id('employee')}",
        json={"status": "disabled"},
        headers=acme.auth("client_admin"),
    )
    await client.post("/api/v1/auth/refresh", json={"refresh_token": "rt_unknown"})
    actions = await _actions(db, acme.tenant_id)
    assert actions.count("auth.login") == 3
    assert "auth.login_failed" in actions
    assert "user.role_changed" in actions and "user.status_changed" in actions


async def test_reused_refresh_token_is_audited(
    client: httpx.AsyncClient, acme: Accounts, db: Database
) -> None:
    token = (await token_pair(client, acme.email("employee"), "acme")).json()["refresh_token"]
    await client.post("/api/v1/auth/refresh", json={"refresh_token": token})
    await client.post("/api/v1/auth/refresh", json={"refresh_token": token})
    assert "auth.refresh_failed" in await _actions(db, acme.tenant_id)


async def test_platform_admin_onboards_a_tenant(client: httpx.AsyncClient, db: Database) -> None:
    staff = await log_in_all(client, await seed_platform(db))
    body = {
        "slug": "initech",
        "name": "Initech",
        "country": "US",
        "subdivision": "TX",
        "admin_email": "boss@initech.example",
    }
    created = await client.post(
        "/api/v1/platform/tenants", json=body, headers=staff.auth("platform_admin")
    )
    assert created.status_code == 201
    assert created.json()["slug"] == "initech" and created.json()["status"] == "active"
    again = await client.post(
        "/api/v1/platform/tenants", json=body, headers=staff.auth("platform_admin")
    )
    reserved = await client.post(
        "/api/v1/platform/tenants",
        json={**body, "slug": "platform"},
        headers=staff.auth("platform_admin"),
    )
    assert (again.status_code, reserved.status_code) == (409, 409)
    tenant_id = UUID(created.json()["id"])
    token = await mailed_link(db, tenant_id, "boss@initech.example", "invitations")
    accepted = await client.post(
        f"/api/v1/invitations/{token}/accept", json={"password": NEW_PASSWORD}
    )
    assert accepted.status_code == 200, accepted.text
    login = await token_pair(client, "boss@initech.example", "initech", NEW_PASSWORD)
    assert login.status_code == 200
    assert "tenant.created" in await _actions(db, None)
    assert await _actions(db, tenant_id) == ["user.invited", "user.joined", "auth.login"]


def test_cli_creates_a_tenant_and_rotates_keys(
    database_urls: DatabaseUrls, tmp_path: object
) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": database_urls.app_url,
        "DATABASE_OWNER_URL": database_urls.owner_url,
        "TIMEWARD_MASTER_KEY": TEST_MASTER_KEY,
        "TIMEWARD_DATA_DIR": str(tmp_path),
    }

    def run(*args: str) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "timeward.cli", *args], env=env, capture_output=True, text=True
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    created = run(
        "create-tenant",
        "--slug",
        "cli-co",
        "--name",
        "CLI Co",
        "--country",
        "de",
        "--admin-email",
        "admin@cli.example",
    )
    assert created.startswith("Created tenant cli-co")
    new_kid = run("keys", "rotate").split(": ")[1].strip()
    listing = run("keys", "list")
    assert f"{new_kid}  created" in listing and "active" in listing
