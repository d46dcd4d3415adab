"""Per-tenant data keys for sensitive fields (locations now, screenshots later).

Each tenant's data key is a random 256-bit AES-GCM key, stored in
``tenant_data_keys`` sealed by a wrapping key derived from the master key, with
the tenant id and key id as associated data (a wrapped key copied to another
tenant or row does not open). Unwrapped keys are cached per process for a short
time; every use still checks in the database that the key is active, so a key
destroyed by one process is refused by all of them at once.

Destroying a tenant's keys (crypto-shredding) zeroes the wrapped keys: every
ciphertext sealed under them becomes unreadable, here and in any copy of the rows
that does not also hold the old wrapped key (a database backup taken before the
destruction does: see docs/workforce.md).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

import structlog
from cryptography.exceptions import InvalidTag
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import Insert, insert
from sqlalchemy.ext.asyncio import AsyncSession

from timeward import clock
from timeward.crypto.aead import seal, unseal
from timeward.crypto.master_key import KEY_BYTES, derive_key
from timeward.crypto.models import TenantDataKey
from timeward.db.base import new_id

log = structlog.get_logger(__name__)

WRAP_PURPOSE = "tenant-data-keys"
DEFAULT_CACHE_SECONDS = 60.0


@dataclass(frozen=True)
class DataKey:
    id: UUID
    secret: bytes


def _wrap_aad(tenant_id: UUID, key_id: UUID) -> bytes:
    return b"timeward/tenant-data-key/v1|" + tenant_id.bytes + key_id.bytes


class DataKeys:
    """Creates, unwraps and caches the tenant data keys of one process."""

    def __init__(self, master_key: bytes, cache_seconds: float = DEFAULT_CACHE_SECONDS) -> None:
        self._wrap_key = derive_key(master_key, WRAP_PURPOSE)
        self._cache_seconds = cache_seconds
        self._cache: dict[tuple[UUID, UUID], tuple[bytes, float]] = {}

    def _unwrap(self, row: TenantDataKey) -> bytes | None:
        """The key in clear, or None when it is destroyed or does not open."""
        if row.wrapped_key is None:
            return None
        cache_key = (row.tenant_id, row.id)
        cached = self._cache.get(cache_key)
        if cached is not None and time.monotonic() - cached[1] < self._cache_seconds:
            return cached[0]
        try:
            secret = unseal(self._wrap_key, row.wrapped_key, _wrap_aad(row.tenant_id, row.id))
        except InvalidTag:
            log.error("data_key.unwrap_failed", tenant_id=str(row.tenant_id), key_id=str(row.id))
            return None
        self._cache[cache_key] = (secret, time.monotonic())
        return secret

    async def for_sealing(self, session: AsyncSession, tenant_id: UUID) -> DataKey:
        """The tenant's active key, created on first use.

        The row is read ``FOR SHARE`` in the caller's transaction, so a concurrent
        destruction waits until what this transaction seals is committed (and is
        then destroyed with it) instead of racing it.
        """
        row = await self._active_row(session, tenant_id)
        if row is None:
            await session.execute(self._new_key_statement(tenant_id))
            row = await self._active_row(session, tenant_id)
        assert row is not None
        secret = self._unwrap(row)
        if secret is None:
            raise RuntimeError("the tenant's active data key does not open (wrong master key?)")
        return DataKey(row.id, secret)

    async def _active_row(self, session: AsyncSession, tenant_id: UUID) -> TenantDataKey | None:
        return await session.scalar(
            select(TenantDataKey)
            .where(TenantDataKey.tenant_id == tenant_id, TenantDataKey.destroyed_at.is_(None))
            .with_for_update(read=True)
            .execution_options(populate_existing=True)
        )

    def _new_key_statement(self, tenant_id: UUID) -> Insert:
        """Insert a fresh wrapped key unless a concurrent transaction just did."""
        key_id = new_id()
        wrapped = seal(self._wrap_key, os.urandom(KEY_BYTES), _wrap_aad(tenant_id, key_id))
        return (
            insert(TenantDataKey)
            .values(tenant_id=tenant_id, id=key_id, wrapped_key=wrapped)
            .on_conflict_do_nothing(
                index_elements=["tenant_id"], index_where=TenantDataKey.destroyed_at.is_(None)
            )
        )

    async def for_opening(
        self, session: AsyncSession, tenant_id: UUID, key_ids: Iterable[UUID]
    ) -> dict[UUID, bytes]:
        """The requested keys that still open; destroyed or unknown ones are left out."""
        wanted = set(key_ids)
        if not wanted:
            return {}
        rows = await session.scalars(
            select(TenantDataKey).where(
                TenantDataKey.tenant_id == tenant_id,
                TenantDataKey.id.in_(wanted),
                TenantDataKey.wrapped_key.is_not(None),
            )
        )
        opened = {row.id: self._unwrap(row) for row in rows.all()}
        return {key_id: secret for key_id, secret in opened.items() if secret is not None}

    def forget(self, tenant_id: UUID) -> None:
        for cache_key in [k for k in self._cache if k[0] == tenant_id]:
            del self._cache[cache_key]


async def destroy_tenant_data_key(
    session: AsyncSession, tenant_id: UUID, *, keys: DataKeys | None = None
) -> int:
    """Crypto-shred a tenant: zero every wrapped data key it has; returns how many.

    Idempotent (a second call destroys nothing). Runs in the caller's transaction
    (tenant scope); once it commits, every location sealed for the tenant is
    unreadable in this database (backups taken earlier still hold the wrapped key
    until they expire: see docs/workforce.md). The next sealed write,
    if any, gets a fresh key. Pass the process's ``DataKeys`` to drop its cache too.
    """
    result = await session.execute(
        update(TenantDataKey)
        .where(TenantDataKey.tenant_id == tenant_id, TenantDataKey.destroyed_at.is_(None))
        .values(wrapped_key=None, destroyed_at=clock.now())
    )
    if keys is not None:
        keys.forget(tenant_id)
    destroyed = int(result.rowcount)  # type: ignore[attr-defined]
    log.info("data_key.destroyed", tenant_id=str(tenant_id), keys=destroyed)
    return destroyed
