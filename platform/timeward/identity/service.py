"""Tenant lifecycle, users and memberships (the processor's identity duties)."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from timeward.acting import Acting
from timeward.audit.log import PLATFORM_CHAIN, AuditEntry, AuditLog
from timeward.auth.actor import PLATFORM_DOMAIN
from timeward.auth.service import AuthService
from timeward.db.queries import fetch_page
from timeward.db.session import Database, Scope
from timeward.deadlines import UnsupportedCalendar, check_calendar
from timeward.errors import Conflict, InvalidInput, NotFound
from timeward.identity.models import (
    PENDING,
    Membership,
    PlatformStaff,
    Realm,
    Tenant,
    TenantRole,
    TenantStatus,
    User,
    UserStatus,
)
from timeward.identity.passwords import hash_password
from timeward.paging import PageRequest

RESERVED_SLUGS = frozenset({PLATFORM_DOMAIN, "api", "admin", "www"})


@dataclass(frozen=True)
class NewTenant:
    slug: str
    name: str
    country: str
    subdivision: str | None = None


@dataclass(frozen=True)
class Recipient:
    user_id: UUID
    email: str


@dataclass(frozen=True)
class Member:
    user_id: UUID
    email: str
    role: str
    status: str


async def find_identity(session: AsyncSession, email: str, realm: Realm) -> User | None:
    """The identity of an address in a realm (auth-scope session)."""
    return await session.scalar(
        select(User).where(User.realm == realm, func.lower(User.email) == email.lower())
    )


async def find_or_create_user(
    session: AsyncSession, email: str, password: str | None, realm: Realm = Realm.TENANT
) -> User:
    """The global identity for an e-mail address (auth-scope session).

    An existing identity keeps its password. Only seeding (demo, tests) passes a
    password; every route creates identities without one, set by the person through
    their invitation (timeward.identity.invitations).
    """
    user = await find_identity(session, email, realm)
    if user is None:
        password_hash = await hash_password(password) if password else None
        user = User(email=email, password_hash=password_hash, realm=realm)
        session.add(user)
        await session.flush()
    return user


def _check_calendar(spec: NewTenant) -> None:
    """Deadlines are counted in the tenant's public holidays: refuse a calendar that has none."""
    try:
        check_calendar(spec.country, spec.subdivision)
    except UnsupportedCalendar as error:
        raise InvalidInput.on_field(error.field, error.message) from error


async def create_tenant(database: Database, spec: NewTenant) -> UUID:
    if spec.slug in RESERVED_SLUGS:
        raise Conflict(f"The slug '{spec.slug}' is reserved.")
    _check_calendar(spec)
    try:
        async with database.transaction(Scope.PLATFORM) as session:
            tenant = Tenant(
                slug=spec.slug, name=spec.name, country=spec.country, subdivision=spec.subdivision
            )
            session.add(tenant)
            await session.flush()
            return tenant.id
    except IntegrityError as exc:
        raise Conflict(f"A tenant with the slug '{spec.slug}' already exists.") from exc


async def global_user_id(
    database: Database, email: str, password: str | None, realm: Realm = Realm.TENANT
) -> UUID:
    async with database.transaction(Scope.AUTH) as session:
        return (await find_or_create_user(session, email, password, realm)).id


async def add_membership(session: AsyncSession, tenant_id: UUID, user_id: UUID, role: str) -> None:
    """In the tenant's session; a second membership of the same user is a conflict."""
    exists = await session.scalar(
        select(Membership.user_id).where(
            Membership.tenant_id == tenant_id, Membership.user_id == user_id
        )
    )
    if exists:
        raise Conflict("This person already has an account in this tenant.")
    session.add(Membership(tenant_id=tenant_id, user_id=user_id, role=role))
    await session.flush()


async def add_member(
    database: Database, tenant_id: UUID, email: str, password: str | None, role: str
) -> UUID:
    """Seed an accepted membership (demo, tests, benchmarks): never behind a route."""
    user_id = await global_user_id(database, email, password)
    async with database.transaction(Scope.TENANT, tenant_id) as session:
        await add_membership(session, tenant_id, user_id, role)
    return user_id


async def add_platform_staff(database: Database, email: str, password: str, role: str) -> UUID:
    """Seed a staff member with a password (demo, tests): never behind a route."""
    user_id = await global_user_id(database, email, password, Realm.PLATFORM)
    async with database.transaction(Scope.PLATFORM) as session:
        if await session.get(PlatformStaff, user_id):
            raise Conflict("This person is already platform staff.")
        session.add(PlatformStaff(user_id=user_id, role=role))
    return user_id


