"""Rate limits on attempts (not only failures): each one is counted, atomically, before
the work it allows is done, so concurrent attempts cannot slip past the check.

Fixed windows in the ``login_attempts`` table (auth scope, shared by every process),
under bucket prefixes of their own: a bucket key is a prefix and a SHA-256 digest, never
an address, e-mail or id in clear.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from timeward.auth.models import LoginAttempt


@dataclass(frozen=True)
class RateLimit:
    limit: int
    window_seconds: int


class RateLimited(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__("rate limit reached")
        self.retry_after = retry_after


def rate_bucket(prefix: str, *parts: str) -> str:
    return prefix + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:64]


async def count_attempt(
    session: AsyncSession, limits: Mapping[str, RateLimit], now: datetime
) -> None:
    """Count one attempt in each bucket (an auth-scope session). Raises ``RateLimited``
    with the longest wait when any bucket is past its limit; the caller's rollback then
    leaves the counts as they were."""
    waits = []
    for bucket, rule in limits.items():
        window = timedelta(seconds=rule.window_seconds)
        expired = LoginAttempt.window_start <= now - window
        statement = (
            insert(LoginAttempt)
            .values(bucket=bucket, window_start=now, failures=1)
            .on_conflict_do_update(
                index_elements=[LoginAttempt.bucket],
                set_={
                    "failures": case((expired, 1), else_=LoginAttempt.failures + 1),
                    "window_start": case((expired, now), else_=LoginAttempt.window_start),
                },
            )
            .returning(LoginAttempt.failures, LoginAttempt.window_start)
        )
        count, started = (await session.execute(statement)).one()
        if count > rule.limit:
            waits.append(max(1, int((started + window - now).total_seconds()) + 1))
    if waits:
        raise RateLimited(max(waits))
