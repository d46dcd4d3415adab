"""Test accounts: tenants with one user per role, platform staff, and logging in over HTTP."""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

import httpx

from timeward.db.session import Database
from timeward.identity.service import (
    NewTenant,
    add_member,
    add_platform_staff,
    create_tenant,
)

PASSWORD = "correct horse battery staple"
TENANT_ROLES = ("client_admin", "client_manager", "employee")
PLATFORM_ROLES = ("platform_admin", "platform_staff")


@dataclass
class Accounts:
    """One tenant (or the platform) and a user id and e-mail per role."""

    slug: str
    tenant_id: UUID | None
    users: dict[str, tuple[UUID, str]] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)

    def user_id(self, role: str) -> UUID:
        return self.users[role][0]

    def email(self, role: str) -> str:
        return self.users[role][1]

    def auth(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}


async def seed_tenant(db: Database, slug: str, country: str = "DE") -> Accounts:
    tenant_id = await create_tenant(db, NewTenant(slug=slug, name=f"{slug} GmbH", country=country))
    accounts = Accounts(slug, tenant_id)
    for role in TENANT_ROLES:
        email = f"{role}@{slug}.example"
        accounts.users[role] = (await add_member(db, tenant_id, email, PASSWORD, role), email)
    return accounts


async def seed_platform(db: Database) -> Accounts:
    accounts = Accounts("platform", None)
    for role in PLATFORM_ROLES:
        email = f"{role}@timeward.example"
        accounts.users[role] = (await add_platform_staff(db, email, PASSWORD, role), email)
    return accounts


async def token_pair(
    client: httpx.AsyncClient, email: str, tenant: str, password: str = PASSWORD
) -> httpx.Response:
    return await client.post(
        "/api/v1/auth/token", json={"email": email, "password": password, "tenant": tenant}
    )


async def log_in_all(client: httpx.AsyncClient, accounts: Accounts) -> Accounts:
    for role, (_, email) in accounts.users.items():
        response = await token_pair(client, email, accounts.slug)
        assert response.status_code == 200, response.text
        accounts.tokens[role] = response.json()["access_token"]
    return accounts
