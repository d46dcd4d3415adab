"""A realistic multi-tenant data set for the benchmarks, built through the product's own
services (tenants, accounts) and the owner role (bulk history rows)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from uuid import UUID

import asyncpg
import httpx

from timeward.db.session import Database
from timeward.identity.service import NewTenant, add_member, create_tenant

PASSWORD = "benchmark password 1"


@dataclass
class BenchTenant:
    tenant_id: UUID
    slug: str
    manager_email: str
    employee_emails: list[str]
    employee_ids: list[UUID] = field(default_factory=list)
    tokens: dict[str, str] = field(default_factory=dict)  # email -> access token


async def create_tenants(database: Database, count: int, employees: int) -> list[BenchTenant]:
    async def one(n: int) -> BenchTenant:
        slug = f"bench-{n:03d}"
        tenant_id = await create_tenant(database, NewTenant(slug, f"Bench {n}", "DE", "BE"))
        manager = f"manager@{slug}.example"
        staff = [f"e{i}@{slug}.example" for i in range(employees)]
        await add_member(database, tenant_id, f"admin@{slug}.example", PASSWORD, "client_admin")
        await add_member(database, tenant_id, manager, PASSWORD, "client_manager")
        for email in staff:
            await add_member(database, tenant_id, email, PASSWORD, "employee")
        return BenchTenant(tenant_id, slug, manager, staff)

    return list(await asyncio.gather(*(one(n) for n in range(count))))


async def log_in(http: httpx.AsyncClient, tenant: BenchTenant, email: str) -> str:
    response = await http.post(
        "/api/v1/auth/token", json={"email": email, "password": PASSWORD, "tenant": tenant.slug}
    )
    response.raise_for_status()
    token = str(response.json()["access_token"])
    tenant.tokens[email] = token
    return token


async def create_employee_records(http: httpx.AsyncClient, tenant: BenchTenant) -> None:
    admin = await log_in(http, tenant, f"admin@{tenant.slug}.example")
    members = (await http.get("/api/v1/users?limit=200", headers=_bearer(admin))).json()
    members = members["items"] if isinstance(members, dict) else members
    by_email = {m["email"]: m["user_id"] for m in members}
    for n, email in enumerate(tenant.employee_emails):
        response = await http.post(
            "/api/v1/employees",
            json={"name": f"Employee {n}", "user_id": by_email[email], "employee_number": f"B{n}"},
            headers=_bearer(admin),
        )
        response.raise_for_status()
        tenant.employee_ids.append(UUID(response.json()["id"]))


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def add_history(owner_url: str, tenant: BenchTenant, events_per_employee: int) -> None:
    """Past clock events (in/out pairs, one a day) inserted in bulk as the owner."""
    conn = await asyncpg.connect(owner_url)
    try:
        async with conn.transaction():
            await conn.execute(
                "select set_config('app.tenant_id', $1, true)", str(tenant.tenant_id)
            )
            for employee_id in tenant.employee_ids:
                await conn.execute(
                    """
                    insert into clock_events
                        (tenant_id, id, employee_id, kind, at, location_mode, location_status)
                    select $1, gen_random_uuid(), $2,
                           case when g % 2 = 0 then 'in' else 'out' end,
                           now() - interval '1 day' * ($3 - g / 2) - interval '8 hours' * (1 - g % 2),
                           'geofence', 'not_collected'
                    from generate_series(0, $3 * 2 - 1) g
                    """,
                    tenant.tenant_id,
                    employee_id,
                    events_per_employee // 2,
                )
    finally:
        await conn.close()


async def populate(
    http: httpx.AsyncClient, owner_url: str, tenants: list[BenchTenant], events_per_employee: int
) -> None:
    """Employee records and past clock events for every tenant; everyone logged in."""
    for tenant in tenants:
        await create_employee_records(http, tenant)
        await add_history(owner_url, tenant, events_per_employee=events_per_employee)
        for email in [tenant.manager_email, *tenant.employee_emails]:
            await log_in(http, tenant, email)
