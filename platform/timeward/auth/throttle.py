"""Login throttling per account and per client address, shared by every process."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import case, delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from timeward.auth.models import LoginAttempt


@dataclass(frozen=True)
class ThrottleLimits:
    per_account: int
    per_address: int
    window_seconds: int


def account_bucket(email: str) -> str:
    return "acct:" + hashlib.sha256(email.strip().lower().encode()).hexdigest()[:64]


def address_bucket(address: str) -> str:
    return "addr:" + hashlib.sha256(address.encode()).hexdigest()[:64]


class LoginThrottle:
    """All methods run in the caller's ``auth``-scope session."""

    def __init__(self, limits: ThrottleLimits) -> None:
        self._limits = limits
        self._window = timedelta(seconds=limits.window_seconds)

    def _limit(self, bucket: str) -> int:
        return self._limits.per_account if bucket.startswith("acct:") else self._limits.per_address

    async def retry_after(self, session: AsyncSession, buckets: list[str]) -> int | None:
        """Seconds until the caller may try again, or None when it may try now."""
        now = datetime.now(UTC)
        rows = (
            await session.scalars(select(LoginAttempt).where(LoginAttempt.bucket.in_(buckets)))
        ).all()
        waits = [
            int((row.window_start + self._window - now).total_seconds()) + 1
            for row in rows
            if row.failures >= self._limit(row.bucket) and row.window_start + self._window > now
        ]
        return max(waits) if waits else None

    async def record_failure(self, session: AsyncSession, buckets: list[str]) -> None:
        now = datetime.now(UTC)
        for bucket in buckets:
            statement = insert(LoginAttempt).values(bucket=bucket, window_start=now, failures=1)
            expired = LoginAttempt.window_start < now - self._window
            await session.execute(
                statement.on_conflict_do_update(
                    index_elements=[LoginAttempt.bucket],
                    set_={
                        "failures": case((expired, 1), else_=LoginAttempt.failures + 1),
                        "window_start": case((expired, now), else_=LoginAttempt.window_start),
                    },
                )
            )

    async def reset(self, session: AsyncSession, bucket: str) -> None:
        await session.execute(delete(LoginAttempt).where(LoginAttempt.bucket == bucket))