async def tenant_by_slug(database: Database, slug: str) -> Tenant | None:
    async with database.transaction(Scope.AUTH) as session:
        return await session.scalar(select(Tenant).where(Tenant.slug == slug))


async def list_members(session: AsyncSession, tenant_id: UUID, page: PageRequest) -> list[Member]:
    rows = await session.execute(
        select(Membership.user_id, User.email, Membership.role, Membership.status)
        .join(User, User.id == Membership.user_id)
        .where(Membership.tenant_id == tenant_id)
        .order_by(User.email)
        .limit(page.fetch)
        .offset(page.offset)
    )
    return [Member(*row) for row in rows.all()]


async def get_membership(session: AsyncSession, tenant_id: UUID, user_id: UUID) -> Membership:
    membership = await session.get(Membership, (tenant_id, user_id))
    if membership is None:
        raise NotFound("User")
    return membership


async def member_view(session: AsyncSession, membership: Membership) -> Member:
    email = await session.scalar(select(User.email).where(User.id == membership.user_id))
    return Member(membership.user_id, email or "", membership.role, membership.status)


async def list_tenants(session: AsyncSession, page: PageRequest) -> list[Tenant]:
    return await fetch_page(session, select(Tenant).order_by(Tenant.created_at), page)


async def get_tenant(database: Database, tenant_id: UUID) -> Tenant:
    """A tenant as platform staff see it (processor metadata), in a transaction of its own."""
    async with database.transaction(Scope.PLATFORM) as session:
        tenant = await session.get(Tenant, tenant_id)
    if tenant is None:
        raise NotFound("Tenant")
    return tenant


async def set_tenant_status(
    session: AsyncSession, audit: AuditLog, tenant_id: UUID, status: TenantStatus, by: Acting
) -> Tenant:
    """Suspend or reactivate a tenant, audited in the platform's chain."""
    tenant = await session.get(Tenant, tenant_id)
    if tenant is None:
        raise NotFound("Tenant")
    tenant.status = status
    details = {"status": str(status)}
    entry = AuditEntry(
        "tenant.status_changed", by.user_id, by.role, "tenant", tenant_id, details=details
    )
    await audit.append(session, PLATFORM_CHAIN, entry)
    return tenant


@dataclass(frozen=True)
class MemberChange:
    """A new role or status for a membership; None leaves it as it is."""

    role: TenantRole | None = None
    status: UserStatus | None = None


# The audited fields of a membership change, with the action each one records.
_MEMBER_FIELDS = (("role", "user.role_changed"), ("status", "user.status_changed"))


async def change_member(
    session: AsyncSession,
    audit: AuditLog,
    auth: AuthService,
    tenant_id: UUID,
    user_id: UUID,
    change: MemberChange,
    by: Acting,
) -> Member:
    """Change a member's role or status, one audit event per field that changed; a changed
    member's sessions in this tenant end. Nobody changes their own role or disables
    themselves, and a pending invitation's status waits for its acceptance."""
    membership = await get_membership(session, tenant_id, user_id)
    if user_id == by.user_id and (change.role or change.status == UserStatus.DISABLED):
        raise Conflict("You cannot change your own role or disable yourself.")
    if membership.status == PENDING and change.status is not None:
        raise Conflict("This account is pending until the person accepts the invitation.")
    changed = False
    for field, action in _MEMBER_FIELDS:
        new_value = getattr(change, field)
        if new_value is None or new_value == getattr(membership, field):
            continue
        details = {"from": getattr(membership, field), "to": str(new_value)}
        setattr(membership, field, str(new_value))
        changed = True
        entry = AuditEntry(action, by.user_id, by.role, "user", user_id, details=details)
        await audit.append(session, tenant_id, entry)
    if changed:
        await auth.revoke_sessions(user_id, tenant_id)
    return await member_view(session, membership)


async def client_admins(session: AsyncSession, tenant_id: UUID) -> list[Recipient]:
    """The tenant's active client admins (tenant-scoped session): who the processor notifies."""
    rows = await session.execute(
        select(Membership.user_id, User.email)
        .join(User, User.id == Membership.user_id)
        .where(
            Membership.tenant_id == tenant_id,
            Membership.role == TenantRole.CLIENT_ADMIN,
            Membership.status == UserStatus.ACTIVE,
            User.status == UserStatus.ACTIVE,
        )
        .order_by(User.email)
    )
    return [Recipient(user_id, email) for user_id, email in rows.all()]
