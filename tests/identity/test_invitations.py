"""Accounts are given by invitation only: no admin sets or learns anyone's password.

The attack of issue 12: tenant B's admin pre-registers an address that tenant A (or
the platform) later adds, hoping to sign in as that person. Each path is attacked
over HTTP and must fail; the invitee sets their own password through the mailed link.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

import asyncpg
import httpx
import pytest
from sqlalchemy import select

from tests.accounts import PASSWORD, Accounts, invite_and_accept, mailed_link, token_pair
from timeward.audit.models import AuditEvent
from timeward.db.session import Database, Scope

ATTACKER_PASSWORD = "the attacker knows this"
OWN_PASSWORD = "only the new hire knows"
VICTIM = "new.hire@a-corp.test"


async def _invite(
    client: httpx.AsyncClient, tenant: Accounts, email: str, role: str
) -> httpx.Response:
    return await client.post(
        "/api/v1/users", json={"email": email, "role": role}, headers=tenant.auth("client_admin")
    )


async def _accept(client: httpx.AsyncClient, token: str, password: str) -> httpx.Response:
    return await client.post(f"/api/v1/invitations/{token}/accept", json={"password": password})


async def _preregister(client: httpx.AsyncClient, bravo: Accounts, email: str) -> None:
    """What B's admin can do: no password is accepted, the address gets a pending invite."""
    with_password = await client.post(
        "/api/v1/users",
        json={"email": email, "role": "employee", "password": ATTACKER_PASSWORD},
        headers=bravo.auth("client_admin"),
    )
    assert with_password.status_code == 400
    assert (await _invite(client, bravo, email, "employee")).status_code == 201


async def test_a_tenant_admin_cannot_preregister_another_tenants_user(
    client: httpx.AsyncClient, db: Database, acme: Accounts, bravo: Accounts
) -> None:
    await _preregister(client, bravo, VICTIM)
    added = await _invite(client, acme, VICTIM, "client_admin")
    fresh = await _invite(client, acme, "nobody.before@a-corp.test", "client_admin")
    assert added.status_code == fresh.status_code == 201
    assert added.json() == {**fresh.json(), "email": VICTIM}
    assert added.json()["user_id"] is None and added.json()["status"] == "pending"
    for tenant in ("acme", "bravo"):
        assert (await token_pair(client, VICTIM, tenant, ATTACKER_PASSWORD)).status_code == 401

    token = await mailed_link(db, acme.tenant_id, VICTIM, "invitations")
    described = await client.get(f"/api/v1/invitations/{token}")
    assert described.json()["tenant"] == "acme" and described.json()["sets_password"] is True
    assert (await _accept(client, token, OWN_PASSWORD)).status_code == 200
    signed_in = await token_pair(client, VICTIM, "acme", OWN_PASSWORD)
    assert signed_in.status_code == 200
    me = await client.get("/api/v1/me", headers=_bearer(signed_in))
    assert me.json()["role"] == "client_admin"
    assert (await token_pair(client, VICTIM, "acme", ATTACKER_PASSWORD)).status_code == 401
    # B's invitation is still only pending: accepting it is the person's choice.
    assert (await token_pair(client, VICTIM, "bravo", OWN_PASSWORD)).status_code == 401


async def test_onboarding_a_tenant_cannot_hand_it_to_a_preregistered_identity(
    client: httpx.AsyncClient, db: Database, bravo: Accounts, staff: Accounts
) -> None:
    await _preregister(client, bravo, VICTIM)
    body = {"slug": "a-corp", "name": "A Corp", "country": "DE", "admin_email": VICTIM}
    refused = await client.post(
        "/api/v1/platform/tenants",
        json={**body, "admin_password": ATTACKER_PASSWORD},
        headers=staff.auth("platform_admin"),
    )
    assert refused.status_code == 400
    created = await client.post(
        "/api/v1/platform/tenants", json=body, headers=staff.auth("platform_admin")
    )
    assert created.status_code == 201
    assert (await token_pair(client, VICTIM, "a-corp", ATTACKER_PASSWORD)).status_code == 401
    token = await mailed_link(db, UUID(created.json()["id"]), VICTIM, "invitations")
    assert (await _accept(client, token, OWN_PASSWORD)).status_code == 200
    assert (await token_pair(client, VICTIM, "a-corp", OWN_PASSWORD)).status_code == 200
    assert (await token_pair(client, VICTIM, "a-corp", ATTACKER_PASSWORD)).status_code == 401


async def test_platform_staff_get_an_identity_of_their_own(
    client: httpx.AsyncClient, db: Database, bravo: Accounts, staff: Accounts
) -> None:
    """A tenant identity, even one with a password, never becomes platform staff."""
    address = "new.operator@timeward.example"
    tenant_side = await invite_and_accept(client, db, bravo, address, "employee", ATTACKER_PASSWORD)
    assert tenant_side.status_code == 200
    refused = await client.post(
        "/api/v1/platform/staff",
        json={"email": address, "role": "platform_admin", "password": ATTACKER_PASSWORD},
        headers=staff.auth("platform_admin"),
    )
    assert refused.status_code == 400
    created = await client.post(
        "/api/v1/platform/staff",
        json={"email": address, "role": "platform_admin"},
        headers=staff.auth("platform_admin"),
    )
    assert created.status_code == 201
    bravo_login = await token_pair(client, address, "bravo", ATTACKER_PASSWORD)
    bravo_id = (await client.get("/api/v1/me", headers=_bearer(bravo_login))).json()["user_id"]
    assert created.json()["user_id"] != bravo_id
    assert (await token_pair(client, address, "platform", ATTACKER_PASSWORD)).status_code == 401
    token = await mailed_link(db, None, address, "invitations")
    assert (await client.get(f"/api/v1/invitations/{token}")).json()["sets_password"] is True
    assert (await _accept(client, token, OWN_PASSWORD)).status_code == 200
    platform = await token_pair(client, address, "platform", OWN_PASSWORD)
    assert platform.status_code == 200
    me = (await client.get("/api/v1/me", headers=_bearer(platform))).json()
    assert me == {"user_id": created.json()["user_id"], "tenant_id": None, "role": "platform_admin"}
    assert (await token_pair(client, address, "bravo", ATTACKER_PASSWORD)).status_code == 200


