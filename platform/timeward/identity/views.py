"""How accounts, invitations and tenants become the structs the API returns."""

from __future__ import annotations

from timeward.auth.actor import Actor
from timeward.identity import invitations
from timeward.identity.models import PENDING, Tenant
from timeward.identity.schemas import (
    InvitationView,
    MeView,
    StaffMemberView,
    TenantView,
    UserView,
)
from timeward.identity.service import Member
from timeward.identity.staff import StaffMember


def me_view(actor: Actor) -> MeView:
    return MeView(actor.user_id, actor.tenant_id, actor.role)


def user_view(member: Member) -> UserView:
    user_id = None if member.status == PENDING else member.user_id
    return UserView(user_id, member.email, member.role, member.status)


def invitation_view(view: invitations.InvitationView) -> InvitationView:
    return InvitationView(
        view.id,
        view.tenant,
        view.organisation,
        view.role,
        view.email,
        view.expires_at,
        view.sets_password,
    )


def tenant_view(tenant: Tenant) -> TenantView:
    return TenantView(
        tenant.id,
        tenant.slug,
        tenant.name,
        tenant.status,
        tenant.country,
        tenant.subdivision,
        tenant.created_at,
    )


def staff_member_view(member: StaffMember) -> StaffMemberView:
    return StaffMemberView(member.user_id, member.email, member.role, member.status, member.invited)
