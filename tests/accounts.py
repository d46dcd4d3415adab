"""Test accounts: tenants with one user per role, platform staff, and logging in over HTTP."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from uuid import UUID

import httpx
from sqlalchemy import select

from timeward.audit.log import PLATFORM_CHAIN
from timeward.db.session import Database, Scope
from timeward.identity.service import (
    NewTenant,
    add_member,
    add_platform_staff,
    create_tenant,
)
from timeward.mail.models import OutboundEmail

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


async def mailed_link(db: Database, outbox: UUID | None, to: str, path: str) -> str:
    """The secret of the latest ``/{path}/<secret>`` link e-mailed to ``to``, read from the
    outbox the mail worker delivers (the tenant's, or the platform's when None)."""
    tenant_id = outbox or PLATFORM_CHAIN
    async with db.transaction(Scope.TENANT, tenant_id) as session:
        bodies = await session.scalars(
            select(OutboundEmail.body_text)
            .where(OutboundEmail.tenant_id == tenant_id, OutboundEmail.recipient == to)
            .order_by(OutboundEmail.created_at.desc(), OutboundEmail.id.desc())
        )
        for body in bodies:
            found = re.search(rf"/{path}/([A-Za-z0-9_-]+)", body)
            if found:
                return found.group(1)
    raise AssertionError(f"no /{path}/ link was mailed")


async def invite_and_accept(
    client: httpx.AsyncClient,
    db: Database,
    inviter: Accounts,
    email: str,
    role: str,
    password: str = PASSWORD,
) -> httpx.Response:
    """The real flow: the inviter's admin invites, the invitee opens the mailed link and
    sets (or, for an existing identity, confirms) their password. Returns the acceptance."""
    if inviter.tenant_id is None:
        path, body = "/api/v1/platform/staff", {"email": email, "role": role}
        headers = inviter.auth("platform_admin")
    else:
        path, body = "/api/v1/users", {"email": email, "role": role}
        headers = inviter.auth("client_admin")
    created = await client.post(path, json=body, headers=headers)
    assert created.status_code == 201, created.text
    token = await mailed_link(db, inviter.tenant_id, email, "invitations")
    return await client.post(f"/api/v1/invitations/{token}/accept", json={"password": password})
