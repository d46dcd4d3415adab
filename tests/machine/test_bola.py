"""Object-level authorization of the machine-client routes: tenant A's client admin and
A's machine client (every scope) with tenant B's ids get 404 on every route taking an
id, and B's clients, endpoints and OpenDSR requests stay as they were."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import uuid4

import httpx
import pytest
from litestar import Litestar

from tests.accounts import Accounts, log_in_all, seed_tenant
from tests.identity.test_authorization import registered_routes
from tests.machine.support import Machine, bearer, create_machine, machine_token
from tests.machine.world import NOBODY, seed_opendsr, seed_webhooks
from tests.workforce.seed import seed_workforce
from timeward.db.session import Database
from timeward.machine.service import SCOPES

PREFIXES = ("/api/v1/api-clients", "/api/v1/webhooks", "/opendsr/")


@dataclass
class Pair:
    a: Accounts
    b: Accounts
    a_machine: dict[str, str]  # A's machine client's bearer header
    b_machine: Machine
    b_endpoint: str
    b_delivery: tuple[str, str]
    b_request: str


Build = Callable[[Pair], str]
PATH_ID_ROUTES: dict[tuple[str, str], Build] = {
    ("POST", "/api/v1/api-clients/{client_id:uuid}/rotate"): lambda p: (
        f"/api/v1/api-clients/{p.b_machine.client_id}/rotate"
    ),
    ("DELETE", "/api/v1/api-clients/{client_id:uuid}"): lambda p: (
        f"/api/v1/api-clients/{p.b_machine.client_id}"
    ),
    ("DELETE", "/api/v1/webhooks/{endpoint_id:uuid}"): lambda p: f"/api/v1/webhooks/{p.b_endpoint}",
    ("POST", "/api/v1/webhooks/{endpoint_id:uuid}/enable"): lambda p: (
        f"/api/v1/webhooks/{p.b_endpoint}/enable"
    ),
    ("GET", "/api/v1/webhooks/{endpoint_id:uuid}/deliveries"): lambda p: (
        f"/api/v1/webhooks/{p.b_delivery[0]}/deliveries"
    ),
    ("POST", "/api/v1/webhooks/{endpoint_id:uuid}/deliveries/{delivery_id:uuid}/redeliver"): (
        lambda p: f"/api/v1/webhooks/{p.b_delivery[0]}/deliveries/{p.b_delivery[1]}/redeliver"
    ),
    ("GET", "/opendsr/v1/requests/{subject_request_id:str}"): lambda p: (
        f"/opendsr/v1/requests/{p.b_request}"
    ),
    ("DELETE", "/opendsr/v1/requests/{subject_request_id:str}"): lambda p: (
        f"/opendsr/v1/requests/{p.b_request}"
    ),
    # public, its token the proof: a token of nothing of B's (tests/machine/test_opendsr_access)
    ("GET", "/opendsr/v1/results/{tenant_id:uuid}/{request_id:uuid}"): lambda p: (
        f"/opendsr/v1/results/{p.b.tenant_id}/{uuid4()}?token={'0' * 64}"
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
async def pair(db: Database, client: httpx.AsyncClient) -> Pair:
    a = await log_in_all(client, await seed_tenant(db, "acme"))
    b = await log_in_all(client, await seed_tenant(db, "globex"))
    b_workforce = await seed_workforce(client, b)
    a_machine = await create_machine(client, a, list(SCOPES))
    b_machine = await create_machine(client, b, list(SCOPES))
    endpoints, delivery = await seed_webhooks(client, db, b, 1)
    employee = str(b_workforce.employees["employee"])
    [request] = await seed_opendsr(client, b, employee, NOBODY, 1)
    a_header = bearer(await machine_token(client, a_machine))
    return Pair(a, b, a_header, b_machine, endpoints[0], delivery, request)


async def _b_state(client: httpx.AsyncClient, pair: Pair) -> list[Any]:
    admin = pair.b.auth("client_admin")
    clients = (await client.get("/api/v1/api-clients", headers=admin)).json()["items"]
    endpoints = (await client.get("/api/v1/webhooks", headers=admin)).json()["items"]
    log = await client.get(f"/api/v1/webhooks/{pair.b_delivery[0]}/deliveries", headers=admin)
    request = await client.get(f"/opendsr/v1/requests/{pair.b_request}", headers=admin)
    return [
        [(c["id"], c["status"], c["rotated_at"]) for c in clients],
        [(e["id"], e["disabled_at"]) for e in endpoints],
        [d["id"] for d in log.json()["items"]],
        request.json()["request_status"],
    ]


async def test_another_tenants_ids_are_404_for_an_admin_and_a_machine(
    client: httpx.AsyncClient, pair: Pair
) -> None:
    before = await _b_state(client, pair)
    assert before[3] == "pending"
    outcomes = {}
    for (method, template), build in PATH_ID_ROUTES.items():
        for caller, headers in (
            ("admin", pair.a.auth("client_admin")),
            ("machine", pair.a_machine),
        ):
            response = await client.request(method, build(pair), headers=headers)
            outcomes[(method, template, caller)] = response.status_code
    # a machine may not manage clients at all (no scope grants it): 403 before any lookup
    expected = {
        key: 403 if key[2] == "machine" and key[1].startswith("/api/v1/api-clients") else 404
        for key in outcomes
    }
    assert outcomes == expected
    assert await _b_state(client, pair) == before
    b_token = await machine_token(client, pair.b_machine)  # B's secret still works
    assert (await client.get("/api/v1/instructions", headers=bearer(b_token))).status_code == 200
