"""Attempt throttling per account-and-address and per address, shared by every process.

An attempt is counted atomically *before* the password is verified (one upsert per
bucket, in one transaction): concurrent attempts cannot all pass a check that none of
them has yet counted. The address bucket refuses once its limit is reached in the
window. The account-and-address bucket is progressive: once it reaches its limit, the
next attempt waits 60 s, then 120, 240... (``blocked_until``) until the window ends.
A success forgets the account-and-address bucket and gives the address its attempt
back. There is no bucket per account alone, so failures from one address never lock
the account for another.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from timeward import clock
from timeward.auth.models import LoginAttempt


@dataclass(frozen=True)
class ThrottleLimits:
    per_account: int  # per account and address
    per_address: int
    window_seconds: int


@dataclass(frozen=True)
class Bucket:
    key: str
    limit: int
    progressive: bool = False


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:64]


def _account(email: str) -> str:
    return email.strip().lower()


# First delay once a progressive bucket reaches its limit; it doubles with each attempt.
PROGRESSIVE_BASE_SECONDS = 60

_CLAIM = text(
    """
    WITH p AS (SELECT CAST(:now AS timestamptz) AS now, CAST(:expired AS timestamptz) AS expired,
                      CAST(:limit AS integer) AS lim, CAST(:progressive AS boolean) AS prog)
    INSERT INTO login_attempts AS a (bucket, window_start, failures, blocked_until)
    SELECT :bucket, p.now, 1, CASE WHEN p.prog AND p.lim <= 1
                                   THEN p.now + make_interval(secs => :base) ELSE p.now END
      FROM p
    ON CONFLICT (bucket) DO UPDATE SET
        failures = CASE WHEN a.window_start < (SELECT expired FROM p) THEN 1
                        ELSE a.failures + 1 END,
        window_start = CASE WHEN a.window_start < (SELECT expired FROM p) THEN (SELECT now FROM p)
                            ELSE a.window_start END,
        blocked_until = CASE
            WHEN a.window_start < (SELECT expired FROM p) OR NOT (SELECT prog FROM p)
              OR a.failures + 1 < (SELECT lim FROM p) THEN (SELECT now FROM p)
            ELSE (SELECT now FROM p)
                 + make_interval(secs => :base * power(2, a.failures + 1 - (SELECT lim FROM p)))
        END
    WHERE a.window_start < (SELECT expired FROM p)
       OR (coalesce(a.blocked_until, (SELECT now FROM p)) <= (SELECT now FROM p)
           AND ((SELECT prog FROM p) OR a.failures < (SELECT lim FROM p)))
    RETURNING a.failures
    """
)


class LoginThrottle:
    """All methods run in the caller's ``auth``-scope session."""

    def __init__(self, limits: ThrottleLimits) -> None:
        self._limits = limits
        self._window = timedelta(seconds=limits.window_seconds)

    def login_buckets(self, email: str, address: str) -> list[Bucket]:
        """The account-and-address bucket first (a success forgets it), then the address."""
        return [
            Bucket("pair:" + _digest(_account(email), address), self._limits.per_account, True),
            Bucket("addr:" + _digest(address), self._limits.per_address),
        ]

    def buckets(self, purpose: str, email: str, address: str, per_account: int) -> list[Bucket]:
        """Buckets of another e-mail-triggering action (password reset...)."""
        return [
            Bucket(f"{purpose}:" + _digest(_account(email)), per_account),
            Bucket(f"{purpose}-addr:" + _digest(address), self._limits.per_address),
        ]

    async def claim(self, session: AsyncSession, buckets: list[Bucket]) -> int | None:
        """Count one attempt in every bucket; None if allowed, else seconds to wait.

        When a bucket refuses, the caller must roll the transaction back so that no
        bucket counts the refused attempt.
        """
        now = clock.now()
        for bucket in buckets:
            counted = await session.scalar(
                _CLAIM,
                {
                    "bucket": bucket.key,
                    "now": now,
                    "expired": now - self._window,
                    "limit": bucket.limit,
                    "progressive": bucket.progressive,
                    "base": PROGRESSIVE_BASE_SECONDS,
                },
            )
            if counted is None:
                return await self._wait(session, bucket, now)
        return None

    async def _wait(self, session: AsyncSession, bucket: Bucket, now: datetime) -> int:
        row = await session.scalar(select(LoginAttempt).where(LoginAttempt.bucket == bucket.key))
        assert row is not None
        until = row.window_start + self._window
        if bucket.progressive and row.blocked_until is not None:
            until = row.blocked_until
        return max(1, int((until - now).total_seconds()) + 1)

    async def succeeded(self, session: AsyncSession, buckets: list[Bucket]) -> None:
        """Forget the account-and-address bucket; give the other buckets their attempt back."""
        first, *others = buckets
        await session.execute(delete(LoginAttempt).where(LoginAttempt.bucket == first.key))
        for bucket in others:
            await session.execute(
                update(LoginAttempt)
                .where(LoginAttempt.bucket == bucket.key, LoginAttempt.failures > 0)
                .values(failures=LoginAttempt.failures - 1)
            )
