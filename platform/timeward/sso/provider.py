"""Talking to a tenant's identity provider: discovery (checked when an admin saves the
configuration), its key set (cached per process, fetched again on an unknown key id at
most every ``jwks_refetch_seconds``) and the ID token check (joserfc).

Every failure is an :class:`SsoError` with a category (``reason``) that pages and the
audit log show; nothing here logs a token, a code or a secret.
"""

from __future__ import annotations

import ipaddress
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
import structlog
from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from timeward import clock
from timeward.errors import DomainError

log = structlog.get_logger(__name__)

# Asymmetric signatures only: "none" and the HMAC family (HS256: a token "signed" with the
# client secret or with the provider's public key) are refused.
ID_TOKEN_ALGORITHMS = (
    "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512",
    "EdDSA", "Ed25519",
)  # fmt: skip
MAX_ID_TOKEN_AGE_SECONDS = 600  # an ID token issued longer ago than this is not fresh


class SsoError(DomainError):
    """A refused configuration (422 with the reason) or sign-in; ``reason`` is the
    category shown and audited."""

    status_code = 422

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail, reason=reason)
        self.reason = reason


class ProviderUnavailable(SsoError):
    """The provider did not answer (down, refused, too slow). A 4xx like every SSO
    refusal (424: what the request depended on failed), not a 5xx: nothing is wrong
    with this service, and the person can retry or use another way in."""

    status_code = 424


@dataclass(frozen=True)
class ProviderMetadata:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    end_session_endpoint: str | None
    userinfo_endpoint: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": self.authorization_endpoint,
            "token_endpoint": self.token_endpoint,
            "jwks_uri": self.jwks_uri,
            "end_session_endpoint": self.end_session_endpoint,
            "userinfo_endpoint": self.userinfo_endpoint,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ProviderMetadata:
        return cls(
            data["issuer"],
            data["authorization_endpoint"],
            data["token_endpoint"],
            data["jwks_uri"],
            data.get("end_session_endpoint"),
            data.get("userinfo_endpoint"),
        )


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_url(name: str, url: object, *, allow_loopback_http: bool) -> str:
    """An endpoint must be HTTPS; plain HTTP only to a loopback host outside production."""
    if not isinstance(url, str) or not url:
        raise SsoError("bad_discovery", f"The discovery document has no {name}.")
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return url
    if parts.scheme == "http" and allow_loopback_http and _is_loopback(parts.hostname or ""):
        return url
    raise SsoError("insecure_endpoint", f"The {name} must use HTTPS: {url}")


async def get_json(client: httpx.AsyncClient, url: str, what: str) -> dict[str, Any]:
    try:
        response = await client.get(url, headers={"Accept": "application/json"})
    except httpx.TimeoutException as exc:
        raise ProviderUnavailable(
            "provider_unavailable", f"The identity provider did not answer in time ({what})."
        ) from exc
    except httpx.HTTPError as exc:
        raise ProviderUnavailable(
            "provider_unavailable", f"The identity provider could not be reached ({what})."
        ) from exc
    if response.status_code != 200:
        raise SsoError("bad_discovery", f"The {what} answered HTTP {response.status_code}.")
    try:
        data = response.json()
    except ValueError as exc:
        raise SsoError("bad_discovery", f"The {what} is not JSON.") from exc
    if not isinstance(data, dict):
        raise SsoError("bad_discovery", f"The {what} is not a JSON object.")
    return data


async def discover(
    client: httpx.AsyncClient, issuer: str, *, allow_loopback_http: bool
) -> ProviderMetadata:
    """Fetch and check ``{issuer}/.well-known/openid-configuration`` and its key set."""
    check_url("issuer URL", issuer, allow_loopback_http=allow_loopback_http)
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    document = await get_json(client, url, "discovery document")
    if document.get("issuer") != issuer:
        raise SsoError(
            "issuer_mismatch",
            f"The discovery document names the issuer {document.get('issuer')!r}, not {issuer!r}.",
        )
    methods = document.get("code_challenge_methods_supported") or []
    if "S256" not in methods:
        raise SsoError(
            "no_pkce", "The provider does not list S256 in code_challenge_methods_supported."
        )
    algorithms = document.get("id_token_signing_alg_values_supported") or []
    if not set(algorithms) & set(ID_TOKEN_ALGORITHMS):
        raise SsoError(
            "no_usable_algorithm", "The provider signs ID tokens with no asymmetric algorithm."
        )
    end_session = document.get("end_session_endpoint")
    userinfo = document.get("userinfo_endpoint")
    metadata = ProviderMetadata(
        issuer=issuer,
        authorization_endpoint=check_url(
            "authorization_endpoint",
            document.get("authorization_endpoint"),
            allow_loopback_http=allow_loopback_http,
        ),
        token_endpoint=check_url(
            "token_endpoint",
            document.get("token_endpoint"),
            allow_loopback_http=allow_loopback_http,
        ),
        jwks_uri=check_url(
            "jwks_uri", document.get("jwks_uri"), allow_loopback_http=allow_loopback_http
        ),
        end_session_endpoint=(
            check_url("end_session_endpoint", end_session, allow_loopback_http=allow_loopback_http)
            if end_session
            else None
        ),
        userinfo_endpoint=(
            check_url("userinfo_endpoint", userinfo, allow_loopback_http=allow_loopback_http)
            if userinfo
            else None
        ),
    )
    keys = _key_set(await get_json(client, metadata.jwks_uri, "key set (jwks_uri)"))
    if not keys.keys:
        raise SsoError("bad_discovery", "The provider's key set has no key.")
    return metadata


