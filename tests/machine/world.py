"""Webhook endpoints for the route matrix: disabled ones (enable and removal each spend
one) and one with a delivery in its log."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import httpx

from tests.accounts import Accounts
from timeward import clock
from timeward.db.session import Database, Scope
from timeward.webhooks.events import emit
from timeward.webhooks.models import WebhookEndpoint


async def seed_webhooks(
    client: httpx.AsyncClient, db: Database, tenant: Accounts, count: int
) -> tuple[list[str], tuple[str, str]]:
    ids = []
    for _ in range(count + 1):
        made = await client.post(
            "/api/v1/webhooks",
            json={
                "url": "http://127.0.0.1:9/hook",
                "events": ["breach.notified"],
                "allow_private_network": True,
            },
            headers=tenant.auth("client_admin"),
        )
        assert made.status_code == 201, made.text
        ids.append(made.json()["endpoint"]["id"])
    assert tenant.tenant_id is not None
    async with db.transaction(Scope.TENANT, tenant.tenant_id) as session:
        for endpoint_id in ids:
            endpoint = await session.get(WebhookEndpoint, (tenant.tenant_id, UUID(endpoint_id)))
            assert endpoint is not None
            endpoint.disabled_at = clock.now()  # as after a day of failures
        await emit(session, tenant.tenant_id, "breach.notified", {"breach_id": UUID(int=1)})
    kept = ids.pop()
    log = await client.get(
        f"/api/v1/webhooks/{kept}/deliveries", headers=tenant.auth("client_admin")
    )
    return ids, (kept, log.json()["items"][0]["id"])


NOBODY: dict[str, Any] = {  # an OpenDSR erasure naming nobody: completed, zero results
    "api_version": "2.0",
    "regulation": "gdpr",
    "subject_request_id": "matrix-nobody",
    "subject_request_type": "erasure",
    "submitted_time": "2026-12-01T10:00:00Z",
    "subject_identities": [{"identity_type": "email", "identity_value": "nobody@example.org"}],
}


async def seed_opendsr(
    client: httpx.AsyncClient,
    tenant: Accounts,
    employee_id: str,
    nobody: dict[str, Any],
    count: int,
) -> list[str]:
    """``count`` pending erasures of the employee (by number), and the request naming nobody."""
    admin = tenant.auth("client_admin")
    number = (await client.get(f"/api/v1/employees/{employee_id}", headers=admin)).json()
    ids = []
    for n in range(count):
        body = {
            **nobody,
            "subject_request_id": f"matrix-pending-{n}",
            "subject_identities": [
                {
                    "identity_type": "controller_customer_id",
                    "identity_value": number["employee_number"],
                }
            ],
        }
        made = await client.post("/opendsr/v1/requests", json=body, headers=admin)
        assert made.status_code == 201 and made.json()["request_status"] == "pending", made.text
        ids.append(body["subject_request_id"])
    assert (
        await client.post("/opendsr/v1/requests", json=nobody, headers=admin)
    ).status_code == 201
    return ids
