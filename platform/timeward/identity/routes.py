"""Accounts: the caller's own, a tenant's users (client admin), tenants and staff (platform)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec
from litestar import Controller, get, patch, post
from litestar.params import FromPath, JSONBody

from timeward.audit.log import PLATFORM_CHAIN, AuditEntry
from timeward.authz.guard import requires
from timeward.db.session import Scope
from timeward.errors import Conflict
from timeward.identity import service
from timeward.identity.models import PlatformRole, Tenant, TenantRole, TenantStatus, UserStatus
from timeward.web.dependencies import AppServices, CurrentActor, DbSession
from timeward.web.pagination import DEFAULT_PAGE_SIZE, PageLimit, PageOffset
from timeward.web.schemas import (
    CountryCode,
    Email,
    Name,
    NewPassword,
    Slug,
    Subdivision,
)


class MeView(msgspec.Struct):
    user_id: UUID
    tenant_id: UUID | None
    role: str


class UserView(msgspec.Struct):
    user_id: UUID
    email: str
    role: str
    status: str


class NewUser(msgspec.Struct):
    email: Email
    role: TenantRole
    password: NewPassword


class UserChange(msgspec.Struct):
    role: TenantRole | None = None
    status: UserStatus | None = None


class TenantView(msgspec.Struct):
    id: UUID
    slug: str
    name: str
    status: str
    country: str
    subdivision: str | None
    created_at: datetime


class NewTenantRequest(msgspec.Struct):
    slug: Slug
    name: Name
    country: CountryCode
    admin_email: Email
    admin_password: NewPassword
    subdivision: Subdivision | None = None


class TenantChange(msgspec.Struct):
    status: TenantStatus


class NewStaff(msgspec.Struct):
    email: Email
    password: NewPassword
    role: PlatformRole


class StaffView(msgspec.Struct):
    user_id: UUID
    role: str


def _user_view(member: service.Member) -> UserView:
    return UserView(member.user_id, member.email, member.role, member.status)


class MeController(Controller):
    path = "/api/v1/me"
    tags = ["me"]

    @get("/", opt=requires("me", "read"), summary="Who the token belongs to")
    async def me(self, actor: CurrentActor) -> MeView:
        return MeView(actor.user_id, actor.tenant_id, actor.role)


class UsersController(Controller):
    path = "/api/v1/users"
    tags = ["users"]

    @get(
        "/", opt=requires("users", "read", personal_data=True), summary="The tenant's user accounts"
    )
    async def list_users(
        self,
        actor: CurrentActor,
        session: DbSession,
        limit: PageLimit = DEFAULT_PAGE_SIZE,
        offset: PageOffset = 0,
    ) -> list[UserView]:
        members = await service.list_members(session, actor.require_tenant(), limit, offset)
        return [_user_view(m) for m in members]

    @post("/", opt=requires("users", "create"), summary="Create an account in this tenant")
    async def create_user(
        self,
        data: JSONBody[NewUser],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> UserView:
        tenant_id = actor.require_tenant()
        user_id = await service.global_user_id(services.database, data.email, data.password)
        await service.add_membership(session, tenant_id, user_id, data.role)
        await services.audit.append(
            session,
            tenant_id,
            AuditEntry(
                "user.created",
                actor.user_id,
                actor.role,
                "user",
                user_id,
                details={"role": data.role},
            ),
        )
        return UserView(user_id, data.email, data.role, UserStatus.ACTIVE)

    @patch("/{user_id:uuid}", opt=requires("users", "update"), summary="Change role or status")
    async def change_user(
        self,
        user_id: FromPath[UUID],
        data: JSONBody[UserChange],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> UserView:
        tenant_id = actor.require_tenant()
        membership = await service.get_membership(session, tenant_id, user_id)
        if user_id == actor.user_id and (data.role or data.status == UserStatus.DISABLED):
            raise Conflict("You cannot change your own role or disable yourself.")
        changed = False
        for field, action in (("role", "user.role_changed"), ("status", "user.status_changed")):
            new_value = getattr(data, field)
            if new_value is None or new_value == getattr(membership, field):
                continue
            details = {"from": getattr(membership, field), "to": str(new_value)}
            setattr(membership, field, str(new_value))
            changed = True
            entry = AuditEntry(action, actor.user_id, actor.role, "user", user_id, details=details)
            await services.audit.append(session, tenant_id, entry)
        if changed:
            await services.auth.revoke_sessions(user_id, tenant_id)
        return _user_view(await service.member_view(session, membership))


class PlatformTenantsController(Controller):
    path = "/api/v1/platform/tenants"
    tags = ["platform"]

    @get("/", opt=requires("tenants", "read"), summary="All client tenants (processor metadata)")
    async def list_tenants(
        self,
        session: DbSession,
        limit: PageLimit = DEFAULT_PAGE_SIZE,
        offset: PageOffset = 0,
    ) -> list[TenantView]:
        return [_tenant_view(t) for t in await service.list_tenants(session, limit, offset)]

    @post(
        "/", opt=requires("tenants", "create"), summary="Create a tenant and its first client admin"
    )
    async def create_tenant(
        self, data: JSONBody[NewTenantRequest], actor: CurrentActor, services: AppServices
    ) -> TenantView:
        tenant_id = await service.onboard_tenant(
            services.database,
            services.audit,
            service.NewTenant(data.slug, data.name, data.country, data.subdivision),
            service.NewAccount(data.admin_email, data.admin_password),
            service.ActorRef(actor.user_id, actor.role),
        )
        async with services.database.transaction(Scope.PLATFORM) as session:
            tenant = await session.get(Tenant, tenant_id)
            assert tenant is not None
            return _tenant_view(tenant)

    @patch("/{tenant_id:uuid}", opt=requires("tenants", "update"), summary="Suspend or reactivate")
    async def change_tenant(
        self,
        tenant_id: FromPath[UUID],
        data: JSONBody[TenantChange],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> TenantView:
        tenant = await service.set_tenant_status(session, tenant_id, data.status)
        details = {"status": str(data.status)}
        await services.audit.append(
            session,
            PLATFORM_CHAIN,
            AuditEntry(
                "tenant.status_changed",
                actor.user_id,
                actor.role,
                "tenant",
                tenant_id,
                details=details,
            ),
        )
        return _tenant_view(tenant)


class PlatformStaffController(Controller):
    path = "/api/v1/platform/staff"
    tags = ["platform"]

    @post("/", opt=requires("staff", "create"), summary="Add a platform staff member")
    async def create_staff(
        self, data: JSONBody[NewStaff], actor: CurrentActor, services: AppServices
    ) -> StaffView:
        user_id = await service.add_platform_staff(
            services.database, data.email, data.password, data.role
        )
        entry = AuditEntry(
            "staff.created", actor.user_id, actor.role, "user", user_id, details={"role": data.role}
        )
        await services.audit.record(services.database, None, entry)
        return StaffView(user_id, data.role)


def _tenant_view(tenant: Tenant) -> TenantView:
    return TenantView(
        tenant.id,
        tenant.slug,
        tenant.name,
        tenant.status,
        tenant.country,
        tenant.subdivision,
        tenant.created_at,
    )
