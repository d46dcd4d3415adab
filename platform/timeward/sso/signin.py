"""The sign-in flow: authorization code with PKCE (S256), ``state`` and ``nonce``,
through Authlib's httpx client; the ID token checked with joserfc
(``timeward.sso.provider``); the person matched to an active membership.

``state`` is ``<tenant id>.<secret>``: the callback finds its row in that tenant's scope
(like a session cookie), uses it once, and only within ``login_minutes``. The PKCE
verifier and the nonce are derived from ``state`` with a deployment key
(``SsoRuntime.derived``), so the row holds digests only. A second secret, in a cookie,
binds the sign-in to the browser that started it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from uuid import UUID

import structlog
from authlib.integrations.httpx_client import AsyncOAuth2Client, OAuthError

# The HTTP library Authlib's client runs on (httpx2 when installed, else httpx, which
# Authlib marks deprecated): its errors are the ones a token request raises.
from authlib.integrations.httpx_client._compat import httpx2 as oauth_http
from authlib.oauth2.client import OAuth2Client
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from timeward import clock
from timeward.audit.log import AuditEntry, AuditLog
from timeward.auth.opaque import digest, new_secret
from timeward.auth.status import current_role
from timeward.crypto.data_keys import DataKeys
from timeward.db.session import Database, Scope
from timeward.identity.models import Membership, Realm, TenantRole, UserStatus
from timeward.identity.service import find_identity, find_or_create_user, tenant_by_slug
from timeward.sso import service
from timeward.sso.models import SsoConfig, SsoLogin
from timeward.sso.provider import (
    Expected,
    ProviderUnavailable,
    SsoError,
    userinfo_claims,
    verify_id_token,
)
from timeward.sso.runtime import SsoRuntime

log = structlog.get_logger(__name__)
SCOPES = "openid email"
NOT_AVAILABLE = "Single sign-on is not available for this organisation."


class SignInRefused(SsoError):
    status_code = 403


class BadCallback(SsoError):
    status_code = 400


class UnknownState(BadCallback):
    """No sign-in of ours: nothing is recorded in the tenant the state names (anyone can
    make one up)."""


class NotAvailable(SsoError):
    status_code = 404


@dataclass(frozen=True)
class Started:
    authorization_url: str
    browser_secret: str  # the cookie that binds the callback to this browser


@dataclass(frozen=True)
class SsoSignedIn:
    tenant_id: UUID
    user_id: UUID
    role: str
    issuer: str


async def start(
    database: Database, runtime: SsoRuntime, tenant_slug: str, next_path: str
) -> Started:
    """A new sign-in at the tenant's provider; SsoError (404) when it has none (an unknown
    organisation gets the same answer)."""
    tenant = await tenant_by_slug(database, tenant_slug) if tenant_slug else None
    if tenant is None:
        raise _not_available()
    state = f"{tenant.id}.{new_secret('ss_')}"
    browser = new_secret("sb_")
    now = clock.now()
    async with database.transaction(Scope.TENANT, tenant.id) as session:
        config = await service.load(session, tenant.id)
        if config is None:
            raise _not_available()
        await session.execute(
            delete(SsoLogin).where(SsoLogin.tenant_id == tenant.id, SsoLogin.expires_at < now)
        )
        session.add(
            SsoLogin(
                tenant_id=tenant.id,
                state_hash=digest(state),
                browser_hash=digest(browser),
                next_path=next_path,
                expires_at=now + timedelta(minutes=runtime.settings.sso.login_minutes),
            )
        )
        metadata = service.metadata_of(config)
        # Authlib's client without a session: building the URL needs no HTTP client
        oauth = OAuth2Client(
            None,
            client_id=config.client_id,
            scope=SCOPES,
            redirect_uri=runtime.redirect_uri,
            code_challenge_method="S256",
        )
    url, _ = oauth.create_authorization_url(
        metadata.authorization_endpoint,
        state=state,
        code_verifier=runtime.derived("pkce", state),
        nonce=runtime.derived("nonce", state),
    )
    log.info("sso.started", tenant_id=str(tenant.id))
    return Started(url, browser)


def _not_available() -> SsoError:
    return NotAvailable("not_configured", NOT_AVAILABLE)


def _tenant_of(state: str) -> UUID:
    tenant, separator, secret = state.partition(".")
    try:
        if separator and secret:
            return UUID(tenant)
    except ValueError:
        pass
    raise UnknownState("bad_state", "This sign-in link is not valid. Start again.")


@dataclass(frozen=True)
class Callback:
    state: str
    code: str
    error: str
    browser_secret: str


class SsoSignIn:
    """Completes sign-ins; every refusal after the tenant is known is audited there."""

    def __init__(
        self, database: Database, runtime: SsoRuntime, data_keys: DataKeys, audit: AuditLog
    ) -> None:
        self._database = database
        self._runtime = runtime
        self._data_keys = data_keys
        self._audit = audit

    async def complete(self, callback: Callback) -> tuple[SsoSignedIn, str]:
        """The person signed in and the path to go to next; SsoError otherwise."""
        tenant_id = _tenant_of(callback.state)
        issuer = ""
        try:
            config, secret, next_path = await self._claim(tenant_id, callback)
            issuer = config.issuer
            signed_in = await self._finish(tenant_id, config, secret, callback)
        except UnknownState:
            raise
        except SsoError as exc:
            await self._failed(tenant_id, exc.reason, issuer)
            raise
        details = {"method": "sso", "issuer": issuer}
        await self._audit.record(
            self._database,
            tenant_id,
            AuditEntry("auth.login", signed_in.user_id, signed_in.role, "user", signed_in.user_id,
                       details=details),
        )  # fmt: skip
        return signed_in, next_path

    async def _claim(self, tenant_id: UUID, callback: Callback) -> tuple[SsoConfig, str, str]:
        """Use the state's row (once, in time, from the same browser) and read the config."""
        now = clock.now()
        async with self._database.transaction(Scope.TENANT, tenant_id) as session:
            login = await session.scalar(
                select(SsoLogin)
                .where(SsoLogin.tenant_id == tenant_id)
                .where(SsoLogin.state_hash == digest(callback.state))
                .with_for_update()
            )
            if login is None:
                raise UnknownState("bad_state", "This sign-in link is not valid. Start again.")
            if login.used_at is not None:
                raise BadCallback("state_reused", "This sign-in was already used. Start again.")
            login.used_at = now
            config = await service.load(session, tenant_id)
            secret = await service.client_secret(session, self._data_keys, config) if config else ""
            next_path = login.next_path
            expired = now >= login.expires_at
            other_browser = digest(callback.browser_secret) != login.browser_hash
        if config is None:
            raise _not_available()
        if expired:
            raise BadCallback("state_expired", "This sign-in took too long. Start again.")
        if other_browser:
            raise BadCallback("bad_state", "This sign-in was started in another browser.")
        return config, secret, next_path

    async def _finish(
        self, tenant_id: UUID, config: SsoConfig, secret: str, callback: Callback
    ) -> SsoSignedIn:
        if callback.error or not callback.code:
            raise SignInRefused("provider_refused", "The identity provider did not sign you in.")
        claims = await self._exchange(config, secret, callback.state, callback.code)
        email = _matching_email(claims, config.allowed_domains)
        user_id = await self._member(tenant_id, email, config.create_users)
        role = await current_role(self._database, user_id, tenant_id)
        if role is None:
            raise SignInRefused("no_membership", NO_MEMBERSHIP)
        return SsoSignedIn(tenant_id, user_id, role, config.issuer)

    async def _exchange(
        self, config: SsoConfig, secret: str, state: str, code: str
    ) -> dict[str, Any]:
        metadata = service.metadata_of(config)
        runtime = self._runtime
        timeout = runtime.settings.sso.timeout_seconds
        try:
            async with AsyncOAuth2Client(
                client_id=config.client_id,
                client_secret=secret,
                redirect_uri=runtime.redirect_uri,
                timeout=timeout,
                verify=runtime.tls,
            ) as oauth:
                token = await oauth.fetch_token(
                    metadata.token_endpoint,
                    grant_type="authorization_code",
                    code=code,
                    code_verifier=runtime.derived("pkce", state),
                )
        except oauth_http.TimeoutException as exc:
            raise ProviderUnavailable(
                "provider_unavailable", "The identity provider did not answer in time."
            ) from exc
        except oauth_http.HTTPError as exc:
            raise ProviderUnavailable(
                "provider_unavailable", "The identity provider could not be reached."
            ) from exc
        except (OAuthError, ValueError, KeyError) as exc:
            raise SignInRefused(
                "code_refused", "The identity provider refused this sign-in."
            ) from exc
        id_token = token.get("id_token") if isinstance(token, dict) else None
        if not isinstance(id_token, str):
            raise SignInRefused("bad_token", "The identity provider sent no ID token.")
        expected = Expected(
            config.issuer, config.client_id, runtime.derived("nonce", state),
            runtime.settings.sso.leeway_seconds,
        )  # fmt: skip
        async with runtime.http() as http:
            try:
                claims = await verify_id_token(
                    http, runtime.keys, metadata.jwks_uri, id_token, expected
                )
                access_token = token.get("access_token")
                if "email" in claims or not metadata.userinfo_endpoint or not access_token:
                    return claims
                more = await userinfo_claims(
                    http, metadata.userinfo_endpoint, str(access_token), str(claims["sub"])
                )
            except ProviderUnavailable:
                raise
            except SsoError as exc:
                raise SignInRefused(exc.reason, exc.detail) from exc
        # UserInfo adds what the ID token left out: the e-mail and whether it is verified
        return {**claims, **{k: more[k] for k in ("email", "email_verified") if k in more}}

    async def _member(self, tenant_id: UUID, email: str, create_users: bool) -> UUID:
        """The person's identity with a membership here; a new employee when allowed."""
        async with self._database.transaction(Scope.AUTH) as session:
            user = await find_identity(session, email, Realm.TENANT)
            user_id = user.id if user is not None else None
        async with self._database.transaction(Scope.TENANT, tenant_id) as session:
            membership = await session.get(Membership, (tenant_id, user_id)) if user_id else None
            if membership is not None:
                if membership.status != UserStatus.ACTIVE:
                    raise SignInRefused("no_membership", NO_MEMBERSHIP)
                return membership.user_id
        if not create_users:
            raise SignInRefused("no_membership", NO_MEMBERSHIP)
        # The same person's other first sign-in may be creating them at this moment: it
        # makes the identity, then the membership, in two transactions. Losing the race on
        # the identity means trying again (the identity is found, and the membership insert
        # waits for the other's and then conflicts); losing it on the membership means the
        # membership is there.
        for _attempt in range(2):
            try:
                return await self._create_member(tenant_id, email)
            except IntegrityError:
                continue
        return await self._member(tenant_id, email, create_users=False)

    async def _create_member(self, tenant_id: UUID, email: str) -> UUID:
        async with self._database.transaction(Scope.AUTH) as session:
            user_id = (await find_or_create_user(session, email, None)).id
        async with self._database.transaction(Scope.TENANT, tenant_id) as session:
            session.add(Membership(tenant_id=tenant_id, user_id=user_id, role=TenantRole.EMPLOYEE))
            await session.flush()
            entry = AuditEntry(
                "user.joined", user_id, TenantRole.EMPLOYEE, "user", user_id,
                details={"method": "sso", "role": TenantRole.EMPLOYEE},
            )  # fmt: skip
            await self._audit.append(session, tenant_id, entry)
        return user_id

    async def _failed(self, tenant_id: UUID, reason: str, issuer: str) -> None:
        log.info("sso.refused", tenant_id=str(tenant_id), reason=reason)
        details = {"method": "sso", "reason": reason, **({"issuer": issuer} if issuer else {})}
        await self._audit.record(
            self._database, tenant_id, AuditEntry("auth.sso_failed", details=details)
        )


NO_MEMBERSHIP = "You have no active account in this organisation. Ask its administrator."


def _matching_email(claims: dict[str, Any], allowed_domains: list[str]) -> str:
    email = claims.get("email")
    if not isinstance(email, str) or "@" not in email:
        raise SignInRefused("no_email", "The identity provider did not say your e-mail address.")
    # Entra ID sends no email_verified; its optional claim xms_edov says the same (the
    # domain's owner verified the address): docs/identity-and-roles.md
    if claims.get("email_verified") not in (True, "true") and claims.get("xms_edov") is not True:
        raise SignInRefused(
            "unverified_email", "Your identity provider has not verified your e-mail address."
        )
    domain = email.rsplit("@", 1)[1].lower()
    if domain not in allowed_domains:
        raise SignInRefused(
            "domain_not_allowed", "Your e-mail domain is not allowed to sign in here."
        )
    return email
