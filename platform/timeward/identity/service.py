"""Creating tenants, users and memberships (the processor's tenant lifecycle)."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from timeward.db.session import Database, Scope
from timeward.identity.models import Membership, PlatformStaff, Tenant, User
from timeward.identity.passwords import hash_password


@dataclass(frozen=True)
class NewTenant:
    slug: str
    name: str
    country: str
    subdivision: str | None = None


async def find_or_create_user(session: AsyncSession, email: str, password: str | None) -> User:
    """The global identity for an e-mail address (auth scope session)."""
    user = await session.scalar(select(User).where(func.lower(User.email) == email.lower()))
    if user is None:
        user = User(email=email, password_hash=hash_password(password) if password else None)
        session.add(user)
        await session.flush()
    return user


async def create_tenant(database: Database, spec: NewTenant) -> UUID:
    async with database.transaction(Scope.PLATFORM) as session:
        tenant = Tenant(
            slug=spec.slug, name=spec.name, country=spec.country, subdivision=spec.subdivision
        )
        session.add(tenant)
        await session.flush()
        return tenant.id


async def add_member(
    database: Database, tenant_id: UUID, email: str, password: str | None, role: str
) -> UUID:
    async with database.transaction(Scope.AUTH) as session:
        user_id = (await find_or_create_user(session, email, password)).id
    async with database.transaction(Scope.TENANT, tenant_id) as session:
        session.add(Membership(tenant_id=tenant_id, user_id=user_id, role=role))
    return user_id


async def add_platform_staff(database: Database, email: str, password: str, role: str) -> UUID:
    async with database.transaction(Scope.AUTH) as session:
        user_id = (await find_or_create_user(session, email, password)).id
    async with database.transaction(Scope.PLATFORM) as session:
        session.add(PlatformStaff(user_id=user_id, role=role))
    return user_id


async def tenant_by_slug(database: Database, slug: str) -> Tenant | None:
    async with database.transaction(Scope.AUTH) as session:
        return await session.scalar(select(Tenant).where(Tenant.slug == slug))
