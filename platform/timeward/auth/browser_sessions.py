"""Server-side sessions of the web pages: one row per sign-in, in the tenant's scope.

The cookie is ``<tenant id>.<secret>``: the tenant says which scope to look in (a row is
found under forced RLS like any tenant row); only the SHA-256 digest of the whole value
is stored. A session ends at sign-out (revoked), after ``idle`` without a request, or
``absolute`` after sign-in, whichever comes first. Whether the person may still act
(disabled, removed, role changed) is checked per request by the caller, as for tokens.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import (
    ColumnElement,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    LargeBinary,
    Row,
    String,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from timeward.auth.opaque import digest, new_secret
from timeward.db.base import Base, CreatedAt, TenantScoped
from timeward.db.session import Database, Scope

SEPARATOR = "."


class SessionTimes:
    """When a session was last used, ends, and was revoked (tenant and staff sessions)."""

    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class BrowserSession(SessionTimes, TenantScoped, CreatedAt, Base):
    __tablename__ = "browser_sessions"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "user_id"],
            ["memberships.tenant_id", "memberships.user_id"],
            ondelete="CASCADE",
        ),
    )

    tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    user_id: Mapped[UUID]
    role: Mapped[str] = mapped_column(String(32))
    token_hash: Mapped[bytes] = mapped_column(LargeBinary, unique=True)


@dataclass(frozen=True)
class Lifetimes:
    idle: timedelta
    absolute: timedelta


@dataclass(frozen=True)
class LiveSession:
    id: UUID
    tenant_id: UUID
    user_id: UUID
    role: str


def _tenant_of(cookie: str) -> UUID | None:
    tenant, separator, secret = cookie.partition(SEPARATOR)
    if not separator or not secret:
        return None
    try:
        return UUID(tenant)
    except ValueError:
        return None


async def open_session(
    database: Database, tenant_id: UUID, user_id: UUID, role: str, now: datetime, life: Lifetimes
) -> str:
    """A new session; returns the cookie value (shown once, stored only as a digest)."""
    cookie = f"{tenant_id}{SEPARATOR}{new_secret('bs_')}"
    async with database.transaction(Scope.TENANT, tenant_id) as session:
        session.add(
            BrowserSession(
                tenant_id=tenant_id,
                user_id=user_id,
                role=role,
                token_hash=digest(cookie),
                last_seen_at=now,
                expires_at=now + life.absolute,
            )
        )
    return cookie


async def touch_row(
    session: AsyncSession,
    table: type[SessionTimes],
    found: list[ColumnElement[bool]],
    now: datetime,
    life: Lifetimes,
    *returning: Any,
) -> Row[Any] | None:
    """The ``returning`` columns of the session row ``found`` selects, its last use set to
    now, if it is live; a row past its idle or absolute end is revoked (None either way).

    One ``UPDATE ... RETURNING`` on every page request; the second statement only when
    the session has ended (docs/performance.md, "Pages").
    """
    live = (
        await session.execute(
            update(table)
            .where(
                *found,
                table.revoked_at.is_(None),
                table.expires_at > now,
                table.last_seen_at > now - life.idle,
            )
            .values(last_seen_at=now)
            .returning(*returning)
        )
    ).one_or_none()
    if live is None:
        await session.execute(
            update(table).where(*found, table.revoked_at.is_(None)).values(revoked_at=now)
        )
    return live


async def touch_session(
    database: Database, cookie: str, now: datetime, life: Lifetimes
) -> LiveSession | None:
    """The live session of this cookie, its last use set to now; None if there is none."""
    tenant_id = _tenant_of(cookie)
    if tenant_id is None:
        return None
    found = [BrowserSession.tenant_id == tenant_id, BrowserSession.token_hash == digest(cookie)]
    async with database.transaction(Scope.TENANT, tenant_id) as session:
        live = await touch_row(
            session,
            BrowserSession,
            found,
            now,
            life,
            BrowserSession.id,
            BrowserSession.tenant_id,
            BrowserSession.user_id,
            BrowserSession.role,
        )
    return LiveSession(live.id, live.tenant_id, live.user_id, live.role) if live else None


async def revoke_session(database: Database, cookie: str, now: datetime) -> None:
    """Sign-out: the cookie's session ends (nothing happens for an unknown cookie)."""
    tenant_id = _tenant_of(cookie)
    if tenant_id is None:
        return
    async with database.transaction(Scope.TENANT, tenant_id) as session:
        row = await session.scalar(
            select(BrowserSession).where(
                BrowserSession.tenant_id == tenant_id, BrowserSession.token_hash == digest(cookie)
            )
        )
        if row is not None and row.revoked_at is None:
            row.revoked_at = now
