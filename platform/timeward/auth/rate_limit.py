"""Rate limits on attempts (not only failures): each one is counted, atomically, before
the work it allows is done, so concurrent attempts cannot slip past the check.

Fixed windows in the ``login_attempts`` table (auth scope, shared by every process,
counted by `timeward.auth.attempts`), under bucket prefixes of their own: a bucket key
is a prefix and a SHA-256 digest, never an address, e-mail or id in clear.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from timeward.auth.attempts import Rule, bucket_key, count_in_bucket


@dataclass(frozen=True)
class RateLimit:
    limit: int
    window_seconds: int


class RateLimited(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__("rate limit reached")
        self.retry_after = retry_after


def rate_bucket(prefix: str, *parts: str) -> str:
    return bucket_key(prefix, *parts)


async def count_attempt(
    session: AsyncSession, limits: Mapping[str, RateLimit], now: datetime
) -> None:
    """Count one attempt in each bucket (an auth-scope session). Raises ``RateLimited``
    with the longest wait when any bucket is at its limit; the caller's rollback then
    leaves the counts as they were."""
    waits = []
    for bucket, rule in limits.items():
        window = timedelta(seconds=rule.window_seconds)
        wait = await count_in_bucket(session, bucket, Rule(rule.limit, window), now)
        if wait is not None:
            waits.append(wait)
    if waits:
        raise RateLimited(max(waits))
