"""Object-level authorization: tenant A's tokens with tenant B's ids get 404 on every
privacy-request and notification route taking an id, and B's requests stay untouched;
inside a tenant, /me routes never reach another member's request."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from litestar import Litestar

from tests.accounts import Accounts, log_in_all, seed_tenant
from tests.identity.test_authorization import registered_routes
from tests.privacy.world import PrivacyWorld, seed_privacy_world
from tests.workforce.seed import seed_workforce
from timeward.db.session import Database
from timeward.services import Services

PREFIXES = ("/api/v1/privacy-requests", "/api/v1/me/privacy-requests", "/api/v1/me/notifications")


class Pair:
    def __init__(self, a: Accounts, b: Accounts, bw: PrivacyWorld) -> None:
        self.a, self.b, self.bw = a, b, bw

    def b_request(self, purpose: str) -> str:
        return self.bw.ids[purpose]


Build = Callable[[Pair], tuple[str, dict[str, Any] | None]]
ADMIN = "client_admin"

# Every route with an id in its path: (A's role that may call such a route, B's object).
PATH_ID_ROUTES: dict[tuple[str, str], tuple[str, Build]] = {
    ("GET", "/api/v1/me/privacy-requests/{request_id:uuid}"): (
        "employee",
        lambda p: (f"/api/v1/me/privacy-requests/{p.bw.own['employee']}", None),
    ),
    ("GET", "/api/v1/me/privacy-requests/{request_id:uuid}/export"): (
        "employee",
        lambda p: (f"/api/v1/me/privacy-requests/{p.bw.own['employee']}/export", None),
    ),
    ("GET", "/api/v1/privacy-requests/{request_id:uuid}"): (
        ADMIN,
        lambda p: (f"/api/v1/privacy-requests/{p.b_request('read')}", None),
    ),
    ("GET", "/api/v1/privacy-requests/{request_id:uuid}/export"): (
        ADMIN,
        lambda p: (f"/api/v1/privacy-requests/{p.b_request('read')}/export", None),
    ),
    ("POST", "/api/v1/privacy-requests/{request_id:uuid}/identity"): (
        ADMIN,
        lambda p: (
            f"/api/v1/privacy-requests/{p.b_request('verify')}/identity",
            {"method": "other"},
        ),
    ),
    ("POST", "/api/v1/privacy-requests/{request_id:uuid}/extension"): (
        ADMIN,
        lambda p: (
            f"/api/v1/privacy-requests/{p.b_request('extend')}/extension",
            p.bw.extension(),
        ),
    ),
    ("POST", "/api/v1/privacy-requests/{request_id:uuid}/refusal"): (
        ADMIN,
        lambda p: (f"/api/v1/privacy-requests/{p.b_request('refuse')}/refusal", {"reason": "x"}),
    ),
    ("POST", "/api/v1/privacy-requests/{request_id:uuid}/completion"): (
        ADMIN,
        lambda p: (f"/api/v1/privacy-requests/{p.b_request('complete')}/completion", {}),
    ),
    ("POST", "/api/v1/privacy-requests/{request_id:uuid}/export"): (
        ADMIN,
        lambda p: (f"/api/v1/privacy-requests/{p.b_request('export')}/export", None),
    ),
    ("POST", "/api/v1/privacy-requests/{request_id:uuid}/erasure"): (
        ADMIN,
        lambda p: (f"/api/v1/privacy-requests/{p.b_request('erase')}/erasure", None),
    ),
    ("POST", "/api/v1/privacy-requests/{request_id:uuid}/rectification"): (
        ADMIN,
        lambda p: (
            f"/api/v1/privacy-requests/{p.b_request('rectify')}/rectification",
            {"name": "pwned"},
        ),
    ),
    ("POST", "/api/v1/privacy-requests/{request_id:uuid}/flags"): (
        ADMIN,
        lambda p: (f"/api/v1/privacy-requests/{p.b_request('flags')}/flags", None),
    ),
    ("GET", "/api/v1/privacy-requests/{request_id:uuid}/export-preview"): (
        ADMIN,
        lambda p: (f"/api/v1/privacy-requests/{p.b_request('read')}/export-preview", None),
    ),
    ("GET", "/api/v1/privacy-requests/{request_id:uuid}/erasure-preview"): (
        ADMIN,
        lambda p: (f"/api/v1/privacy-requests/{p.b_request('preview')}/erasure-preview", None),
    ),
    ("POST", "/api/v1/privacy-requests/{request_id:uuid}/restriction-lift"): (
        ADMIN,
        lambda p: (
            f"/api/v1/privacy-requests/{p.b_request('lift')}/restriction-lift",
            {"reason": "x"},
        ),
    ),
    ("POST", "/api/v1/me/privacy-requests/{request_id:uuid}/transfer/confirmation"): (
        "employee",
        lambda p: (
            f"/api/v1/me/privacy-requests/{p.bw.transfers['confirm']['employee']}"
            "/transfer/confirmation",
            None,
        ),
    ),
    ("POST", "/api/v1/me/privacy-requests/{request_id:uuid}/transfer/cancellation"): (
        "employee",
        lambda p: (
            f"/api/v1/me/privacy-requests/{p.bw.transfers['cancel']['employee']}"
            "/transfer/cancellation",
            None,
        ),
    ),
    ("POST", "/api/v1/me/notifications/{notification_id:uuid}/read"): (
        "employee",
        lambda p: (f"/api/v1/me/notifications/{p.bw.notifications['employee']}/read", None),
    ),
}


def test_the_table_covers_every_route_with_a_path_id(live_app: Litestar) -> None:
    with_ids = {
        (method, path)
        for method, path, _ in registered_routes(live_app)
        if "{" in path and path.startswith(PREFIXES)
    }
    assert with_ids == set(PATH_ID_ROUTES)


@pytest.fixture
async def pair(db: Database, client: httpx.AsyncClient, services: Services) -> Pair:
    a = await log_in_all(client, await seed_tenant(db, "acme"))
    b = await log_in_all(client, await seed_tenant(db, "globex"))
    await seed_workforce(client, a)
    await seed_workforce(client, b)
    await seed_privacy_world(client, db, services, a)
    return Pair(a, b, await seed_privacy_world(client, db, services, b))


async def _b_state(client: httpx.AsyncClient, pair: Pair) -> list[Any]:
    admin = pair.b.auth(ADMIN)
    views = [
        (await client.get(f"/api/v1/privacy-requests/{rid}", headers=admin)).json()
        for rid in pair.bw.ids.values()
    ]
    employee = pair.b.auth("employee")
    notes = (await client.get("/api/v1/me/notifications", headers=employee)).json()["items"]
    return [
        [(v["status"], v["deadline"], v["identity"], v["fulfilment"]["state"]) for v in views],
        [(n["id"], n["read_at"]) for n in notes],
    ]


async def test_another_tenants_ids_are_404_on_every_route(
    client: httpx.AsyncClient, pair: Pair
) -> None:
    before = await _b_state(client, pair)
    outcomes = {}
    for (method, template), (role, build) in PATH_ID_ROUTES.items():
        for caller in sorted({role, ADMIN}):
            path, body = build(pair)
            response = await client.request(method, path, json=body, headers=pair.a.auth(caller))
            outcomes[(method, template, caller)] = response.status_code
            assert response.json()["detail"].endswith("not found."), response.text
    assert outcomes == dict.fromkeys(outcomes, 404)
    assert await _b_state(client, pair) == before


async def test_me_routes_never_reach_another_members_request(
    client: httpx.AsyncClient, pair: Pair
) -> None:
    b = pair.b
    theirs = pair.bw.own["client_manager"]
    for suffix in ("", "/export"):
        response = await client.get(
            f"/api/v1/me/privacy-requests/{theirs}{suffix}", headers=b.auth("employee")
        )
        assert response.status_code == 404
    listed = (await client.get("/api/v1/me/privacy-requests", headers=b.auth("employee"))).json()
    assert theirs not in {r["id"] for r in listed["items"]}
    other_note = pair.bw.notifications["client_manager"]
    marked = await client.post(
        f"/api/v1/me/notifications/{other_note}/read", headers=b.auth("employee")
    )
    assert marked.status_code == 404
