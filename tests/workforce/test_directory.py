"""The colleague directory over HTTP (docs/workforce.md, "Directory"): off until the
tenant switches it on, its own employees only (name, job title, site; no contact data),
without anyone who left it themselves or whose objection was upheld."""

from __future__ import annotations

from typing import Any

import httpx

from tests.accounts import Accounts
from tests.workforce.seed import Workforce, seed_workforce

DIRECTORY = "/api/v1/directory"
MINE = "/api/v1/me/directory"
SWITCH = "/api/v1/settings/directory"


async def listed(client: httpx.AsyncClient, headers: dict[str, str]) -> list[dict[str, Any]]:
    response = await client.get(DIRECTORY, headers=headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def switch_on(client: httpx.AsyncClient, workforce: Workforce) -> None:
    response = await client.put(SWITCH, json={"enabled": True}, headers=workforce.admin)
    assert response.status_code == 200, response.text
    assert response.json()["enabled"] is True


async def audit_actions(client: httpx.AsyncClient, workforce: Workforce, subject: Any) -> Any:
    events = await client.get(
        "/api/v1/audit-events", params={"subject_id": str(subject)}, headers=workforce.admin
    )
    assert events.status_code == 200, events.text
    return events


async def test_off_by_default_then_the_tenants_own_colleagues_only(
    client: httpx.AsyncClient, acme: Accounts, bravo: Accounts
) -> None:
    ours = await seed_workforce(client, acme)
    theirs = await seed_workforce(client, bravo)
    off = await client.get(DIRECTORY, headers=ours.employee)
    assert off.status_code == 404
    assert off.json()["detail"] == "Your employer has not switched on the colleague directory."
    assert (await client.get(MINE, headers=ours.employee)).json() == {
        "listed": True,
        "directory_enabled": False,
    }
    assert (await client.get(SWITCH, headers=ours.admin)).json()["enabled"] is False

    placed = await client.patch(
        f"/api/v1/employees/{ours.employees['client_manager']}",
        json={"site_id": str(ours.sites["hq"])},
        headers=ours.admin,
    )
    assert placed.status_code == 200, placed.text
    foreign_site = await client.patch(
        f"/api/v1/employees/{ours.employees['employee']}",
        json={"site_id": str(theirs.sites["hq"])},
        headers=ours.admin,
    )
    assert foreign_site.status_code == 422  # another tenant's site is unknown here
    await switch_on(client, ours)
    events = await audit_actions(client, ours, acme.tenant_id)
    assert "settings.directory_changed" in events.text

    response = await client.get(DIRECTORY, headers=ours.employee)
    assert [(e["name"], e["job_title"], e["site"]) for e in response.json()["items"]] == [
        ("Client Admin of acme", "client_admin", None),
        ("Client Manager of acme", "client_manager", "hq site"),
        ("Colleague of acme", None, None),
        ("Employee of acme", "employee", None),
    ]
    assert "bravo" not in response.text
    assert "@" not in response.text and "+49" not in response.text  # no contact details
    # bravo's own employees: bravo's directory is still off, then bravo's people only
    assert (await client.get(DIRECTORY, headers=theirs.employee)).status_code == 404
    await switch_on(client, theirs)
    names = {e["name"] for e in await listed(client, theirs.employee)}
    assert names == {
        "Client Admin of bravo",
        "Client Manager of bravo",
        "Colleague of bravo",
        "Employee of bravo",
    }
    left = await client.patch(
        f"/api/v1/employees/{ours.employees['colleague']}",
        json={"status": "left"},
        headers=ours.admin,
    )
    assert left.status_code == 200, left.text
    assert "Colleague of acme" not in {e["name"] for e in await listed(client, ours.manager)}

    await client.put(SWITCH, json={"enabled": False}, headers=ours.admin)
    assert (await client.get(DIRECTORY, headers=ours.manager)).status_code == 404
    refused = await client.put(SWITCH, json={"enabled": True}, headers=ours.manager)
    assert refused.status_code == 403
    assert (
        await client.put(SWITCH, json={"enabled": "yes"}, headers=ours.admin)
    ).status_code == 400


async def test_leaving_rejoining_and_an_upheld_objection(
    client: httpx.AsyncClient, acme: Accounts
) -> None:
    ours = await seed_workforce(client, acme)
    await switch_on(client, ours)
    me = "Employee of acme"

    gone = await client.put(MINE, json={"listed": False}, headers=ours.employee)
    assert gone.status_code == 200, gone.text
    assert gone.json() == {"listed": False, "directory_enabled": True}
    assert me not in {e["name"] for e in await listed(client, ours.manager)}
    record = await client.get(f"/api/v1/employees/{ours.employees['employee']}", headers=ours.admin)
    assert record.json()["directory_excluded"] is True
    events = await audit_actions(client, ours, ours.employees["employee"])
    [entry] = [e for e in events.json()["items"] if e["action"] == "employee.updated"]
    assert entry["details"]["fields"] == ["directory_excluded"]
    assert me not in events.text  # field names only, never the person's data

    back = await client.put(MINE, json={"listed": True}, headers=ours.employee)
    assert back.json()["listed"] is True
    assert me in {e["name"] for e in await listed(client, ours.manager)}
    bad = await client.put(MINE, json={"listed": "perhaps"}, headers=ours.employee)
    assert bad.status_code == 400

    filed = await client.post(
        "/api/v1/me/privacy-requests",
        json={"request_type": "objection", "details": "Keep me out of the directory."},
        headers=ours.employee,
    )
    assert filed.status_code == 201, filed.text
    upheld = await client.post(
        f"/api/v1/privacy-requests/{filed.json()['id']}/flags", json={}, headers=ours.admin
    )
    assert upheld.status_code == 200, upheld.text
    assert me not in {e["name"] for e in await listed(client, ours.employee)}
    assert (await client.get(MINE, headers=ours.employee)).json()["listed"] is False
