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
from timeward.auth.throttle import LoginThrottle, account_bucket, address_bucket
from timeward.auth.tokens import AccessTokens, InvalidToken
from timeward.db.session import Database, Scope
from timeward.identity.models import Tenant, User
from timeward.identity.passwords import verify_password

log = structlog.get_logger(__name__)


class LoginRejected(Exception):
    """Wrong e-mail, password, tenant, or an account that may not log in: one answer for all."""


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
class _Candidate:
    tenant_id: UUID | None  # None: platform domain
    tenant_known: bool
    user_id: UUID | None
    password_hash: str | None


def domain_of(tenant_id: UUID | None) -> str:
    return PLATFORM_DOMAIN if tenant_id is None else str(tenant_id)


def _tenant_of(domain: str) -> UUID | None:
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
        self._throttle = throttle
        self._audit = audit

    async def login(self, email: str, password: str, tenant_slug: str, address: str) -> TokenPair:
        buckets = [account_bucket(email), address_bucket(address)]
        async with self._database.transaction(Scope.AUTH) as session:
            wait = await self._throttle.retry_after(session, buckets)
            if wait is not None:
                raise LoginThrottled(wait)
            candidate = await self._find(session, email, tenant_slug)
        password_ok = await verify_password(candidate.password_hash, password)
        role = None
        if password_ok and candidate.user_id is not None:
            role = await current_role(self._database, candidate.user_id, candidate.tenant_id)
        if role is None or candidate.user_id is None:
            await self._reject(
                candidate, buckets, "bad_credentials" if not password_ok else "no_access"
            )
            raise LoginRejected
        async with self._database.transaction(Scope.AUTH) as session:
            await self._throttle.reset(session, buckets[0])
        await self._record(candidate.tenant_id, "auth.login", candidate.user_id, role)
        return await self._pair(candidate.user_id, candidate.tenant_id, role)

    async def _find(self, session: AsyncSession, email: str, tenant_slug: str) -> _Candidate:
        user = await session.scalar(select(User).where(func.lower(User.email) == email.lower()))
        tenant_id: UUID | None = None
        tenant_known = tenant_slug == PLATFORM_DOMAIN
        if not tenant_known:
            tenant_id = await session.scalar(select(Tenant.id).where(Tenant.slug == tenant_slug))
            tenant_known = tenant_id is not None
        return _Candidate(
            tenant_id=tenant_id,
            tenant_known=tenant_known,
            user_id=user.id if user else None,
            password_hash=user.password_hash if user else None,
        )

    async def _reject(self, candidate: _Candidate, buckets: list[str], reason: str) -> None:
        async with self._database.transaction(Scope.AUTH) as session:
            await self._throttle.record_failure(session, buckets)
        if candidate.tenant_known:
            await self._record(
                candidate.tenant_id,
                "auth.login_failed",
                candidate.user_id,
                None,
                {"reason": reason},
            )
        else:
            log.info("auth.login_failed", reason="unknown_tenant")

    async def refresh(self, token: str) -> TokenPair:
        async with self._database.transaction(Scope.AUTH) as session:
            result = await self._refresh.rotate(session, token)
        record = result.record
        if record is None:
            log.info("auth.refresh_failed", reason=result.outcome.value)
            raise InvalidToken("refresh token not recognised")
        tenant_id = _tenant_of(record.domain)
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
