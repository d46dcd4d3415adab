"""Login, refresh and logout: the only code that hands out tokens."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

import structlog
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from timeward.audit.log import AuditEntry, AuditLog
from timeward.auth.actor import PLATFORM_DOMAIN
from timeward.auth.refresh import RefreshOutcome, RefreshTokens
from timeward.auth.status import current_role
from timeward.auth.throttle import Bucket, LoginThrottle
from timeward.auth.tokens import AccessTokens, InvalidToken
from timeward.db.session import Database, Scope
from timeward.identity.models import Membership, Realm, Tenant, User
from timeward.identity.passwords import verify_password
from timeward.sso.models import SsoConfig

log = structlog.get_logger(__name__)


class LoginRejected(Exception):
    """Wrong e-mail, password, tenant, or an account that may not log in: one answer for all."""


class PasswordSignInRefused(LoginRejected):
    """The password was right, but the tenant requires single sign-on and this person is
    not its break-glass admin (docs/identity-and-roles.md, "Single sign-on")."""


class LoginThrottled(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__("too many failed logins")
        self.retry_after = retry_after


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int


@dataclass(frozen=True)
class SignedIn:
    """Who proved themselves at sign-in, and in which tenant (None: the platform) and role."""

    user_id: UUID
    tenant_id: UUID | None
    role: str


@dataclass(frozen=True)
class _Candidate:
    tenant_id: UUID | None  # None: platform domain
    tenant_known: bool
    user_id: UUID | None
    password_hash: str | None


def domain_of(tenant_id: UUID | None) -> str:
    return PLATFORM_DOMAIN if tenant_id is None else str(tenant_id)


def tenant_of(domain: str) -> UUID | None:
    return None if domain == PLATFORM_DOMAIN else UUID(domain)


class AuthService:
    def __init__(
        self,
        database: Database,
        tokens: AccessTokens,
        refresh_tokens: RefreshTokens,
        throttle: LoginThrottle,
        audit: AuditLog,
    ) -> None:
        self._database = database
        self._tokens = tokens
        self._refresh = refresh_tokens
        self.throttle = throttle
        self._audit = audit

    async def login(self, email: str, password: str, tenant_slug: str, address: str) -> TokenPair:
        signed_in = await self.authenticate(email, password, tenant_slug, address)
        return await self._pair(signed_in.user_id, signed_in.tenant_id, signed_in.role)

    async def authenticate(
        self, email: str, password: str, tenant_slug: str, address: str
    ) -> SignedIn:
        """The throttled, audited password check behind every sign-in (API token or web
        session); LoginThrottled or LoginRejected when it fails."""
        buckets = self.throttle.login_buckets(email, address)
        await self.claim_attempt(buckets)
        async with self._database.transaction(Scope.AUTH) as session:
            candidate = await self._find(session, email, tenant_slug)
        password_ok = await verify_password(candidate.password_hash, password)
        role = None
        if password_ok and candidate.user_id is not None:
            role = await current_role(self._database, candidate.user_id, candidate.tenant_id)
        if role is None or candidate.user_id is None:
            await self._reject(candidate)
            raise LoginRejected
        async with self._database.transaction(Scope.AUTH) as session:
            await self.throttle.succeeded(session, buckets)
        tenant_id, user_id = candidate.tenant_id, candidate.user_id
        if tenant_id is not None and await self._sso_only(tenant_id, user_id):
            details = {"method": "password", "reason": "sso_required"}
            await self._record(tenant_id, "auth.login_refused", user_id, role, details)
            raise PasswordSignInRefused
        await self._record(tenant_id, "auth.login", user_id, role, {"method": "password"})
        return SignedIn(user_id, tenant_id, role)

    async def _sso_only(self, tenant_id: UUID, user_id: UUID) -> bool:
        """The tenant requires single sign-on and this is not its break-glass admin."""
        async with self._database.transaction(Scope.TENANT, tenant_id) as session:
            config = await session.get(SsoConfig, tenant_id)
        return config is not None and config.required and config.break_glass_user_id != user_id

    async def claim_attempt(self, buckets: list[Bucket]) -> None:
        """Count the attempt before any verification; LoginThrottled (nothing counted) if over."""
        try:
            async with self._database.transaction(Scope.AUTH) as session:
                wait = await self.throttle.claim(session, buckets)
                if wait is not None:
                    raise LoginThrottled(wait)
        except LoginThrottled:
            log.info("auth.throttled")
            raise

    async def _find(self, session: AsyncSession, email: str, tenant_slug: str) -> _Candidate:
        platform = tenant_slug == PLATFORM_DOMAIN
        realm = Realm.PLATFORM if platform else Realm.TENANT
        user = await session.scalar(
            select(User).where(User.realm == realm, func.lower(User.email) == email.lower())
        )
        tenant_id: UUID | None = None
        tenant_known = platform
        if not platform:
            tenant_id = await session.scalar(select(Tenant.id).where(Tenant.slug == tenant_slug))
            tenant_known = tenant_id is not None
        return _Candidate(
            tenant_id=tenant_id,
            tenant_known=tenant_known,
            user_id=user.id if user else None,
            password_hash=user.password_hash if user else None,
        )

    async def _reject(self, candidate: _Candidate) -> None:
        """A member's failure goes to the tenant's chain; any other to the platform's.

        No reason is recorded: a tenant admin must not learn whether an address exists
        elsewhere or whether a guessed password was right.
        """
        tenant_id, user_id = candidate.tenant_id, candidate.user_id
        if await self._has_membership(tenant_id, user_id):
            await self._record(tenant_id, "auth.login_failed", user_id, None)
            return
        domain = domain_of(tenant_id) if candidate.tenant_known else "unknown"
        await self._record(None, "auth.login_failed", user_id, None, {"domain": domain})

    async def _has_membership(self, tenant_id: UUID | None, user_id: UUID | None) -> bool:
        if tenant_id is None or user_id is None:
            return False
        async with self._database.transaction(Scope.TENANT, tenant_id) as session:
            return await session.get(Membership, (tenant_id, user_id)) is not None

    async def refresh(self, token: str) -> TokenPair:
        async with self._database.transaction(Scope.AUTH) as session:
            result = await self._refresh.rotate(session, token)
        record = result.record
        if record is None:
            log.info("auth.refresh_failed", reason=result.outcome.value)
            raise InvalidToken("refresh token not recognised")
        tenant_id = tenant_of(record.domain)
        if result.outcome is not RefreshOutcome.ROTATED or result.new_token is None:
            await self._refresh_failed(tenant_id, record.user_id, result.outcome.value)
            raise InvalidToken(f"refresh token {result.outcome.value}")
        role = await current_role(self._database, record.user_id, tenant_id)
        if role is None:
            async with self._database.transaction(Scope.AUTH) as session:
                await self._refresh.revoke_family(session, record.family_id)
            await self._refresh_failed(tenant_id, record.user_id, "access_withdrawn")
            raise InvalidToken("account no longer has access")
        access = await self._tokens.issue(record.user_id, tenant_id, role)
        return TokenPair(access, result.new_token, self._tokens.lifetime_seconds)

    async def _refresh_failed(self, tenant_id: UUID | None, user_id: UUID, reason: str) -> None:
        await self._record(tenant_id, "auth.refresh_failed", user_id, None, {"reason": reason})

    async def logout(self, token: str) -> None:
        async with self._database.transaction(Scope.AUTH) as session:
            await self._refresh.revoke_by_token(session, token)

    async def revoke_sessions(self, user_id: UUID, tenant_id: UUID | None) -> None:
        async with self._database.transaction(Scope.AUTH) as session:
            await self._refresh.revoke_for_user(session, user_id, domain_of(tenant_id))

    async def revoke_all_sessions(self, user_id: UUID) -> None:
        """Every refresh token of the identity, in every tenant (after a password change)."""
        async with self._database.transaction(Scope.AUTH) as session:
            await self._refresh.revoke_for_user(session, user_id, None)

    async def issue_pair(self, user_id: UUID, tenant_id: UUID | None) -> TokenPair:
        """A fresh session for an identity that just proved itself (password change)."""
        role = await current_role(self._database, user_id, tenant_id)
        if role is None:
            raise LoginRejected
        return await self._pair(user_id, tenant_id, role)

    async def _pair(self, user_id: UUID, tenant_id: UUID | None, role: str) -> TokenPair:
        access = await self._tokens.issue(user_id, tenant_id, role)
        async with self._database.transaction(Scope.AUTH) as session:
            refresh = await self._refresh.issue(session, user_id, domain_of(tenant_id), role)
        return TokenPair(access, refresh, self._tokens.lifetime_seconds)

    async def _record(
        self,
        tenant_id: UUID | None,
        action: str,
        user_id: UUID | None,
        role: str | None,
        details: dict[str, str] | None = None,
    ) -> None:
        entry = AuditEntry(
            action=action,
            actor_id=user_id,
            actor_role=role,
            subject_type="user",
            subject_id=user_id,
            details=details or {},
        )
        await self._audit.record(self._database, tenant_id, entry)
