"""Shared set-up of the privacy-request console tests: a company whose people have
employee records, and the demo's queue (one request in every traffic-light colour)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import httpx

from tests.privacy.companies import Company
from timeward import clock
from timeward.db.session import Database
from timeward.demo_privacy_requests import DEMO_REQUESTS, seed_demo_privacy_requests

BASE = "/admin/privacy-requests"


async def demo_queue(db: Database, client: httpx.AsyncClient, company: Company) -> int:
    """The demo's requests in ``company``: its people under the demo names (the employee's
    login is Jonas Becker's), then the demo seeding itself."""
    names = sorted({name for name, *_ in DEMO_REQUESTS})
    for n, name in enumerate(names):
        if name == "Jonas Becker":
            response = await client.patch(
                f"/api/v1/employees/{company.employees['employee']}",
                json={"name": name},
                headers=company.admin,
            )
            assert response.status_code == 200, response.text
            continue
        response = await client.post(
            "/api/v1/employees",
            json={"name": name, "employee_number": f"DEMO-{n}"},
            headers=company.admin,
        )
        assert response.status_code == 201, response.text
    return await seed_demo_privacy_requests(db, company.tenant_id, clock.now())


async def queue_items(client: httpx.AsyncClient, company: Company, **params: Any) -> list[Any]:
    response = await client.get("/api/v1/privacy-requests", params=params, headers=company.admin)
    assert response.status_code == 200, response.text
    items: list[Any] = response.json()["items"]
    return items


def request_id_of(items: list[Any], kind: str) -> UUID:
    return UUID(next(item["id"] for item in items if item["request_type"] == kind))
