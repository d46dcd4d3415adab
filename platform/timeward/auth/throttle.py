"""Attempt throttling per account-and-address and per address, shared by every process.

An attempt is counted *before* the password is verified, in every bucket, in one
transaction (`timeward.auth.attempts` counts). The address bucket refuses once its
limit is reached in the window. The account-and-address bucket is progressive: once it
reaches its limit, the next attempt waits 60 s, then 120, 240... (``blocked_until``)
until the window ends. A success forgets the account-and-address bucket and gives the
address its attempt back. There is no bucket per account alone, so failures from one
address never lock the account for another.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, update
from sqlalchemy.ext.asyncio import AsyncSession

from timeward import clock
from timeward.auth.attempts import Rule, bucket_key, count_in_bucket
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


def _key(prefix: str, *parts: str) -> str:
    return bucket_key(prefix, *parts, separator="\x00")


def _account(email: str) -> str:
    return email.strip().lower()


class LoginThrottle:
    """All methods run in the caller's ``auth``-scope session."""

    def __init__(self, limits: ThrottleLimits) -> None:
        self._limits = limits
        self._window = timedelta(seconds=limits.window_seconds)

    def login_buckets(self, email: str, address: str) -> list[Bucket]:
        """The account-and-address bucket first (a success forgets it), then the address."""
        return [
            Bucket(_key("pair:", _account(email), address), self._limits.per_account, True),
            Bucket(_key("addr:", address), self._limits.per_address),
        ]

    def buckets(self, purpose: str, email: str, address: str, per_account: int) -> list[Bucket]:
        """Buckets of another e-mail-triggering action (password reset...)."""
        return [
            Bucket(_key(f"{purpose}:", _account(email)), per_account),
            Bucket(_key(f"{purpose}-addr:", address), self._limits.per_address),
        ]

    async def claim(self, session: AsyncSession, buckets: list[Bucket]) -> int | None:
        """Count one attempt in every bucket; None if allowed, else seconds to wait.

        When a bucket refuses, the caller must roll the transaction back so that no
        bucket counts the refused attempt.
        """
        now = clock.now()
        for bucket in buckets:
            rule = Rule(bucket.limit, self._window, bucket.progressive)
            wait = await count_in_bucket(session, bucket.key, rule, now)
            if wait is not None:
                return wait
        return None

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
