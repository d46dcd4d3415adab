"""A machine never gets more than its scopes: a client holding every scope walks the whole
route matrix of tests/identity/test_authorization.py and is allowed exactly the routes
below, refused (403) everywhere else, platform routes included."""

from __future__ import annotations

import httpx

from tests.identity.test_authorization import MATRIX, World, world  # noqa: F401 - fixture
from tests.machine.support import bearer, create_machine, machine_token
from timeward.machine.service import SCOPES
from timeward.paths import POLICY_DIR

MACHINE_ALLOWED = {
    ("POST", "/api/v1/instructions"),
    ("GET", "/api/v1/instructions"),
    ("GET", "/api/v1/instructions/{instruction_id:uuid}"),
    ("POST", "/api/v1/instructions/{instruction_id:uuid}/cancel"),
    ("GET", "/api/v1/instructions/{instruction_id:uuid}/certificate"),
    ("GET", "/api/v1/instructions/{instruction_id:uuid}/certificate.html"),
    ("GET", "/api/v1/instructions/{instruction_id:uuid}/export"),
    ("GET", "/api/v1/legal-holds"),
    ("GET", "/api/v1/privacy-requests"),
    ("GET", "/api/v1/privacy-requests/{request_id:uuid}"),
    ("GET", "/api/v1/privacy-requests/{request_id:uuid}/export"),
    # reads of the request: what an export or an erasure would hold (changes nothing)
    ("GET", "/api/v1/privacy-requests/{request_id:uuid}/export-preview"),
    ("GET", "/api/v1/privacy-requests/{request_id:uuid}/erasure-preview"),
    # privacy-requests:write: the decisions and fulfilments a client admin makes
    ("POST", "/api/v1/privacy-requests/{request_id:uuid}/identity"),
    ("POST", "/api/v1/privacy-requests/{request_id:uuid}/extension"),
    ("POST", "/api/v1/privacy-requests/{request_id:uuid}/refusal"),
    ("POST", "/api/v1/privacy-requests/{request_id:uuid}/completion"),
    ("POST", "/api/v1/privacy-requests/{request_id:uuid}/export"),
    ("POST", "/api/v1/privacy-requests/{request_id:uuid}/erasure"),
    ("POST", "/api/v1/privacy-requests/{request_id:uuid}/rectification"),
    ("POST", "/api/v1/privacy-requests/{request_id:uuid}/flags"),
    ("POST", "/api/v1/privacy-requests/{request_id:uuid}/restriction-lift"),
    ("GET", "/api/v1/sub-processors"),  # public
    ("POST", "/opendsr/v1/requests"),
    ("GET", "/opendsr/v1/requests/{subject_request_id:str}"),
    ("DELETE", "/opendsr/v1/requests/{subject_request_id:str}"),
    ("POST", "/api/v1/webhooks"),
    ("GET", "/api/v1/webhooks"),
    ("DELETE", "/api/v1/webhooks/{endpoint_id:uuid}"),
    ("POST", "/api/v1/webhooks/{endpoint_id:uuid}/enable"),
    ("GET", "/api/v1/webhooks/{endpoint_id:uuid}/deliveries"),
    ("POST", "/api/v1/webhooks/{endpoint_id:uuid}/deliveries/{delivery_id:uuid}/redeliver"),
}


async def test_a_client_with_every_scope_gets_only_what_its_scopes_map_to(
    client: httpx.AsyncClient,
    world: World,  # noqa: F811 - the matrix's fixture
) -> None:
    machine = await create_machine(client, world.tenant, list(SCOPES))
    headers = bearer(await machine_token(client, machine))
    world.role = "machine"
    outcomes = {}
    for (method, template), (_allowed, build) in MATRIX.items():
        path, body = build(world)
        response = await client.request(method, path, json=body, headers=headers)
        expected_ok = (method, template) in MACHINE_ALLOWED
        ok = response.status_code < 300 if expected_ok else response.status_code == 403
        outcomes[(method, template)] = (ok, response.status_code)
    failures = {key: status for key, (ok, status) in outcomes.items() if not ok}
    assert failures == {}


def test_scopes_are_granted_in_tenant_domains_only() -> None:
    for line in (POLICY_DIR / "policy.csv").read_text().splitlines():
        fields = [f.strip() for f in line.split(",")]
        if len(fields) > 2 and fields[1].startswith("scope:"):
            assert fields[0] == "p" and fields[2] == "tenant:*", line
            assert fields[1].removeprefix("scope:") in SCOPES, line