def _key_set(data: dict[str, Any]) -> KeySet:
    try:
        keys = [key for key in data.get("keys", []) if key.get("use", "sig") == "sig"]
        return KeySet.import_key_set({"keys": keys})
    except (JoseError, ValueError, TypeError, AttributeError) as exc:
        raise SsoError("bad_discovery", "The provider's key set cannot be read.") from exc


class ProviderKeys:
    """The key sets of the providers this process has verified tokens of, by ``jwks_uri``.

    An ID token naming a key id not in the cached set fetches the set again, but at most
    once every ``refetch_seconds`` per provider: a stream of made-up key ids cannot turn
    us into a client hammering the provider.
    """

    def __init__(self, refetch_seconds: float) -> None:
        self._refetch_seconds = refetch_seconds
        self._sets: dict[str, tuple[KeySet, float]] = {}

    async def key_for(self, client: httpx.AsyncClient, jwks_uri: str, kid: str | None) -> Any:
        cached = self._sets.get(jwks_uri)
        if cached is not None:
            found = _find(cached[0], kid)
            if found is not None:
                return found
            if time.monotonic() - cached[1] < self._refetch_seconds:
                raise SsoError("unknown_key", "The ID token is signed with an unknown key.")
        keys = _key_set(await get_json(client, jwks_uri, "key set (jwks_uri)"))
        self._sets[jwks_uri] = (keys, time.monotonic())
        log.info("sso.jwks_fetched", keys=len(keys.keys))
        found = _find(keys, kid)
        if found is None:
            raise SsoError("unknown_key", "The ID token is signed with an unknown key.")
        return found


def _find(keys: KeySet, kid: str | None) -> Any:
    if kid is None:
        return keys.keys[0] if len(keys.keys) == 1 else None
    for key in keys.keys:
        if key.kid == kid:
            return key
    return None


@dataclass(frozen=True)
class Expected:
    issuer: str
    client_id: str
    nonce: str
    leeway_seconds: int


async def verify_id_token(
    client: httpx.AsyncClient, keys: ProviderKeys, jwks_uri: str, token: str, expected: Expected
) -> dict[str, Any]:
    """The ID token's claims once its signature (the provider's key set), ``iss``,
    ``aud``, ``exp``, ``iat``, ``nonce`` and ``azp`` are checked; SsoError otherwise."""
    try:
        header = jws.extract_compact(token.encode()).headers()
    except (JoseError, ValueError) as exc:
        raise SsoError("bad_token", "The ID token cannot be read.") from exc
    algorithm = header.get("alg")
    if algorithm not in ID_TOKEN_ALGORITHMS:
        raise SsoError("bad_token", f"The ID token's algorithm {algorithm!r} is not accepted.")
    key = await keys.key_for(client, jwks_uri, header.get("kid"))
    try:
        decoded = jwt.decode(token, key, algorithms=[algorithm])
    except (JoseError, ValueError) as exc:
        raise SsoError("bad_signature", "The ID token's signature does not verify.") from exc
    claims = decoded.claims
    now = int(clock.now().timestamp())
    registry = jwt.JWTClaimsRegistry(
        now=now,
        leeway=expected.leeway_seconds,
        iss={"essential": True, "value": expected.issuer},
        aud={"essential": True, "value": expected.client_id},
        exp={"essential": True},
        iat={"essential": True},
        nonce={"essential": True, "value": expected.nonce},
        sub={"essential": True},
    )
    try:
        registry.validate(claims)
    except (JoseError, ValueError, TypeError) as exc:
        raise SsoError("bad_token", f"The ID token was refused ({exc}).") from exc
    issued = claims.get("iat")
    if not isinstance(issued, int | float) or issued < now - MAX_ID_TOKEN_AGE_SECONDS:
        raise SsoError("bad_token", "The ID token was refused: it is not fresh.")
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    azp = claims.get("azp")
    if (len(audiences) > 1 or azp is not None) and azp != expected.client_id:
        raise SsoError("bad_token", "The ID token was refused: azp is not this client.")
    return claims


async def userinfo_claims(
    client: httpx.AsyncClient, endpoint: str, access_token: str, subject: str
) -> dict[str, Any]:
    """The UserInfo answer for the ID token's subject (providers that keep ``email`` out of
    the ID token when an access token is issued). A different ``sub`` is refused."""
    try:
        response = await client.get(endpoint, headers={"Authorization": f"Bearer {access_token}"})
    except httpx.HTTPError as exc:
        raise ProviderUnavailable(
            "provider_unavailable", "The identity provider could not be reached (userinfo)."
        ) from exc
    try:
        claims = response.json() if response.status_code == 200 else None
    except ValueError:
        claims = None
    if not isinstance(claims, dict) or claims.get("sub") != subject:
        raise SsoError("bad_token", "The provider's userinfo does not match the ID token.")
    return claims
