"""A person's own password: change it (signed in) or reset it (e-mailed link).

Both revoke every refresh token of the identity, in every tenant. A reset request
answers the same whether or not the address has an account there, and is throttled
per address and per account (timeward.auth.throttle).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from sqlalchemy import select

from timeward import clock
from timeward.acting import Acting
from timeward.audit.log import AuditEntry, AuditLog
from timeward.auth.actor import PLATFORM_DOMAIN
from timeward.auth.service import AuthService, TokenPair
from timeward.config import Settings
from timeward.db.session import Database, Scope
from timeward.errors import NotFound
from timeward.identity.invitations import WrongPassword
from timeward.identity.links import LinkMail, issue_link, link_url, mail_link, open_link
from timeward.identity.models import (
    LinkPurpose,
    Membership,
    PlatformStaff,
    Realm,
    Tenant,
    User,
    UserStatus,
)
from timeward.identity.password_policy import check_new_password
from timeward.identity.passwords import hash_password, verify_password
from timeward.identity.service import find_identity
from timeward.translations import N_, phrase

RESET_MAIL_SUBJECT = N_("Reset your Timeward password")
RESET_INTRO = N_(
    "Someone asked to reset your Timeward password. To choose a new one, open this link:"
)


async def _slug(database: Database, tenant_id: UUID | None) -> str | None:
    if tenant_id is None:
        return None
    async with database.transaction(Scope.AUTH) as auth:
        return await auth.scalar(select(Tenant.slug).where(Tenant.id == tenant_id))


@dataclass(frozen=True)
class PasswordChange:
    current: str
    new: str


async def change_password(
    database: Database,
    auth_service: AuthService,
    audit: AuditLog,
    tenant_id: UUID | None,
    change: PasswordChange,
    by: Acting,
) -> TokenPair:
    """The signed-in person's own password (current one required): every session of theirs
    ends, the change is audited, and a new pair of tokens for this session is returned."""
    if by.user_id is None:
        raise NotFound("User")  # the system has no password
    await _set_password(database, by.user_id, tenant_id, change)
    await auth_service.revoke_all_sessions(by.user_id)
    entry = AuditEntry("auth.password_changed", by.user_id, by.role, "user", by.user_id)
    await audit.record(database, tenant_id, entry)
    return await auth_service.issue_pair(by.user_id, tenant_id)


async def _set_password(
    database: Database, user_id: UUID, tenant_id: UUID | None, change: PasswordChange
) -> None:
    current, new = change.current, change.new
    slug = await _slug(database, tenant_id)
    async with database.transaction(Scope.AUTH) as auth:
        user = await auth.get(User, user_id, with_for_update=True)
        if user is None:
            raise NotFound("User")
        if not await verify_password(user.password_hash, current):
            raise WrongPassword()
        check_new_password(new, user.email, slug, field="new_password")
        user.password_hash = await hash_password(new)


async def _reset_target(
    database: Database, email: str, tenant_slug: str
) -> tuple[User, UUID | None] | None:
    """The identity a reset for (address, tenant) is about, if it may sign in there."""
    platform = tenant_slug == PLATFORM_DOMAIN
    async with database.transaction(Scope.AUTH) as auth:
        user = await find_identity(auth, email, Realm.PLATFORM if platform else Realm.TENANT)
        tenant_id = (
            None
            if platform
            else await auth.scalar(select(Tenant.id).where(Tenant.slug == tenant_slug))
        )
        staff = await auth.get(PlatformStaff, user.id) if user and platform else None
    if user is None or user.status != UserStatus.ACTIVE or (platform and staff is None):
        return None
    if tenant_id is None:
        return (user, None) if platform else None
    async with database.transaction(Scope.TENANT, tenant_id) as session:
        member = await session.get(Membership, (tenant_id, user.id))
    return (user, tenant_id) if member is not None else None


async def request_reset(
    database: Database, settings: Settings, email: str, tenant_slug: str
) -> None:
    """E-mail a reset link when the address may sign in to the tenant; else do nothing."""
    target = await _reset_target(database, email, tenant_slug)
    if target is None:
        return
    user, tenant_id = target
    lifetime = timedelta(minutes=settings.password_reset_minutes)
    async with database.transaction(Scope.AUTH) as auth:
        token, expires_at = await issue_link(auth, user.id, LinkPurpose.RESET, tenant_id, lifetime)
    url = link_url(settings.public_url, LinkPurpose.RESET, token)
    mail = LinkMail(user.email, phrase(RESET_MAIL_SUBJECT), phrase(RESET_INTRO))
    await mail_link(database, tenant_id, mail, url, expires_at, user_id=user.id)


async def throttled_reset(
    database: Database,
    settings: Settings,
    auth_service: AuthService,
    email: str,
    tenant_slug: str,
    address: str,
) -> None:
    """A reset request from the API or the forgot-password page: counted per account and
    per address first (LoginThrottled, nothing sent, when over), then the link is mailed
    when the address may sign in there; the caller answers the same either way."""
    buckets = auth_service.throttle.buckets(
        "reset", email, address, settings.password_resets_per_account
    )
    await auth_service.claim_attempt(buckets)
    if email and tenant_slug:
        await request_reset(database, settings, email, tenant_slug)


async def complete_reset(
    database: Database, auth_service: AuthService, token: str, new: str
) -> None:
    async with database.transaction(Scope.AUTH) as auth:
        link = await open_link(auth, token, LinkPurpose.RESET)
        user = await auth.get(User, link.user_id, with_for_update=True)
        if user is None:
            raise NotFound("Link")
        slug = None
        if link.domain != PLATFORM_DOMAIN:
            slug = await auth.scalar(select(Tenant.slug).where(Tenant.id == UUID(link.domain)))
        check_new_password(new, user.email, slug)
        user.password_hash = await hash_password(new)
        link.used_at = clock.now()
    await auth_service.revoke_all_sessions(user.id)
