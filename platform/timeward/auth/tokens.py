"""Access tokens: short-lived JWTs signed with the key ring's current key."""

from __future__ import annotations

import hashlib
import time
import uuid
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from joserfc import jws, jwt
from joserfc.errors import JoseError

from timeward.acting import MACHINE_ROLE
from timeward.auth.actor import PLATFORM_DOMAIN, Actor, MachineGrant
from timeward.auth.keys import ALGORITHM, KeyRing, LoadedKeys

ALLOWED_ALGORITHMS = [ALGORITHM]
# Verified tokens kept per process: one a request costs an EdDSA check and the JWS parse
# (≈ 7 % of a list request, docs/performance.md "API request path"). 4096 access tokens
# of 15 minutes cover a busy process; a full cache simply drops its oldest entry.
VERIFIED_CACHE_SIZE = 4096


class InvalidToken(Exception):
    """The token cannot be trusted; the message is safe to show the caller."""


@dataclass(frozen=True)
class TokenSettings:
    issuer: str
    audience: str
    lifetime_seconds: int


@dataclass(frozen=True)
class _Verified:
    """A token whose signature verified under ``keys`` (the ring as loaded then)."""

    keys: LoadedKeys
    kid: str | None
    claims: dict[str, Any]
    actor: Actor


class AccessTokens:
    def __init__(self, keys: KeyRing, settings: TokenSettings) -> None:
        self._keys = keys
        self._settings = settings
        self._verified: dict[bytes, _Verified] = {}
        self._claims = jwt.JWTClaimsRegistry(
            leeway=30,
            iss={"essential": True, "value": settings.issuer},
            aud={"essential": True, "value": settings.audience},
            exp={"essential": True},
            iat={"essential": True},
            sub={"essential": True},
            jti={"essential": True},
        )

    @property
    def lifetime_seconds(self) -> int:
        return self._settings.lifetime_seconds

    async def issue(self, user_id: UUID, tenant_id: UUID | None, role: str) -> str:
        return await self._sign(user_id, tenant_id, role, {})

    async def issue_for_client(
        self, client: MachineGrant, tenant_id: UUID, scopes: tuple[str, ...]
    ) -> str:
        """A machine client's token: the client is the subject, in its tenant, with the
        scopes granted (docs/machine-api.md). ``gen`` names the client's secret generation:
        a rotation refuses the tokens of the secret before."""
        extra = {"client_id": str(client.client_id), "scope": " ".join(scopes)}
        extra["gen"] = str(client.generation)
        return await self._sign(client.client_id, tenant_id, MACHINE_ROLE, extra)

    async def _sign(
        self, subject: UUID, tenant_id: UUID | None, role: str, extra: dict[str, str]
    ) -> str:
        loaded = await self._keys.current()
        now = int(time.time())
        claims = {
            "iss": self._settings.issuer,
            "aud": self._settings.audience,
            "sub": str(subject),
            "tid": str(tenant_id) if tenant_id else PLATFORM_DOMAIN,
            "role": role,
            "iat": now,
            "exp": now + self._settings.lifetime_seconds,
            "jti": uuid.uuid4().hex,
            **extra,
        }
        header = {"alg": ALGORITHM, "kid": loaded.signing.kid, "typ": "JWT"}
        return jwt.encode(header, claims, loaded.signing, algorithms=ALLOWED_ALGORITHMS)

    async def verify(self, token: str) -> Actor:
        """The token's actor, or InvalidToken.

        A token verified before is not parsed and its signature not checked again, but
        only while the key ring that verified it is the one loaded now (a reload, as
        after a retirement, makes every earlier verification stale), and its claims
        (expiry, issuer, audience) and lifetime are checked again on every use.
        """
        fingerprint = hashlib.sha256(token.encode()).digest()
        known = self._verified.get(fingerprint)
        if known is not None and await self._keys.verifying(known.kid) is known.keys:
            self._validate(known.claims)
            return known.actor
        try:
            kid = _key_id(token)
            loaded = await self._keys.verifying(kid)
            claims = jwt.decode(token, loaded.verifying, algorithms=ALLOWED_ALGORITHMS).claims
        except JoseError as exc:
            raise InvalidToken(_reason(exc)) from exc
        except ValueError as exc:
            raise InvalidToken("malformed token") from exc
        self._validate(claims)
        actor = _actor(claims)
        self._remember(fingerprint, _Verified(loaded, kid, claims, actor))
        return actor

    def _validate(self, claims: dict[str, Any]) -> None:
        try:
            self._claims.validate(claims)
        except JoseError as exc:
            raise InvalidToken(_reason(exc)) from exc
        except ValueError as exc:
            raise InvalidToken("malformed token") from exc
        self._check_lifetime(claims)

    def _remember(self, fingerprint: bytes, verified: _Verified) -> None:
        if len(self._verified) >= VERIFIED_CACHE_SIZE:
            del self._verified[next(iter(self._verified))]
        self._verified[fingerprint] = verified

    def _check_lifetime(self, claims: dict[str, Any]) -> None:
        """A token living longer than we issue them was not made by us as configured now
        (a leaked key's forgery, or an old setting): refuse it whatever its ``exp``."""
        if claims["exp"] - claims["iat"] > self._settings.lifetime_seconds:
            limit = self._settings.lifetime_seconds
            raise InvalidToken(f"lifetime longer than the configured {limit} seconds")


def _key_id(token: str) -> str | None:
    kid = jws.extract_compact(token.encode()).headers().get("kid")
    return kid if isinstance(kid, str) else None


def _reason(exc: JoseError) -> str:
    messages = {
        "invalid_key_id": "unknown signing key",
        "unsupported_algorithm": "algorithm not accepted",
        "bad_signature": "bad signature",
        "expired_token": "token expired",
        "invalid_claim": f"invalid claim {getattr(exc, 'claim', '')}".strip(),
        "missing_claim": f"missing claim {getattr(exc, 'claim', '')}".strip(),
    }
    return messages.get(exc.error, "invalid token")


def _actor(claims: dict[str, Any]) -> Actor:
    try:
        tenant = claims["tid"]
        role = str(claims["role"])
        machine = None
        if role == MACHINE_ROLE:
            scopes = tuple(str(claims["scope"]).split())
            machine = MachineGrant(UUID(claims["client_id"]), int(claims["gen"]), scopes)
            if tenant == PLATFORM_DOMAIN or machine.client_id != UUID(claims["sub"]):
                raise ValueError("a machine token names its own client in a tenant")
        return Actor(
            user_id=UUID(claims["sub"]),
            tenant_id=None if tenant == PLATFORM_DOMAIN else UUID(tenant),
            role=role,
            token_id=str(claims["jti"]),
            machine=machine,
        )
    except (KeyError, ValueError, TypeError) as exc:
        raise InvalidToken("malformed claims") from exc
