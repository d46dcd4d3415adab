"""Counting attempts in ``login_attempts``: the one upsert every limiter uses.

A bucket (a key: a prefix and a digest, never an address, e-mail or id in clear) counts
attempts in a fixed window that starts at its first attempt and ends ``window`` later.
An attempt is counted atomically *before* the work it allows is done, so concurrent
attempts cannot all pass a check that none of them has yet counted. Past the bucket's
limit an attempt is refused and not counted; the caller rolls its transaction back, so
no other bucket counts it either. A progressive bucket does not refuse at its limit but
makes the next attempt wait 60 s, then 120, 240... (``blocked_until``) until the window
ends.

The policies on top: `timeward.auth.throttle` (login and password reset, progressive
per account and address) and `timeward.auth.rate_limit` (privacy intake and filings).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from timeward.auth.models import LoginAttempt

# First delay once a progressive bucket reaches its limit; it doubles with each attempt.
PROGRESSIVE_BASE_SECONDS = 60


def bucket_key(prefix: str, *parts: str, separator: str = "\x1f") -> str:
    """A bucket's key: the prefix and a digest of the parts, never the parts in clear."""
    return prefix + hashlib.sha256(separator.join(parts).encode()).hexdigest()[:64]


@dataclass(frozen=True)
class Rule:
    limit: int
    window: timedelta
    progressive: bool = False


_COUNT = text(
    """
    WITH p AS (SELECT CAST(:now AS timestamptz) AS now, CAST(:expired AS timestamptz) AS expired,
                      CAST(:limit AS integer) AS lim, CAST(:progressive AS boolean) AS prog)
    INSERT INTO login_attempts AS a (bucket, window_start, failures, blocked_until)
    SELECT :bucket, p.now, 1, CASE WHEN p.prog AND p.lim <= 1
                                   THEN p.now + make_interval(secs => :base) ELSE p.now END
      FROM p
    ON CONFLICT (bucket) DO UPDATE SET
        failures = CASE WHEN a.window_start <= (SELECT expired FROM p) THEN 1
                        ELSE a.failures + 1 END,
        window_start = CASE WHEN a.window_start <= (SELECT expired FROM p)
                            THEN (SELECT now FROM p) ELSE a.window_start END,
        blocked_until = CASE
            WHEN a.window_start <= (SELECT expired FROM p) OR NOT (SELECT prog FROM p)
              OR a.failures + 1 < (SELECT lim FROM p) THEN (SELECT now FROM p)
            ELSE (SELECT now FROM p)
                 + make_interval(secs => :base * power(2, a.failures + 1 - (SELECT lim FROM p)))
        END
    WHERE a.window_start <= (SELECT expired FROM p)
       OR (coalesce(a.blocked_until, (SELECT now FROM p)) <= (SELECT now FROM p)
           AND ((SELECT prog FROM p) OR a.failures < (SELECT lim FROM p)))
    RETURNING a.failures
    """
)


async def count_in_bucket(
    session: AsyncSession, bucket: str, rule: Rule, now: datetime
) -> int | None:
    """Count one attempt (an auth-scope session): None when counted, else the seconds to
    wait before the bucket takes another."""
    counted = await session.scalar(
        _COUNT,
        {
            "bucket": bucket,
            "now": now,
            "expired": now - rule.window,
            "limit": rule.limit,
            "progressive": rule.progressive,
            "base": PROGRESSIVE_BASE_SECONDS,
        },
    )
    if counted is not None:
        return None
    return await _wait(session, bucket, rule, now)


async def _wait(session: AsyncSession, bucket: str, rule: Rule, now: datetime) -> int:
    row = await session.scalar(select(LoginAttempt).where(LoginAttempt.bucket == bucket))
    assert row is not None
    until = row.window_start + rule.window
    if rule.progressive and row.blocked_until is not None:
        until = row.blocked_until
    return max(1, int((until - now).total_seconds()) + 1)
