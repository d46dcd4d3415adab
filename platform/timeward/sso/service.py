"""The tenant's SSO configuration: read, saved after discovery checked it (all or
nothing), and the rule that an SSO-required tenant refuses password sign-in except for
its break-glass admin. docs/identity-and-roles.md, "Single sign-on"."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode
from uuid import UUID

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from timeward import clock
from timeward.acting import Acting
from timeward.audit.log import AuditEntry, AuditLog
from timeward.crypto.aead import seal, unseal
from timeward.crypto.data_keys import DataKeys
from timeward.db.session import Database, Scope
from timeward.identity.models import Membership, Realm, Tenant, TenantRole, User, UserStatus
from timeward.identity.service import tenant_by_slug
from timeward.sso.models import SsoConfig, SsoLogin
from timeward.sso.provider import ProviderMetadata, SsoError, discover
from timeward.sso.runtime import SsoRuntime

_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


@dataclass(frozen=True)
class SsoChange:
    """What a client admin submits; ``client_secret`` None keeps the stored one."""

    issuer: str
    display_name: str
    client_id: str
    client_secret: str | None
    allowed_domains: list[str]
    required: bool
    create_users: bool
    break_glass_email: str | None


@dataclass(frozen=True)
class SsoState:
    """The configuration as the admin sees it: the secret only as set / not set."""

    issuer: str
    display_name: str
    client_id: str
    secret_set: bool
    allowed_domains: list[str]
    required: bool
    create_users: bool
    break_glass_email: str | None
    end_session_supported: bool
    updated_at: datetime | None


def _aad(tenant_id: UUID) -> bytes:
    return b"timeward/sso-client-secret/v1|" + tenant_id.bytes


async def load(session: AsyncSession, tenant_id: UUID) -> SsoConfig | None:
    return await session.scalar(select(SsoConfig).where(SsoConfig.tenant_id == tenant_id))


async def state_of(session: AsyncSession, tenant_id: UUID) -> SsoState | None:
    row = await load(session, tenant_id)
    if row is None:
        return None
    email = None
    if row.break_glass_user_id is not None:
        email = await session.scalar(select(User.email).where(User.id == row.break_glass_user_id))
    return SsoState(
        issuer=row.issuer,
        display_name=row.display_name,
        client_id=row.client_id,
        secret_set=bool(row.client_secret),
        allowed_domains=list(row.allowed_domains),
        required=row.required,
        create_users=row.create_users,
        break_glass_email=email,
        end_session_supported=bool(row.provider.get("end_session_endpoint")),
        updated_at=row.updated_at,
    )


def normalise_domains(domains: list[str]) -> list[str]:
    cleaned = sorted({domain.strip().lower().lstrip("@") for domain in domains if domain.strip()})
    if not cleaned:
        raise SsoError("no_domains", "Name at least one allowed e-mail domain.")
    for domain in cleaned:
        if not _DOMAIN.match(domain):
            raise SsoError("bad_domain", f"{domain!r} is not an e-mail domain.")
    return cleaned


def _check_plain_fields(change: SsoChange) -> None:
    if not change.issuer.strip() or not change.client_id.strip():
        raise SsoError("incomplete", "The issuer URL and the client id are required.")
    if not change.display_name.strip():
        raise SsoError("incomplete", "Give the identity provider a name to show on sign-in.")
    if change.required and not change.break_glass_email:
        raise SsoError(
            "no_break_glass",
            "Requiring SSO needs a break-glass admin who may still sign in with a password.",
        )


async def _break_glass(session: AsyncSession, tenant_id: UUID, email: str | None) -> UUID | None:
    """The break-glass admin: an active client admin of this tenant, by e-mail."""
    if not email:
        return None
    user_id = await session.scalar(
        select(Membership.user_id)
        .join(User, User.id == Membership.user_id)
        .where(
            Membership.tenant_id == tenant_id,
            Membership.role == TenantRole.CLIENT_ADMIN,
            Membership.status == UserStatus.ACTIVE,
            User.realm == Realm.TENANT,
            func.lower(User.email) == email.strip().lower(),
        )
    )
    if user_id is None:
        raise SsoError(
            "bad_break_glass", "The break-glass admin must be an active client admin here."
        )
    return user_id


async def save(
    session: AsyncSession,
    runtime: SsoRuntime,
    data_keys: DataKeys,
    audit: AuditLog,
    tenant_id: UUID,
    change: SsoChange,
    by: Acting,
) -> SsoState:
    """Check everything (discovery included) before writing anything; SsoError (a 422
    with the reason) leaves the stored configuration as it was."""
    domains = normalise_domains(change.allowed_domains)
    _check_plain_fields(change)
    issuer = change.issuer.strip()
    async with runtime.http() as http:  # before the first query: no connection held
        metadata = await discover(http, issuer, allow_loopback_http=runtime.allow_loopback_http)
    existing = await load(session, tenant_id)
    if existing is None and not change.client_secret:
        raise SsoError("incomplete", "The client secret is required.")
    break_glass = await _break_glass(session, tenant_id, change.break_glass_email)
    row = existing or SsoConfig(tenant_id=tenant_id)
    if change.client_secret:
        key = await data_keys.for_sealing(session, tenant_id)
        row.client_secret = seal(key.secret, change.client_secret.encode(), _aad(tenant_id))
        row.secret_key_id = key.id
    row.issuer, row.display_name = issuer, change.display_name.strip()
    row.client_id, row.allowed_domains = change.client_id.strip(), domains
    row.required, row.create_users = change.required, change.create_users
    row.break_glass_user_id, row.provider = break_glass, metadata.as_json()
    row.updated_at, row.updated_by = clock.now(), by.user_id
    if existing is None:
        session.add(row)
    await session.flush()
    details = {
        "issuer": issuer,
        "client_id": row.client_id,
        "allowed_domains": domains,
        "required": change.required,
        "create_users": change.create_users,
        "break_glass": break_glass is not None,
        "secret_changed": bool(change.client_secret),
    }
    await audit.append(
        session, tenant_id, AuditEntry.by(by, "settings.sso_changed", "tenant", tenant_id, details)
    )
    state = await state_of(session, tenant_id)
    assert state is not None
    return state


async def remove(session: AsyncSession, audit: AuditLog, tenant_id: UUID, by: Acting) -> bool:
    """Single sign-on off: the configuration and the sign-ins under way go, people sign in
    with their password again (those who have none set one with "forgot password").
    False when there was nothing to remove."""
    row = await load(session, tenant_id)
    if row is None:
        return False
    await session.execute(delete(SsoLogin).where(SsoLogin.tenant_id == tenant_id))
    await session.delete(row)
    details = {"issuer": row.issuer, "client_id": row.client_id}
    entry = AuditEntry.by(by, "settings.sso_removed", "tenant", tenant_id, details)
    await audit.append(session, tenant_id, entry)
    return True


async def client_secret(session: AsyncSession, data_keys: DataKeys, row: SsoConfig) -> str:
    opened = await data_keys.for_opening(session, row.tenant_id, [row.secret_key_id])
    key = opened.get(row.secret_key_id)
    if key is None:
        raise SsoError("not_configured", "Single sign-on is not available for this organisation.")
    return unseal(key, row.client_secret, _aad(row.tenant_id)).decode()


def metadata_of(row: SsoConfig) -> ProviderMetadata:
    return ProviderMetadata.from_json(row.provider)


async def for_slug(database: Database, slug: str) -> SsoConfig | None:
    """The SSO configuration of the tenant with this slug (None: no tenant, or none set)."""
    tenant = await tenant_by_slug(database, slug) if slug else None
    if tenant is None:
        return None
    async with database.transaction(Scope.TENANT, tenant.id) as session:
        return await load(session, tenant.id)


def logout_url(config: SsoConfig, public_url: str, slug: str) -> str | None:
    """RP-initiated logout at the provider, when its discovery advertised it."""
    endpoint = metadata_of(config).end_session_endpoint
    if endpoint is None:
        return None
    back = f"{public_url.rstrip('/')}/t/{slug}/sign-in"
    query = urlencode({"client_id": config.client_id, "post_logout_redirect_uri": back})
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"


async def provider_logout_slug(database: Database, tenant_id: UUID) -> str | None:
    """The tenant's slug when its provider advertises a logout to offer after sign-out."""
    async with database.transaction(Scope.TENANT, tenant_id) as session:
        config = await load(session, tenant_id)
        if config is None or not config.provider.get("end_session_endpoint"):
            return None
        return await session.scalar(select(Tenant.slug).where(Tenant.id == tenant_id))