async def test_an_invitation_link_works_once(
    client: httpx.AsyncClient, db: Database, acme: Accounts
) -> None:
    await _invite(client, acme, "once@acme.example", "employee")
    token = await mailed_link(db, acme.tenant_id, "once@acme.example", "invitations")
    first = await _accept(client, token, OWN_PASSWORD)
    second = await _accept(client, token, "another password entirely")
    assert (first.status_code, second.status_code) == (200, 404)
    assert (await client.get(f"/api/v1/invitations/{token}")).status_code == 404
    assert (await token_pair(client, "once@acme.example", "acme", OWN_PASSWORD)).status_code == 200


async def test_an_invitation_link_expires_and_a_new_invite_replaces_it(
    client: httpx.AsyncClient, db: Database, acme: Accounts, owner: asyncpg.Pool
) -> None:
    await _invite(client, acme, "late@acme.example", "employee")
    old = await mailed_link(db, acme.tenant_id, "late@acme.example", "invitations")
    async with owner.acquire() as conn, conn.transaction():
        await conn.execute("SELECT set_config('app.scope', 'auth', true)")
        expired = await conn.execute(
            "UPDATE account_links SET expires_at = $1", datetime.now(UTC) - timedelta(seconds=1)
        )
    assert expired == "UPDATE 1"
    assert (await client.get(f"/api/v1/invitations/{old}")).status_code == 404
    assert (await _accept(client, old, OWN_PASSWORD)).status_code == 404
    assert (await _invite(client, acme, "late@acme.example", "employee")).status_code == 201
    new = await mailed_link(db, acme.tenant_id, "late@acme.example", "invitations")
    assert new != old
    assert (await _accept(client, new, OWN_PASSWORD)).status_code == 200


async def test_an_existing_identity_joins_only_by_accepting_as_itself(
    client: httpx.AsyncClient, db: Database, acme: Accounts, bravo: Accounts
) -> None:
    person = bravo.email("employee")
    assert (await _invite(client, acme, person, "client_manager")).status_code == 201
    listed = await client.get("/api/v1/users", headers=acme.auth("client_admin"))
    pending = [u for u in listed.json()["items"] if u["email"] == person]
    assert pending == [
        {"user_id": None, "email": person, "role": "client_manager", "status": "pending"}
    ]
    assert (await token_pair(client, person, "acme")).status_code == 401
    patched = await client.patch(
        f"/api/v1/users/{bravo.user_id('employee')}",
        json={"status": "active"},
        headers=acme.auth("client_admin"),
    )
    assert patched.status_code == 409

    token = await mailed_link(db, acme.tenant_id, person, "invitations")
    assert (await client.get(f"/api/v1/invitations/{token}")).json()["sets_password"] is False
    assert (await _accept(client, token, "not the current one")).status_code == 403
    mine = await client.get("/api/v1/me/invitations", headers=bravo.auth("employee"))
    assert [(i["tenant"], i["role"]) for i in mine.json()["items"]] == [("acme", "client_manager")]
    invitation_id = mine.json()["items"][0]["id"]
    someone_else = await client.post(
        f"/api/v1/me/invitations/{invitation_id}/accept", headers=bravo.auth("client_admin")
    )
    assert someone_else.status_code == 404
    accepted = await client.post(
        f"/api/v1/me/invitations/{invitation_id}/accept", headers=bravo.auth("employee")
    )
    assert accepted.status_code == 200
    assert (await token_pair(client, person, "acme")).status_code == 200
    assert (await _accept(client, token, PASSWORD)).status_code == 404


async def test_the_inviting_tenant_never_sees_the_other_identitys_id(
    client: httpx.AsyncClient, db: Database, acme: Accounts, bravo: Accounts
) -> None:
    foreign_id = bravo.user_id("client_manager")
    created = await _invite(client, acme, bravo.email("client_manager"), "employee")
    assert created.status_code == 201
    listed = await client.get("/api/v1/users", headers=acme.auth("client_admin"))
    events = await client.get("/api/v1/audit-events", headers=acme.auth("client_admin"))
    for response in (created, listed, events):
        assert str(foreign_id) not in response.text
    async with db.transaction(Scope.TENANT, acme.tenant_id) as session:
        rows = (await session.execute(select(AuditEvent.actor_id, AuditEvent.subject_id))).all()
    assert foreign_id not in {value for row in rows for value in row}


@pytest.mark.parametrize("password", ["aaaaaaaaaaaa", "password1234", "my-new.hire-secret"])
async def test_invitees_cannot_choose_a_weak_password(
    client: httpx.AsyncClient, db: Database, acme: Accounts, password: str
) -> None:
    await _invite(client, acme, "new.hire@acme.example", "employee")
    token = await mailed_link(db, acme.tenant_id, "new.hire@acme.example", "invitations")
    refused = await _accept(client, token, password)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["key"] == "password"
    assert (await _accept(client, token, "acme rocks all day long")).status_code == 422
    assert (await _accept(client, token, OWN_PASSWORD)).status_code == 200


def _bearer(response: httpx.Response) -> dict[str, str]:
    return {"Authorization": f"Bearer {response.json()['access_token']}"}
