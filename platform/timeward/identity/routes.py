"""Accounts: the caller's own, a tenant's users (client admin), tenants and staff (platform).

Controllers only: parse, call the service, return the view (`identity.views`).
"""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, get, patch, post
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK

from timeward.authz.guard import PUBLIC, requires
from timeward.identity import credentials, invitations, service, staff
from timeward.identity.models import PENDING
from timeward.identity.schemas import (
    Acceptance,
    InvitationView,
    MeView,
    NewStaff,
    NewTenantRequest,
    NewUser,
    PasswordChange,
    StaffChangeBody,
    StaffMemberView,
    StaffView,
    TenantChange,
    TenantView,
    UserChange,
    UserView,
)
from timeward.identity.views import (
    invitation_view,
    me_view,
    staff_member_view,
    tenant_view,
    user_view,
)
from timeward.web.auth_routes import TokenResponse, token_response
from timeward.web.dependencies import AppServices, CurrentActor, DbSession
from timeward.web.pagination import Page, RequestedPage, make_page


class MeController(Controller):
    path = "/api/v1/me"
    tags = ["me"]

    @get("/", opt=requires("me", "read"), summary="Who the token belongs to")
    async def me(self, actor: CurrentActor) -> MeView:
        return me_view(actor)

    @post(
        "/password",
        status_code=HTTP_200_OK,
        opt=requires("me_password", "update"),
        summary="Change my password (current one required); every other session ends",
    )
    async def change_password(
        self, data: JSONBody[PasswordChange], actor: CurrentActor, services: AppServices
    ) -> TokenResponse:
        pair = await credentials.change_password(
            services.database,
            services.auth,
            services.audit,
            actor.tenant_id,
            credentials.PasswordChange(data.current_password, data.new_password),
            actor.acting,
        )
        return token_response(pair)

    @get(
        "/invitations",
        opt=requires("me_invitations", "read"),
        summary="My open invitations to other tenants",
    )
    async def my_invitations(
        self, actor: CurrentActor, page: RequestedPage, services: AppServices
    ) -> Page[InvitationView]:
        views = await invitations.list_mine(services.database, actor.user_id, page)
        return make_page([invitation_view(v) for v in views], page)

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
        return invitation_view(view)


class InvitationLinksController(Controller):
    """The e-mailed link: public, the secret in the path is the proof."""

    path = "/api/v1/invitations"
    tags = ["me"]
    opt = PUBLIC

    @get("/{token:str}", summary="What an invitation link is for")
    async def describe(self, token: FromPath[str], services: AppServices) -> InvitationView:
        return invitation_view(await invitations.describe(services.database, token))

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
        return invitation_view(view)


class UsersController(Controller):
    path = "/api/v1/users"
    tags = ["users"]

    @get(
        "/", opt=requires("users", "read", personal_data=True), summary="The tenant's user accounts"
    )
    async def list_users(
        self, actor: CurrentActor, session: DbSession, page: RequestedPage
    ) -> Page[UserView]:
        members = await service.list_members(session, actor.require_tenant(), page)
        return make_page([user_view(m) for m in members], page)

    @post("/", opt=requires("users", "create"), summary="Invite someone to this tenant")
    async def create_user(
        self,
        data: JSONBody[NewUser],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> UserView:
        """A pending account and an e-mailed invitation; the same answer for any address."""
        await invitations.invite_member(
            services.database,
            services.settings,
            services.audit,
            session,
            actor.require_tenant(),
            invitations.Invitee(data.email, data.role),
            actor.acting,
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
        member = await service.change_member(
            session,
            services.audit,
            services.auth,
            actor.require_tenant(),
            user_id,
            service.MemberChange(data.role, data.status),
            actor.acting,
        )
        return user_view(member)


class PlatformTenantsController(Controller):
    path = "/api/v1/platform/tenants"
    tags = ["platform"]

    @get("/", opt=requires("tenants", "read"), summary="All client tenants (processor metadata)")
    async def list_tenants(self, session: DbSession, page: RequestedPage) -> Page[TenantView]:
        tenants = await service.list_tenants(session, page)
        return make_page([tenant_view(t) for t in tenants], page)

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
            actor.acting,
        )
        return tenant_view(await service.get_tenant(services.database, tenant_id))

    @patch("/{tenant_id:uuid}", opt=requires("tenants", "update"), summary="Suspend or reactivate")
    async def change_tenant(
        self,
        tenant_id: FromPath[UUID],
        data: JSONBody[TenantChange],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> TenantView:
        tenant = await service.set_tenant_status(
            session, services.audit, tenant_id, data.status, actor.acting
        )
        return tenant_view(tenant)


class PlatformStaffController(Controller):
    path = "/api/v1/platform/staff"
    tags = ["platform"]

    @get("/", opt=requires("staff", "read"), summary="Every platform staff member")
    async def list_staff(self, session: DbSession, page: RequestedPage) -> Page[StaffMemberView]:
        members = await staff.list_staff(session, page)
        return make_page([staff_member_view(m) for m in members], page)

    @patch(
        "/{user_id:uuid}",
        opt=requires("staff", "update"),
        summary="Change a staff member's platform role, or disable / enable them",
    )
    async def change_staff(
        self,
        user_id: FromPath[UUID],
        data: JSONBody[StaffChangeBody],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> StaffMemberView:
        member = await staff.change_staff(
            session,
            services.audit,
            services.auth,
            user_id,
            staff.StaffChange(data.role, data.status),
            actor.acting,
        )
        return staff_member_view(member)

    @post("/", opt=requires("staff", "create"), summary="Invite a platform staff member")
    async def create_staff(
        self, data: JSONBody[NewStaff], actor: CurrentActor, services: AppServices
    ) -> StaffView:
        user_id = await invitations.invite_staff(
            services.database,
            services.settings,
            services.audit,
            invitations.Invitee(data.email, data.role),
            actor.acting,
        )
        return StaffView(user_id, data.role)
