"""Platform staff managed by a platform admin: the list, a new platform role, disabling
and enabling. Platform scope; audited on the platform's chain. A changed person's refresh
tokens end at once, and their web session at its next request (``current_role``)."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from timeward.acting import Acting
from timeward.audit.log import PLATFORM_CHAIN, AuditEntry, AuditLog
from timeward.auth.service import AuthService
from timeward.errors import Conflict, NotFound
from timeward.identity.models import PlatformRole, PlatformStaff, User, UserStatus
from timeward.paging import PageRequest


@dataclass(frozen=True)
class StaffMember:
    user_id: UUID
    email: str
    role: str
    status: str
    invited: bool  # has not yet set a password through the invitation link


@dataclass(frozen=True)
class StaffChange:
    """A new platform role or status; None leaves it as it is."""

    role: PlatformRole | None = None
    status: UserStatus | None = None


def _member(staff: PlatformStaff, user: User) -> StaffMember:
    return StaffMember(user.id, user.email, staff.role, user.status, user.password_hash is None)


async def list_staff(session: AsyncSession, page: PageRequest) -> list[StaffMember]:
    """Every staff member by e-mail (``page.fetch`` of them: one more than a page)."""
    rows = await session.execute(
        select(PlatformStaff, User)
        .join(User, User.id == PlatformStaff.user_id)
        .order_by(User.email, User.id)
        .limit(page.fetch)
        .offset(page.offset)
    )
    return [_member(staff, user) for staff, user in rows.all()]


async def change_staff(
    session: AsyncSession,
    audit: AuditLog,
    auth: AuthService,
    user_id: UUID,
    change: StaffChange,
    by: Acting,
) -> StaffMember:
    """One audit event per field that changed. Nobody changes their own role or disables
    themselves (the last admin cannot lock the platform out that way)."""
    row = (
        await session.execute(
            select(PlatformStaff, User)
            .join(User, User.id == PlatformStaff.user_id)
            .where(PlatformStaff.user_id == user_id)
            .with_for_update()
        )
    ).first()
    if row is None:
        raise NotFound("Staff member")
    staff, user = row
    if user_id == by.user_id and (change.role or change.status == UserStatus.DISABLED):
        raise Conflict("You cannot change your own role or disable yourself.")
    changed = False
    for target, field, new_value, action in (
        (staff, "role", change.role, "staff.role_changed"),
        (user, "status", change.status, "staff.status_changed"),
    ):
        if new_value is None or new_value == getattr(target, field):
            continue
        details = {"from": getattr(target, field), "to": str(new_value)}
        setattr(target, field, str(new_value))
        changed = True
        entry = AuditEntry(action, by.user_id, by.role, "user", user_id, details=details)
        await audit.append(session, PLATFORM_CHAIN, entry)
    if changed:
        await session.flush()
        await auth.revoke_sessions(user_id, None)
    return _member(staff, user)
