"""Workforce test data, created over HTTP as the tenant's client admin."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import asyncpg
import httpx

from tests.accounts import TENANT_ROLES, Accounts

HQ = {"latitude": 52.5219, "longitude": 13.4132, "radius_m": 150}
YARD = {"latitude": 52.4800, "longitude": 13.4300, "radius_m": 200}
AT_HQ = {"latitude": 52.5221, "longitude": 13.4135, "accuracy": 12.5}
AT_YARD = {"latitude": 52.4801, "longitude": 13.4301, "accuracy": 8.0}
NOWHERE = {"latitude": 48.1374, "longitude": 11.5755, "accuracy": 20.0}


@dataclass
class Workforce:
    """A tenant whose every role has an employee record, one colleague without a login,
    and three sites (two with geofences)."""

    accounts: Accounts
    employees: dict[str, UUID] = field(default_factory=dict)
    sites: dict[str, UUID] = field(default_factory=dict)

    def auth(self, role: str) -> dict[str, str]:
        return self.accounts.auth(role)

    @property
    def admin(self) -> dict[str, str]:
        return self.accounts.auth("client_admin")

    @property
    def manager(self) -> dict[str, str]:
        return self.accounts.auth("client_manager")

    @property
    def employee(self) -> dict[str, str]:
        return self.accounts.auth("employee")


async def created(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def seed_workforce(client: httpx.AsyncClient, accounts: Accounts) -> Workforce:
    workforce = Workforce(accounts)
    admin = accounts.auth("client_admin")
    for n, role in enumerate(TENANT_ROLES):
        body = {
            "name": f"{role.replace('_', ' ').title()} of {accounts.slug}",
            "user_id": str(accounts.user_id(role)),
            "employee_number": f"E{n + 1:03d}",
            "work_email": accounts.email(role),
            "phone": "+49 30 1234567",
            "postal_address": "Hauptstr. 1, 10115 Berlin",
            "job_title": role,
            "hire_date": "2024-01-15",
        }
        response = await client.post("/api/v1/employees", json=body, headers=admin)
        workforce.employees[role] = UUID((await created(response))["id"])
    colleague = await client.post(
        "/api/v1/employees",
        json={"name": f"Colleague of {accounts.slug}", "employee_number": "E100"},
        headers=admin,
    )
    workforce.employees["colleague"] = UUID((await created(colleague))["id"])
    for name, fence in (("hq", HQ), ("yard", YARD), ("remote", None)):
        response = await client.post(
            "/api/v1/sites",
            json={"name": f"{name} site", "address": f"{name} street 1", "geofence": fence},
            headers=admin,
        )
        workforce.sites[name] = UUID((await created(response))["id"])
    return workforce


async def set_location_mode(
    client: httpx.AsyncClient, workforce: Workforce, mode: str, days: int | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {"location_mode": mode}
    if days is not None:
        body["precise_location_days"] = days
    response = await client.put("/api/v1/settings/location", json=body, headers=workforce.admin)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


async def raw_clock_events(owner: asyncpg.Pool, workforce: Workforce) -> list[dict[str, Any]]:
    """The stored rows, read as the schema owner (FORCE RLS applies to it too)."""
    async with owner.acquire() as conn, conn.transaction():
        await conn.execute(
            "select set_config('app.tenant_id', $1, true)", str(workforce.accounts.tenant_id)
        )
        rows = await conn.fetch(
            "select c.*, row_to_json(c)::text as as_json from clock_events c order by at"
        )
    return [dict(row) for row in rows]
