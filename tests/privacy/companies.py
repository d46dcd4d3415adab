"""Data-subject request helpers: companies whose members have employee records with
distinctive personal details, and the calls that file, act on and read requests."""

from __future__ import annotations

from dataclasses import dataclass, field
from email.message import Message
from typing import Any
from uuid import UUID

import httpx

from tests.accounts import TENANT_ROLES, Accounts, log_in_all
from tests.clients import seed_client
from tests.workforce.seed import AT_HQ, HQ
from timeward.db.session import Database, Scope
from timeward.notifications.service import list_for_user


@dataclass
class Person:
    """Personal values a scan can look for: each one unique to this person."""

    name: str
    email: str
    phone: str
    address: str
    number: str  # employee number

    def values(self) -> dict[str, str]:
        return {
            "name": self.name,
            "email": self.email,
            "phone": self.phone,
            "address": self.address,
            "employee number": self.number,
        }


@dataclass
class Company:
    accounts: Accounts
    people: dict[str, Person] = field(default_factory=dict)
    employees: dict[str, UUID] = field(default_factory=dict)

    @property
    def tenant_id(self) -> UUID:
        assert self.accounts.tenant_id is not None
        return self.accounts.tenant_id

    @property
    def name(self) -> str:
        return f"{self.accounts.slug} GmbH"

    def auth(self, role: str) -> dict[str, str]:
        return self.accounts.auth(role)

    @property
    def admin(self) -> dict[str, str]:
        return self.accounts.auth("client_admin")

    @property
    def employee(self) -> dict[str, str]:
        return self.accounts.auth("employee")


def person_for(slug: str, role: str, n: int) -> Person:
    syllables = {"client_admin": "Adalwin", "client_manager": "Brunhilde", "employee": "Quirinus"}
    first = syllables.get(role, role.title())
    return Person(
        name=f"{first} Zwetschgenbaum-{slug}",
        email=f"{role}@{slug}.example",
        phone=f"+49 30 7{n}{len(slug):02d}4{n}9{len(role):02d}",
        address=f"Quittenweg {10 + n}, {slug} Strasse, 10999 Berlin",
        number=f"PN-{slug}-{n}{len(role):02d}",
    )


async def seed_company(
    db: Database,
    client: httpx.AsyncClient,
    slug: str,
    country: str = "DE",
    subdivision: str | None = None,
    *,
    roles: tuple[str, ...] = TENANT_ROLES,
) -> Company:
    """A tenant in a calendar, one logged-in user per role, each with an employee record."""
    accounts = await log_in_all(
        client, await seed_client(db, slug, country, subdivision, roles=roles)
    )
    company = Company(accounts)
    for n, role in enumerate(roles):
        person = person_for(slug, role, n)
        response = await client.post(
            "/api/v1/employees",
            json={
                "name": person.name,
                "user_id": str(accounts.user_id(role)),
                "work_email": person.email,
                "phone": person.phone,
                "postal_address": person.address,
                "employee_number": person.number,
                "job_title": f"{role} of {slug}",
                "hire_date": "2024-03-01",
                "marketing_opt_in": True,
            },
            headers=accounts.auth("client_admin"),
        )
        assert response.status_code == 201, response.text
        company.people[role] = person
        company.employees[role] = UUID(response.json()["id"])
    return company


async def file_request(
    client: httpx.AsyncClient,
    company: Company,
    request_type: str,
    role: str = "employee",
    details: str | None = None,
) -> dict[str, Any]:
    payload: dict[str, Any] = {"request_type": request_type}
    if details is not None:
        payload["details"] = details
    response = await client.post(
        "/api/v1/me/privacy-requests", json=payload, headers=company.auth(role)
    )
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def act(
    client: httpx.AsyncClient,
    company: Company,
    request_id: str,
    action: str,
    json: dict[str, Any] | None = None,
    *,
    expect: int = 200,
) -> dict[str, Any]:
    response = await client.post(
        f"/api/v1/privacy-requests/{request_id}/{action}", json=json or {}, headers=company.admin
    )
    assert response.status_code == expect, response.text
    result: dict[str, Any] = response.json()
    return result


async def admin_view(
    client: httpx.AsyncClient, company: Company, request_id: str
) -> dict[str, Any]:
    response = await client.get(f"/api/v1/privacy-requests/{request_id}", headers=company.admin)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def my_view(
    client: httpx.AsyncClient, company: Company, request_id: str, role: str = "employee"
) -> dict[str, Any]:
    response = await client.get(
        f"/api/v1/me/privacy-requests/{request_id}", headers=company.auth(role)
    )
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def notification_titles(db: Database, tenant_id: UUID, user_id: UUID) -> list[str]:
    async with db.transaction(Scope.TENANT, tenant_id) as session:
        return [n.title for n in await list_for_user(session, tenant_id, user_id, limit=200)]


def to(messages: list[Message], address: str) -> list[Message]:
    return [m for m in messages if str(m["To"]) == address]


async def working_life(client: httpx.AsyncClient, company: Company) -> dict[str, Any]:
    """Precise locations, clock events, time entries with notes, an earlier request."""
    admin = company.admin
    await client.put(
        "/api/v1/settings/location",
        json={"location_mode": "precise", "precise_location_days": 30},
        headers=admin,
    )
    site = await client.post(
        "/api/v1/sites", json={"name": "HQ", "address": "HQ street", "geofence": HQ}, headers=admin
    )
    site_id = site.json()["id"]
    clock_in = await client.post(
        "/api/v1/clock/in", json={"site_id": site_id, "location": AT_HQ}, headers=company.employee
    )
    assert clock_in.status_code == 201, clock_in.text
    out = await client.post("/api/v1/clock/out", json={"location": AT_HQ}, headers=company.employee)
    assert out.status_code == 201, out.text
    entry_id = out.json()["time_entry_id"]
    person = company.people["employee"]
    patched = await client.patch(
        f"/api/v1/time-entries/{entry_id}",
        json={"notes": f"Covered for {person.name}, call {person.phone}"},
        headers=company.auth("client_manager"),
    )
    assert patched.status_code == 200, patched.text
    earlier = await file_request(
        client, company, "access", details=f"I am {person.name} of {person.address}"
    )
    return {"site_id": site_id, "entry_id": entry_id, "earlier": earlier["id"]}


async def assert_others_untouched(
    client: httpx.AsyncClient, acme: Company, bystander: Company, colleague: str = "client_manager"
) -> None:
    """After an erasure: a colleague (by role) and another tenant's employee keep their
    data, and acme's audit chain still verifies."""
    kept = await client.get(f"/api/v1/employees/{acme.employees[colleague]}", headers=acme.admin)
    assert kept.json()["name"] == acme.people[colleague].name
    other = await client.get(
        f"/api/v1/employees/{bystander.employees['employee']}", headers=bystander.admin
    )
    assert other.json()["contact"]["work_email"] == bystander.people["employee"].email
    verified = await client.get("/api/v1/audit-events/verify", headers=acme.admin)
    assert verified.json() == {"intact": True}
