"""Object-level authorization across tenants, over HTTP: tenant A's tokens with tenant
B's ids get 404 on every workforce route taking an id, B's data stays untouched, and
B's ids named in A's request bodies or filters are refused like unknown ones."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from litestar import Litestar

from tests.accounts import log_in_all, seed_tenant
from tests.identity.test_authorization import registered_routes
from tests.privacy.test_bola import PREFIXES as PRIVACY_PREFIXES
from tests.workforce.seed import Workforce, iso, seed_workforce
from timeward.db.session import Database

WORKFORCE_PREFIXES = (
    "/api/v1/employees",
    "/api/v1/sites",
    "/api/v1/settings",
    "/api/v1/clock",
    "/api/v1/clock-events",
    "/api/v1/time-entries",
    "/api/v1/me/",
)


class Tenants:
    def __init__(self, a: Workforce, b: Workforce, a_entry: str, b_entry: str) -> None:
        self.a, self.b, self.a_entry, self.b_entry = a, b, a_entry, b_entry
        self.b_invitation = ""  # an open invitation of B's employee (to tenant A)


Build = Callable[[Tenants], tuple[str, dict[str, Any] | None]]

# Every workforce route with an id in its path: (role of A allowed to call it, B's object).
PATH_ID_ROUTES: dict[tuple[str, str], tuple[str, Build]] = {
    ("POST", "/api/v1/me/invitations/{invitation_id:uuid}/accept"): (
        "employee",
        lambda t: (f"/api/v1/me/invitations/{t.b_invitation}/accept", None),
    ),
    ("GET", "/api/v1/employees/{employee_id:uuid}"): (
        "client_manager",
        lambda t: (f"/api/v1/employees/{t.b.employees['employee']}", None),
    ),
    ("PATCH", "/api/v1/employees/{employee_id:uuid}"): (
        "client_admin",
        lambda t: (
            f"/api/v1/employees/{t.b.employees['employee']}",
            {"job_title": "pwned", "processing_restricted": True},
        ),
    ),
    ("POST", "/api/v1/employees/{employee_id:uuid}/location-limit-lift"): (
        "client_admin",
        lambda t: (
            f"/api/v1/employees/{t.b.employees['employee']}/location-limit-lift",
            {"reason": "pwned"},
        ),
    ),
    ("GET", "/api/v1/sites/{site_id:uuid}"): (
        "employee",
        lambda t: (f"/api/v1/sites/{t.b.sites['hq']}", None),
    ),
    ("PATCH", "/api/v1/sites/{site_id:uuid}"): (
        "client_admin",
        lambda t: (f"/api/v1/sites/{t.b.sites['hq']}", {"name": "pwned", "active": False}),
    ),
    ("GET", "/api/v1/time-entries/{entry_id:uuid}"): (
        "client_manager",
        lambda t: (f"/api/v1/time-entries/{t.b_entry}", None),
    ),
    ("PATCH", "/api/v1/time-entries/{entry_id:uuid}"): (
        "client_manager",
        lambda t: (f"/api/v1/time-entries/{t.b_entry}", {"notes": "pwned"}),
    ),
    ("POST", "/api/v1/time-entries/{entry_id:uuid}/approval"): (
        "client_manager",
        lambda t: (f"/api/v1/time-entries/{t.b_entry}/approval", {"state": "rejected"}),
    ),
}


# Path parameters that name no object (nothing of another tenant's to reach through them):
# a topic of one's own mail preferences (tests/accountability/test_optional_mail.py).
NOT_AN_ID = {("PUT", "/api/v1/me/mail-preferences/{topic:str}")}


def test_the_table_covers_every_workforce_route_with_a_path_id(live_app: Litestar) -> None:
    with_ids = {
        (method, path)
        for method, path, _ in registered_routes(live_app)
        if "{" in path
        and path.startswith(WORKFORCE_PREFIXES)
        and not path.startswith(PRIVACY_PREFIXES)  # tests/privacy/test_bola.py covers those
        and (method, path) not in NOT_AN_ID
    }
    assert with_ids == set(PATH_ID_ROUTES)


async def _entry(client: httpx.AsyncClient, workforce: Workforce) -> str:
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1, hours=9)
    response = await client.post(
        "/api/v1/time-entries",
        json={
            "employee_id": str(workforce.employees["employee"]),
            "started_at": iso(start),
            "ended_at": iso(start + timedelta(hours=8)),
            "site_id": str(workforce.sites["hq"]),
        },
        headers=workforce.manager,
    )
    assert response.status_code == 201, response.text
    entry_id: str = response.json()["id"]
    return entry_id


@pytest.fixture
async def tenants(db: Database, client: httpx.AsyncClient) -> Tenants:
    a = await seed_workforce(client, await log_in_all(client, await seed_tenant(db, "acme")))
    b = await seed_workforce(client, await log_in_all(client, await seed_tenant(db, "globex")))
    tenants = Tenants(a, b, await _entry(client, a), await _entry(client, b))
    await client.post(
        "/api/v1/users",
        json={"email": b.accounts.email("employee"), "role": "employee"},
        headers=a.admin,
    )
    mine = await client.get("/api/v1/me/invitations", headers=b.employee)
    tenants.b_invitation = mine.json()["items"][0]["id"]
    return tenants


async def _b_snapshot(client: httpx.AsyncClient, t: Tenants) -> list[Any]:
    return [
        (await client.get(path, headers=t.b.admin)).json()
        for path in (
            f"/api/v1/employees/{t.b.employees['employee']}",
            f"/api/v1/sites/{t.b.sites['hq']}",
            f"/api/v1/time-entries/{t.b_entry}",
        )
    ]


async def test_another_tenants_ids_are_404_on_every_route(
    client: httpx.AsyncClient, tenants: Tenants
) -> None:
    before = await _b_snapshot(client, tenants)
    outcomes = {}
    for (method, template), (role, build) in PATH_ID_ROUTES.items():
        for caller in sorted({role, "client_admin"}):
            path, body = build(tenants)
            response = await client.request(method, path, json=body, headers=tenants.a.auth(caller))
            outcomes[(method, template, caller)] = response.status_code
            assert response.json()["detail"].endswith("not found."), response.text
    assert outcomes == dict.fromkeys(outcomes, 404)
    assert await _b_snapshot(client, tenants) == before


async def test_another_tenants_ids_in_bodies_and_filters_are_refused(
    client: httpx.AsyncClient, tenants: Tenants
) -> None:
    a, b = tenants.a, tenants.b
    now = datetime.now(UTC)
    span = {"started_at": iso(now - timedelta(hours=3)), "ended_at": iso(now - timedelta(hours=1))}
    cases: list[tuple[str, str, dict[str, Any] | None, dict[str, str], int, str | None]] = [
        ("POST", "/api/v1/clock/in", {"site_id": str(b.sites["hq"])}, a.employee, 422, "site_id"),
        (
            "POST",
            "/api/v1/time-entries",
            {"employee_id": str(b.employees["employee"]), **span},
            a.manager,
            422,
            "employee_id",
        ),
        (
            "POST",
            "/api/v1/time-entries",
            {"employee_id": str(a.employees["employee"]), "site_id": str(b.sites["hq"]), **span},
            a.manager,
            422,
            "site_id",
        ),
        (
            "PATCH",
            f"/api/v1/time-entries/{tenants.a_entry}",
            {"site_id": str(b.sites["yard"])},
            a.manager,
            422,
            "site_id",
        ),
        (
            "POST",
            "/api/v1/employees",
            {"name": "X", "user_id": str(b.accounts.user_id("employee"))},
            a.admin,
            422,
            "user_id",
        ),
        (
            "PATCH",
            f"/api/v1/employees/{a.employees['colleague']}",
            {"user_id": str(b.accounts.user_id("employee"))},
            a.admin,
            422,
            "user_id",
        ),
        (
            "GET",
            f"/api/v1/time-entries?employee_id={b.employees['employee']}",
            None,
            a.manager,
            404,
            None,
        ),
        (
            "GET",
            f"/api/v1/clock-events?employee_id={b.employees['employee']}",
            None,
            a.manager,
            404,
            None,
        ),
    ]
    for method, path, body, headers, status, key in cases:
        response = await client.request(method, path, json=body, headers=headers)
        assert response.status_code == status, (method, path, response.text)
        if key:
            assert response.json()["errors"][0]["key"] == key


async def test_lists_never_show_another_tenants_rows(
    client: httpx.AsyncClient, tenants: Tenants
) -> None:
    a, b = tenants.a, tenants.b
    await client.post("/api/v1/clock/in", json={}, headers=b.employee)
    await client.post("/api/v1/clock/in", json={}, headers=a.employee)
    b_ids = {str(i) for i in (*b.employees.values(), *b.sites.values(), tenants.b_entry)}
    seen: set[str] = set()
    for path in ("/api/v1/employees", "/api/v1/sites", "/api/v1/time-entries"):
        items = (await client.get(path, headers=a.admin)).json()["items"]
        assert items
        seen |= {item["id"] for item in items}
    events = (await client.get("/api/v1/clock-events", headers=a.admin)).json()["items"]
    assert [e["employee_id"] for e in events] == [str(a.employees["employee"])]
    assert seen & b_ids == set()
