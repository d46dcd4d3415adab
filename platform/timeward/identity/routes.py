"""Accounts: the caller's own, a tenant's users (client admin), tenants and staff (platform)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec
from litestar import Controller, get, patch, post
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK

from timeward.audit.log import PLATFORM_CHAIN, AuditEntry
from timeward.authz.guard import PUBLIC, requires
from timeward.db.session import Scope
from timeward.errors import Conflict
from timeward.identity import credentials, invitations, service
from timeward.identity.models import (
    PENDING,
    PlatformRole,
    Tenant,
    TenantRole,
    TenantStatus,
    UserStatus,
)
from timeward.web.auth_routes import TokenResponse, token_response
from timeward.web.dependencies import AppServices, CurrentActor, DbSession
from timeward.web.pagination import DEFAULT_PAGE_SIZE, PageLimit, PageOffset
from timeward.web.schemas import (
    CountryCode,
    Email,
    Name,
    NewPassword,
    Password,
    Slug,
    Subdivision,
)


class MeView(msgspec.Struct):
    user_id: UUID
    tenant_id: UUID | None
    role: str


class UserView(msgspec.Struct):
    user_id: UUID | None  # None while the invitation is pending: ids are not disclosed
    email: str
    role: str
    status: str


class NewUser(msgspec.Struct, forbid_unknown_fields=True):
    """No password: the person sets their own through the e-mailed invitation."""

    email: Email
    role: TenantRole


class InvitationView(msgspec.Struct):
    id: UUID
    tenant: str
    organisation: str
    role: str
    email: str
    expires_at: datetime
    sets_password: bool


class Acceptance(msgspec.Struct):
    """A new password when the account has none yet, else its current password."""

    password: Password


class PasswordChange(msgspec.Struct):
    current_password: Password
    new_password: NewPassword


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


class NewTenantRequest(msgspec.Struct, forbid_unknown_fields=True):
    slug: Slug
    name: Name
    country: CountryCode
    admin_email: Email  # invited by e-mail; sets their own password
    subdivision: Subdivision | None = None


class TenantChange(msgspec.Struct):
    status: TenantStatus


class NewStaff(msgspec.Struct, forbid_unknown_fields=True):
    email: Email  # invited by e-mail to a platform identity of their own
    role: PlatformRole


class StaffView(msgspec.Struct):
    user_id: UUID
    role: str


def _user_view(member: service.Member) -> UserView:
    user_id = None if member.status == PENDING else member.user_id
    return UserView(user_id, member.email, member.role, member.status)


def _invitation_view(view: invitations.InvitationView) -> InvitationView:
    return InvitationView(
        view.id,
        view.tenant,
        view.organisation,
        view.role,
        view.email,
        view.expires_at,
        view.sets_password,
    )


class MeController(Controller):
    path = "/api/v1/me"
    tags = ["me"]

    @get("/", opt=requires("me", "read"), summary="Who the token belongs to")
    async def me(self, actor: CurrentActor) -> MeView:
        return MeView(actor.user_id, actor.tenant_id, actor.role)

    @post(
        "/password",
        status_code=HTTP_200_OK,
        opt=requires("me_password", "update"),
        summary="Change my password (current one required); every other session ends",
    )
    async def change_password(
        self, data: JSONBody[PasswordChange], actor: CurrentActor, services: AppServices
    ) -> TokenResponse:
        await credentials.change_password(
            services.database,
            actor.user_id,
            actor.tenant_id,
            data.current_password,
            data.new_password,
        )
        await services.auth.revoke_all_sessions(actor.user_id)
        entry = AuditEntry(
            "auth.password_changed", actor.user_id, actor.role, "user", actor.user_id
        )
        await services.audit.record(services.database, actor.tenant_id, entry)
        return token_response(await services.auth.issue_pair(actor.user_id, actor.tenant_id))

    @get(
        "/invitations",
        opt=requires("me_invitations", "read"),
        summary="My open invitations to other tenants",
    )
    async def my_invitations(
        self, actor: CurrentActor, services: AppServices
    ) -> list[InvitationView]:
        views = await invitations.list_mine(services.database, actor.user_id)
        return [_invitation_view(v) for v in views]

    @post(
        "/invitations/{invitation_id:uuid}/accept",
        status_code=HTTP_200_OK,
        opt=requires("me_invitations", "accept"),
        summary="Accept one of my invitations, signed in as myself",
    )
    async def accept_my_invitation(
        self, invitation_id: FromPath[UUID], actor: CurrentActor, services: AppServices
    ) -> InvitationView:
        view = await invitations.accept_signed_in(
            services.database, services.audit, actor.user_id, invitation_id
        )
        return _invitation_view(view)


class InvitationLinksController(Controller):
    """The e-mailed link: public, the secret in the path is the proof."""

    path = "/api/v1/invitations"
    tags = ["me"]
    opt = PUBLIC

    @get("/{token:str}", summary="What an invitation link is for")
    async def describe(self, token: FromPath[str], services: AppServices) -> InvitationView:
        return _invitation_view(await invitations.describe(services.database, token))

    @post(
        "/{token:str}/accept",
        status_code=HTTP_200_OK,
        summary="Accept: set a first password, or give the account's current one",
    )
    async def accept(
        self, token: FromPath[str], data: JSONBody[Acceptance], services: AppServices
    ) -> InvitationView:
        view = await invitations.accept_by_link(
            services.database, services.audit, token, data.password
        )
        return _invitation_view(view)


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

    @post("/", opt=requires("users", "create"), summary="Invite someone to this tenant")
    async def create_user(
        self,
        data: JSONBody[NewUser],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> UserView:
        """A pending account and an e-mailed invitation; the same answer for any address."""
        tenant_id = actor.require_tenant()
        await invitations.invite_member(
            services.database, services.settings, session, tenant_id, data.email, data.role
        )
        await services.audit.append(
            session,
            tenant_id,
            AuditEntry("user.invited", actor.user_id, actor.role, details={"role": data.role}),
        )
        return UserView(None, data.email, data.role, PENDING)

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
        if membership.status == PENDING and data.status is not None:
            raise Conflict("This account is pending until the person accepts the invitation.")
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
        tenant_id = await invitations.onboard_tenant(
            services.database,
            services.settings,
            services.audit,
            service.NewTenant(data.slug, data.name, data.country, data.subdivision),
            data.admin_email,
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

    @post("/", opt=requires("staff", "create"), summary="Invite a platform staff member")
    async def create_staff(
        self, data: JSONBody[NewStaff], actor: CurrentActor, services: AppServices
    ) -> StaffView:
        user_id = await invitations.invite_staff(
            services.database, services.settings, data.email, data.role
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
