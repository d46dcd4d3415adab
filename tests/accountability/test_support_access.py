"""Platform staff read tenant personal data only under a live, client-given grant."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

import asyncpg
import httpx
import pytest

from tests.accounts import Accounts, seed_tenant
from tests.workforce.seed import seed_workforce
from timeward.db.session import Database


def _as_support(
    staff: Accounts, tenant_id: UUID | None, role: str = "platform_staff"
) -> dict[str, str]:
    return {**staff.auth(role), "X-Support-Tenant": str(tenant_id)}


async def _grant(client: httpx.AsyncClient, acme: Accounts, **body: object) -> dict[str, object]:
    response = await client.post(
        "/api/v1/support-grants",
        json={"reason": "Ticket 4711: timesheet export", "hours": 4, **body},
        headers=acme.auth("client_admin"),
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def test_no_grant_means_not_found(
    client: httpx.AsyncClient, acme: Accounts, staff: Accounts
) -> None:
    with_header = await client.get("/api/v1/users", headers=_as_support(staff, acme.tenant_id))
    without = await client.get("/api/v1/users", headers=staff.auth("platform_staff"))
    assert (with_header.status_code, without.status_code) == (404, 404)


async def test_grant_opens_reads_each_audited_and_visible_to_the_client(
    client: httpx.AsyncClient, acme: Accounts, staff: Accounts
) -> None:
    grant = await _grant(client, acme)
    read = await client.get("/api/v1/users", headers=_as_support(staff, acme.tenant_id))
    assert read.status_code == 200
    assert {u["email"] for u in read.json()["items"]} == {acme.email(r) for r in acme.users}

    write = await client.post(
        "/api/v1/users",
        json={"email": "sneaky@x.example", "role": "client_admin"},
        headers=_as_support(staff, acme.tenant_id),
    )
    assert write.status_code == 404

    events = await client.get(
        "/api/v1/audit-events",
        params={"action": "personal_data.read"},
        headers=acme.auth("client_admin"),
    )
    [event] = events.json()["items"]
    assert event["actor_id"] == str(staff.user_id("platform_staff"))
    assert event["actor_role"] == "support_reader"
    assert event["details"] == {"route": "GET /api/v1/users", "support_grant_id": grant["id"]}


async def test_revocation_closes_access_at_once(
    client: httpx.AsyncClient, acme: Accounts, staff: Accounts
) -> None:
    grant = await _grant(client, acme)
    headers = _as_support(staff, acme.tenant_id)
    assert (await client.get("/api/v1/users", headers=headers)).status_code == 200
    revoked = await client.delete(
        f"/api/v1/support-grants/{grant['id']}", headers=acme.auth("client_admin")
    )
    assert revoked.status_code == 200
    assert (await client.get("/api/v1/users", headers=headers)).status_code == 404


async def test_expiry_closes_access_at_once(
    client: httpx.AsyncClient, acme: Accounts, staff: Accounts, owner: asyncpg.Pool
) -> None:
    grant = await _grant(client, acme)
    headers = _as_support(staff, acme.tenant_id)
    assert (await client.get("/api/v1/users", headers=headers)).status_code == 200
    async with owner.acquire() as conn, conn.transaction():
        await conn.execute("select set_config('app.tenant_id', $1, true)", str(acme.tenant_id))
        status = await conn.execute(
            "update support_grants set starts_at = now() - interval '2 hours', "
            "expires_at = now() - interval '1 second' where id = $1",
            UUID(str(grant["id"])),
        )
    assert status == "UPDATE 1"
    assert (await client.get("/api/v1/users", headers=headers)).status_code == 404


async def test_grant_for_one_staff_member_excludes_others(
    client: httpx.AsyncClient, acme: Accounts, staff: Accounts
) -> None:
    await _grant(client, acme, staff_user_id=str(staff.user_id("platform_admin")))
    chosen = await client.get(
        "/api/v1/users", headers=_as_support(staff, acme.tenant_id, "platform_admin")
    )
    other = await client.get("/api/v1/users", headers=_as_support(staff, acme.tenant_id))
    assert (chosen.status_code, other.status_code) == (200, 404)


async def test_grant_of_one_tenant_opens_no_other(
    client: httpx.AsyncClient, acme: Accounts, staff: Accounts, db: Database
) -> None:
    globex = await seed_tenant(db, "globex")
    await _grant(client, acme)
    response = await client.get("/api/v1/users", headers=_as_support(staff, globex.tenant_id))
    assert response.status_code == 404


@pytest.mark.parametrize(
    "body",
    [{"hours": 100}, {"hours": 0}, {"reason": ""}, {"starts_at": "2020-01-01T00:00:00Z"}],
    ids=["too-long", "zero", "no-reason", "already-over"],
)
async def test_grant_bounds(
    client: httpx.AsyncClient, acme: Accounts, body: dict[str, object]
) -> None:
    response = await client.post(
        "/api/v1/support-grants",
        json={"reason": "Ticket 4711", "hours": 4, **body},
        headers=acme.auth("client_admin"),
    )
    assert response.status_code in (400, 422)


async def test_platform_sees_live_grant_metadata(
    client: httpx.AsyncClient, acme: Accounts, staff: Accounts
) -> None:
    grant = await _grant(client, acme)
    listed = await client.get(
        "/api/v1/platform/support-grants", headers=staff.auth("platform_staff")
    )
    assert [g["id"] for g in listed.json()["items"]] == [grant["id"]]


async def test_staff_reads_of_workforce_data_are_audited(
    client: httpx.AsyncClient, acme: Accounts, staff: Accounts
) -> None:
    await seed_workforce(client, acme)
    await _grant(client, acme)
    reads = [
        ("/api/v1/employees", acme.auth("client_manager")),
        ("/api/v1/time-entries", acme.auth("client_admin")),
        ("/api/v1/clock-events", _as_support(staff, acme.tenant_id)),
    ]
    for path, headers in reads:
        assert (await client.get(path, headers=headers)).status_code == 200, path
    own = await client.get("/api/v1/me/clock-events", headers=acme.auth("employee"))
    assert own.status_code == 200
    events = await client.get(
        "/api/v1/audit-events",
        params={"action": "personal_data.read", "limit": 200},
        headers=acme.auth("client_admin"),
    )
    routes = sorted((e["actor_role"], e["details"]["route"]) for e in events.json()["items"])
    assert routes == [
        ("client_admin", "GET /api/v1/time-entries"),
        ("client_manager", "GET /api/v1/employees"),
        ("support_reader", "GET /api/v1/clock-events"),
    ]


async def test_a_grant_cannot_start_more_than_three_days_ahead(
    client: httpx.AsyncClient, acme: Accounts
) -> None:
    far = (datetime.now(UTC) + timedelta(days=3650)).isoformat()
    soon = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    refused = await client.post(
        "/api/v1/support-grants",
        json={"reason": "Ticket 4711", "hours": 4, "starts_at": far},
        headers=acme.auth("client_admin"),
    )
    assert refused.status_code == 422, refused.text
    assert "at most 3 days away" in refused.json()["detail"]
    assert (await _grant(client, acme, starts_at=soon))["starts_at"]


async def test_suspension_closes_support_access_and_reactivation_reopens_it(
    client: httpx.AsyncClient, acme: Accounts, staff: Accounts
) -> None:
    await _grant(client, acme)
    headers = _as_support(staff, acme.tenant_id)
    statuses = []
    for status in ("suspended", "active"):
        changed = await client.patch(
            f"/api/v1/platform/tenants/{acme.tenant_id}",
            json={"status": status},
            headers=staff.auth("platform_admin"),
        )
        assert changed.status_code == 200
        statuses.append((await client.get("/api/v1/users", headers=headers)).status_code)
        listed = await client.get(
            "/api/v1/platform/support-grants", headers=staff.auth("platform_staff")
        )
        statuses.append(len(listed.json()["items"]))
    assert statuses == [404, 0, 200, 1]


async def test_accepting_an_offboarding_revokes_every_grant_of_the_tenant(
    client: httpx.AsyncClient, acme: Accounts, staff: Accounts
) -> None:
    now = datetime.now(UTC).isoformat()
    later = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    await _grant(client, acme, starts_at=now)
    await _grant(client, acme, starts_at=later)
    offboarding = await client.post(
        "/api/v1/instructions",
        json={"kind": "offboard_tenant", "confirm_slug": acme.slug},
        headers=acme.auth("client_admin"),
    )
    assert offboarding.status_code == 201, offboarding.text
    read = await client.get("/api/v1/users", headers=_as_support(staff, acme.tenant_id))
    assert read.status_code == 404
    grants = await client.get("/api/v1/support-grants", headers=acme.auth("client_admin"))
    assert [g["revoked_at"] is not None for g in grants.json()["items"]] == [True, True]
    events = await client.get(
        "/api/v1/audit-events",
        params={"action": "support.revoked"},
        headers=acme.auth("client_admin"),
    )
    assert len(events.json()["items"]) == 2
    assert {e["details"].get("reason") for e in events.json()["items"]} == {"offboarding"}
