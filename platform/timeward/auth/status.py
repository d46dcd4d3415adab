"""Is an identity still allowed to act? Checked at login, refresh and every request."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import select

from timeward.db.session import Database, Scope
from timeward.identity.models import Membership, PlatformStaff, Tenant, TenantStatus, User

ACTIVE = "active"


async def current_role(database: Database, user_id: UUID, tenant_id: UUID | None) -> str | None:
    """The role the user holds now in the tenant (or the platform), or None if none is valid.

    None when the user is disabled, the membership disabled or gone, or the tenant not active.
    """
    if tenant_id is None:
        async with database.transaction(Scope.PLATFORM) as session:
            return await session.scalar(
                select(PlatformStaff.role)
                .join(User, User.id == PlatformStaff.user_id)
                .where(PlatformStaff.user_id == user_id, User.status == ACTIVE)
            )
    async with database.transaction(Scope.TENANT, tenant_id) as session:
        return await session.scalar(
            select(Membership.role)
            .join(User, User.id == Membership.user_id)
            .join(Tenant, Tenant.id == Membership.tenant_id)
            .where(
                Membership.tenant_id == tenant_id,
                Membership.user_id == user_id,
                Membership.status == ACTIVE,
                User.status == ACTIVE,
                Tenant.status == TenantStatus.ACTIVE,
            )
        )
