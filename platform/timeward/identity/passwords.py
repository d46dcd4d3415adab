"""argon2id password hashing, off the event loop.

Parameters follow OWASP's argon2id baseline (19 MiB, 2 passes, 1 lane): a hash
costs tens of milliseconds on one core, not the half second the library default
takes on a small machine. Hashing runs in a worker thread so a login never stalls
other requests.
"""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)

# Verified against when the account does not exist, so both paths cost the same.
_DUMMY_HASH = _hasher.hash("timeward-no-such-account")


def _verify(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(_hasher.hash, password)


async def verify_password(password_hash: str | None, password: str) -> bool:
    return await asyncio.to_thread(_verify, password_hash, password)
