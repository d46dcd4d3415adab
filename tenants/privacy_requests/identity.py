"""After an erasure: the person's login identity (``users``) is global, shared by every
employer they have in Timeward, so it is removed only when nothing else uses it.

Runs in the erasure job after the tenant's part has committed. Each tenant is asked in
its own tenant-scoped transaction whether the account is still a member there (the
platform scope never reads memberships), platform staff in platform scope; the identity
and its sessions are deleted in the auth scope. The outcome is never shown to the
tenant: whether a person works for another client is not its business.
"""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import delete, select

from timeward.auth.models import RefreshToken
from timeward.db.session import Database, Scope
from timeward.identity.models import Membership, PlatformStaff, Tenant, User


async def _used_elsewhere(database: Database, user_id: UUID) -> bool:
    async with database.transaction(Scope.PLATFORM) as session:
        if await session.get(PlatformStaff, user_id) is not None:
            return True
        tenants = list((await session.scalars(select(Tenant.id).order_by(Tenant.id))).all())
    for tenant_id in tenants:  # deleted tenants too: a row there would still hold the account
        async with database.transaction(Scope.TENANT, tenant_id, read_only=True) as session:
            member = await session.scalar(
                select(Membership.user_id).where(
                    Membership.tenant_id == tenant_id, Membership.user_id == user_id
                )
            )
        if member is not None:
            return True
    return False


async def remove_login_identity(database: Database, user_id: UUID, tenant_id: UUID) -> bool:
    """Revoke the person's sessions for ``tenant_id``; delete the identity itself when no
    other membership or staff role uses it. Returns whether it was deleted. Idempotent."""
    used = await _used_elsewhere(database, user_id)
    async with database.transaction(Scope.AUTH) as session:
        tokens = delete(RefreshToken).where(RefreshToken.user_id == user_id)
        if used:
            await session.execute(tokens.where(RefreshToken.domain == str(tenant_id)))
            return False
        await session.execute(tokens)
        await session.execute(delete(User).where(User.id == user_id))
    return True
