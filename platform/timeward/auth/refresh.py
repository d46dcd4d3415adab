"""Refresh tokens: stored hashed, single use, rotated; reuse revokes the whole family."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from timeward import clock
from timeward.auth.models import RefreshToken
from timeward.auth.opaque import digest, new_secret
from timeward.db.base import new_id

PREFIX = "rt_"


class RefreshOutcome(enum.Enum):
    ROTATED = "rotated"
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    REVOKED = "revoked"
    REUSED = "reused"


@dataclass(frozen=True)
class RefreshResult:
    outcome: RefreshOutcome
    record: RefreshToken | None = None
    new_token: str | None = None


class RefreshTokens:
    """All methods run in the caller's ``auth``-scope session."""

    def __init__(self, lifetime: timedelta) -> None:
        self._lifetime = lifetime

    async def issue(
        self,
        session: AsyncSession,
        user_id: UUID,
        domain: str,
        role: str,
        family_id: UUID | None = None,
    ) -> str:
        token = new_secret(PREFIX)
        session.add(
            RefreshToken(
                id=new_id(),
                family_id=family_id or new_id(),
                user_id=user_id,
                domain=domain,
                role=role,
                token_hash=digest(token),
                expires_at=clock.now() + self._lifetime,
            )
        )
        await session.flush()
        return token

    async def rotate(self, session: AsyncSession, token: str) -> RefreshResult:
        """Spend ``token`` and issue its successor in the same family."""
        record = await session.scalar(
            select(RefreshToken).where(RefreshToken.token_hash == digest(token)).with_for_update()
        )
        now = clock.now()
        if record is None:
            return RefreshResult(RefreshOutcome.UNKNOWN)
        if record.revoked_at is not None:
            return RefreshResult(RefreshOutcome.REVOKED, record)
        if record.used_at is not None:
            await self.revoke_family(session, record.family_id)
            return RefreshResult(RefreshOutcome.REUSED, record)
        if record.expires_at <= now:
            return RefreshResult(RefreshOutcome.EXPIRED, record)
        record.used_at = now
        new_token = await self.issue(
            session, record.user_id, record.domain, record.role, record.family_id
        )
        return RefreshResult(RefreshOutcome.ROTATED, record, new_token)

    async def revoke_family(self, session: AsyncSession, family_id: UUID) -> None:
        await session.execute(
            update(RefreshToken)
            .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
            .values(revoked_at=clock.now())
        )

    async def revoke_by_token(self, session: AsyncSession, token: str) -> bool:
        family = await session.scalar(
            select(RefreshToken.family_id).where(RefreshToken.token_hash == digest(token))
        )
        if family is None:
            return False
        await self.revoke_family(session, family)
        return True

    async def revoke_for_user(
        self, session: AsyncSession, user_id: UUID, domain: str | None
    ) -> None:
        """The user's live tokens for one domain, or for every domain (None)."""
        conditions = [RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_(None)]
        if domain is not None:
            conditions.append(RefreshToken.domain == domain)
        await session.execute(
            update(RefreshToken).where(*conditions).values(revoked_at=clock.now())
        )
