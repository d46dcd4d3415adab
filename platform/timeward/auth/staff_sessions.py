"""Server-side sessions of platform staff in the web pages: one row per sign-in, in the
platform scope (``staff_sessions``, migration 0015).

The cookie is ``platform.<secret>`` (a tenant's is ``<tenant id>.<secret>``, see
``timeward.auth.browser_sessions``); only the SHA-256 digest of the whole value is
stored. The same lifetimes as a tenant session apply. A session may have entered one
tenant under a support grant (``support_tenant_id``): the grant itself is checked on
every request by the caller, so its end, revocation or the tenant's suspension ends the
reading at once. Whether the person may still act is checked per request by the caller.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import ForeignKey, LargeBinary, String, select
from sqlalchemy.orm import Mapped, mapped_column

from timeward.auth.actor import PLATFORM_DOMAIN
from timeward.auth.browser_sessions import SEPARATOR, Lifetimes, SessionTimes, touch_row
from timeward.auth.opaque import digest, new_secret
from timeward.db.base import Base, CreatedAt, new_id
from timeward.db.session import Database, Scope

COOKIE_PREFIX = f"{PLATFORM_DOMAIN}{SEPARATOR}"


class StaffSession(SessionTimes, CreatedAt, Base):
    __tablename__ = "staff_sessions"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    user_id: Mapped[UUID] = mapped_column(
        ForeignKey("platform_staff.user_id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(32))
    token_hash: Mapped[bytes] = mapped_column(LargeBinary, unique=True)
    support_tenant_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("tenants.id", ondelete="SET NULL")
    )


@dataclass(frozen=True)
class LiveStaffSession:
    id: UUID
    user_id: UUID
    role: str
    support_tenant_id: UUID | None


def is_staff_cookie(cookie: str) -> bool:
    return cookie.startswith(COOKIE_PREFIX) and len(cookie) > len(COOKIE_PREFIX)


async def open_staff_session(
    database: Database, user_id: UUID, role: str, now: datetime, life: Lifetimes
) -> str:
    """A new session; returns the cookie value (shown once, stored only as a digest)."""
    cookie = f"{COOKIE_PREFIX}{new_secret('ss_')}"
    async with database.transaction(Scope.PLATFORM) as session:
        session.add(
            StaffSession(
                user_id=user_id,
                role=role,
                token_hash=digest(cookie),
                last_seen_at=now,
                expires_at=now + life.absolute,
            )
        )
    return cookie


async def touch_staff_session(
    database: Database, cookie: str, now: datetime, life: Lifetimes
) -> LiveStaffSession | None:
    """The live session of this cookie, its last use set to now; None if there is none."""
    if not is_staff_cookie(cookie):
        return None
    async with database.transaction(Scope.PLATFORM) as session:
        live = await touch_row(
            session,
            StaffSession,
            [StaffSession.token_hash == digest(cookie)],
            now,
            life,
            StaffSession.id,
            StaffSession.user_id,
            StaffSession.role,
            StaffSession.support_tenant_id,
        )
    if live is None:
        return None
    return LiveStaffSession(live.id, live.user_id, live.role, live.support_tenant_id)


async def revoke_staff_session(database: Database, cookie: str, now: datetime) -> None:
    """Sign-out (or the person's access changed): the cookie's session ends."""
    if not is_staff_cookie(cookie):
        return
    async with database.transaction(Scope.PLATFORM) as session:
        row = await session.scalar(
            select(StaffSession).where(StaffSession.token_hash == digest(cookie))
        )
        if row is not None and row.revoked_at is None:
            row.revoked_at = now


async def set_support_tenant(database: Database, session_id: UUID, tenant_id: UUID | None) -> None:
    """Enter a tenant under a support grant (the caller checked the grant), or leave it."""
    async with database.transaction(Scope.PLATFORM) as session:
        row = await session.get(StaffSession, session_id, with_for_update=True)
        if row is not None:
            row.support_tenant_id = tenant_id
