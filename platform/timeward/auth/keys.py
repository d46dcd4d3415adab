"""Signing keys: stored sealed by the master key, published as a JWKS.

Rotation adds a key that becomes the signing key at once; older keys stay in the
JWKS (so tokens they signed stay valid) until retired. Every process reloads the
key ring from the database at most every ``refresh_seconds``; because another process
(a worker, the CLI) may already sign with a newer key, the published JWKS is read fresh
and a token naming a key this process has not seen reloads the ring (at most once a
second, so made-up key ids cannot turn into a query per request).
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from joserfc.jwk import KeySet, OKPKey
from sqlalchemy import select, update

from timeward import clock
from timeward.auth.models import SigningKey
from timeward.crypto.aead import seal, unseal
from timeward.crypto.master_key import derive_key
from timeward.db.session import Database, Scope

UNKNOWN_KID_RELOAD_SECONDS = 1.0
ALGORITHM = "Ed25519"  # RFC 9864's fully specified EdDSA over Ed25519


@dataclass(frozen=True)
class LoadedKeys:
    signing: OKPKey
    verifying: KeySet
    public_jwks: dict[str, Any]


class KeyRing:
    def __init__(self, database: Database, master_key: bytes, refresh_seconds: float = 30) -> None:
        self._database = database
        self._seal_key = derive_key(master_key, "signing-keys")
        self._refresh_seconds = refresh_seconds
        self._loaded: LoadedKeys | None = None
        self._loaded_at = 0.0

    async def current(self) -> LoadedKeys:
        stale = time.monotonic() - self._loaded_at > self._refresh_seconds
        if self._loaded is None or stale:
            await self.reload()
        assert self._loaded is not None
        return self._loaded

    async def published(self) -> dict[str, Any]:
        """The JWKS as stored now: it must list any key another process already signs with."""
        await self.reload()
        assert self._loaded is not None
        return self._loaded.public_jwks

    async def verifying(self, kid: str | None) -> LoadedKeys:
        """The keys, reloaded first when ``kid`` is one this process has not loaded yet."""
        loaded = await self.current()
        unknown = kid is not None and kid not in {key.kid for key in loaded.verifying.keys}
        if unknown and time.monotonic() - self._loaded_at > UNKNOWN_KID_RELOAD_SECONDS:
            await self.reload()
            assert self._loaded is not None
            loaded = self._loaded
        return loaded

    async def reload(self) -> None:
        async with self._database.transaction(Scope.AUTH) as session:
            rows = (
                await session.scalars(
                    select(SigningKey)
                    .where(SigningKey.retired_at.is_(None))
                    .order_by(SigningKey.created_at.desc(), SigningKey.kid)
                )
            ).all()
        if not rows:
            await self.rotate()
            return
        keys = [self._open(row) for row in rows]
        self._loaded = LoadedKeys(
            signing=keys[0],
            verifying=KeySet(list(keys)),
            public_jwks={
                "keys": [{**row.public_jwk, "alg": row.alg, "use": "sig"} for row in rows]
            },
        )
        self._loaded_at = time.monotonic()

    def _open(self, row: SigningKey) -> OKPKey:
        pem = unseal(self._seal_key, row.private_key_sealed, row.kid.encode())
        return OKPKey.import_key(pem, parameters={"kid": row.kid})

    async def rotate(self) -> str:
        """Add a new signing key; returns its kid."""
        kid = f"{clock.now():%Y%m%d}-{secrets.token_hex(4)}"
        key = OKPKey.generate_key("Ed25519", parameters={"kid": kid})
        async with self._database.transaction(Scope.PLATFORM) as session:
            session.add(
                SigningKey(
                    kid=kid,
                    alg=ALGORITHM,
                    private_key_sealed=seal(self._seal_key, key.as_pem(private=True), kid.encode()),
                    public_jwk=key.as_dict(private=False),
                    created_at=clock.now(),
                )
            )
        self._loaded_at = 0.0
        await self.reload()
        return kid

    async def retire(self, kid: str) -> bool:
        async with self._database.transaction(Scope.PLATFORM) as session:
            result = await session.execute(
                update(SigningKey)
                .where(SigningKey.kid == kid, SigningKey.retired_at.is_(None))
                .values(retired_at=clock.now())
            )
        self._loaded_at = 0.0
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def list_keys(self) -> list[tuple[str, datetime, datetime | None]]:
        async with self._database.transaction(Scope.PLATFORM) as session:
            rows = (await session.scalars(select(SigningKey).order_by(SigningKey.created_at))).all()
        return [(row.kid, row.created_at, row.retired_at) for row in rows]
