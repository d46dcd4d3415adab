"""Machine clients of a tenant: created, listed, rotated and revoked by a client admin;
found by the token endpoint; re-checked on every request (docs/machine-api.md).

The secret (``tws_…``) is returned once, at creation and at each rotation; only its
SHA-256 digest is stored (it is random, 256 bits: a slow hash adds nothing). A rotation
bumps the client's ``generation``, which every token carries: the tokens of the old
secret are refused at once, like those of a revoked or expired client.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from timeward import clock
from timeward.acting import Acting
from timeward.audit.log import AuditEntry, AuditLog
from timeward.auth.actor import Actor
from timeward.auth.opaque import digest, new_secret
from timeward.db.base import new_id
from timeward.db.queries import fetch_page
from timeward.db.session import Database, Scope
from timeward.errors import Conflict, InvalidInput, NotFound
from timeward.identity.models import Tenant, TenantStatus
from timeward.machine.models import ApiClient
from timeward.paging import PageRequest

SECRET_PREFIX = "tws_"
# What a client may be granted; policies/policy.csv maps each to permissions (the Casbin
# subject ``scope:<name>``), in tenant domains only.
SCOPES = (
    "instructions:read",
    "instructions:write",
    "privacy-requests:read",
    "privacy-requests:write",
    "webhooks:manage",
)
EXPIRY_WARNING = timedelta(days=7)


@dataclass(frozen=True)
class NewClient:
    name: str
    scopes: tuple[str, ...]
    expires_at: datetime | None = None


@dataclass(frozen=True)
class IssuedSecret:
    client: ApiClient
    secret: str  # shown once


def _check(spec: NewClient) -> tuple[str, ...]:
    unknown = sorted(set(spec.scopes) - set(SCOPES))
    if unknown:
        raise InvalidInput.on_field("scopes", f"unknown scope {unknown[0]!r}")
    if not spec.scopes:
        raise InvalidInput.on_field("scopes", "name at least one scope")
    if spec.expires_at is not None and spec.expires_at <= clock.now():
        raise InvalidInput.on_field("expires_at", "must be in the future")
    return tuple(sorted(set(spec.scopes)))


async def create_client(
    session: AsyncSession, audit: AuditLog, tenant_id: UUID, spec: NewClient, by: Acting
) -> IssuedSecret:
    scopes = _check(spec)
    assert by.user_id is not None
    secret = new_secret(SECRET_PREFIX)
    client = ApiClient(
        tenant_id=tenant_id,
        id=new_id(),
        name=spec.name.strip(),
        scopes=list(scopes),
        secret_hash=digest(secret),
        generation=1,
        created_by=by.user_id,
        expires_at=spec.expires_at,
    )
    session.add(client)
    await session.flush()
    details = {"scopes": list(scopes), "expires_at": _iso(spec.expires_at)}
    await audit.append(
        session,
        tenant_id,
        AuditEntry.by(by, "api_client.created", "api_client", client.id, details),
    )
    return IssuedSecret(client, secret)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


async def _open_client(session: AsyncSession, tenant_id: UUID, client_id: UUID) -> ApiClient:
    client = await session.get(ApiClient, (tenant_id, client_id), with_for_update=True)
    if client is None:
        raise NotFound("API client")
    if client.revoked_at is not None:
        raise Conflict("This client is revoked.")
    return client


async def rotate_secret(
    session: AsyncSession, audit: AuditLog, tenant_id: UUID, client_id: UUID, by: Acting
) -> IssuedSecret:
    """A new secret; the old one and every token issued with it stop working at once."""
    client = await _open_client(session, tenant_id, client_id)
    secret = new_secret(SECRET_PREFIX)
    client.secret_hash, client.generation = digest(secret), client.generation + 1
    client.rotated_at = clock.now()
    entry = AuditEntry.by(
        by, "api_client.rotated", "api_client", client.id, {"generation": client.generation}
    )
    await audit.append(session, tenant_id, entry)
    return IssuedSecret(client, secret)


async def revoke_client(
    session: AsyncSession, audit: AuditLog, tenant_id: UUID, client_id: UUID, by: Acting
) -> ApiClient:
    client = await _open_client(session, tenant_id, client_id)
    client.revoked_at, client.revoked_by = clock.now(), by.user_id
    await audit.append(
        session, tenant_id, AuditEntry.by(by, "api_client.revoked", "api_client", client.id)
    )
    return client


async def list_clients(
    session: AsyncSession, tenant_id: UUID, page: PageRequest
) -> list[ApiClient]:
    """The tenant's clients, newest first (revoked ones too: they explain audit events)."""
    return await fetch_page(
        session,
        select(ApiClient)
        .where(ApiClient.tenant_id == tenant_id)
        .order_by(ApiClient.created_at.desc(), ApiClient.id),
        page,
    )


def is_usable(client: ApiClient, now: datetime) -> bool:
    return client.revoked_at is None and (client.expires_at is None or client.expires_at > now)


async def client_for_token(database: Database, client_id: str) -> ApiClient | None:
    """The client named at the token endpoint, if it may get a token now: not revoked, not
    expired, its tenant active. Read in the ``auth`` scope (the tenant is not known yet)."""
    try:
        wanted = UUID(client_id)
    except ValueError:
        return None
    async with database.transaction(Scope.AUTH) as session:
        client = await session.scalar(
            select(ApiClient)
            .join(Tenant, Tenant.id == ApiClient.tenant_id)
            .where(ApiClient.id == wanted, Tenant.status == TenantStatus.ACTIVE)
        )
    if client is None or not is_usable(client, clock.now()):
        return None
    return client


def secret_matches(client: ApiClient, secret: str) -> bool:
    return hmac.compare_digest(client.secret_hash, digest(secret))


async def client_is_live(database: Database, actor: Actor) -> bool:
    """Every request of a machine token: the client still exists in the token's tenant, is
    neither revoked nor expired, has not rotated its secret since, and the tenant is
    active. One indexed read."""
    machine = actor.machine
    if machine is None or actor.tenant_id is None:
        return False
    now = clock.now()
    async with database.transaction(Scope.TENANT, actor.tenant_id) as session:
        found = await session.scalar(
            select(ApiClient.id)
            .join(Tenant, Tenant.id == ApiClient.tenant_id)
            .where(
                ApiClient.tenant_id == actor.tenant_id,
                ApiClient.id == machine.client_id,
                ApiClient.generation == machine.generation,
                ApiClient.revoked_at.is_(None),
                or_(ApiClient.expires_at.is_(None), ApiClient.expires_at > now),
                Tenant.status == TenantStatus.ACTIVE,
            )
        )
    return found is not None


async def record_token_issued(
    database: Database, audit: AuditLog, client: ApiClient, scopes: tuple[str, ...]
) -> None:
    by = Acting(client.id, "api_client")
    async with database.transaction(Scope.TENANT, client.tenant_id) as session:
        await session.execute(
            update(ApiClient)
            .where(ApiClient.tenant_id == client.tenant_id, ApiClient.id == client.id)
            .values(last_used_at=clock.now())
        )
        entry = AuditEntry.by(
            by, "api_client.token_issued", "api_client", client.id, {"scopes": list(scopes)}
        )
        await audit.append(session, client.tenant_id, entry)


async def record_token_refused(database: Database, audit: AuditLog, client: ApiClient) -> None:
    """A wrong secret for a known client: in its tenant's chain, without the secret."""
    entry = AuditEntry("api_client.token_refused", None, None, "api_client", client.id, details={})
    await audit.record(database, client.tenant_id, entry)


async def clients_to_warn(session: AsyncSession, tenant_id: UUID) -> list[ApiClient]:
    """Usable clients expiring within a week whose admins have not been warned yet."""
    now = clock.now()
    rows = await session.scalars(
        select(ApiClient)
        .where(
            ApiClient.tenant_id == tenant_id,
            ApiClient.revoked_at.is_(None),
            ApiClient.expiry_warned_at.is_(None),
            ApiClient.expires_at > now,
            ApiClient.expires_at <= now + EXPIRY_WARNING,
        )
        .order_by(ApiClient.expires_at, ApiClient.id)
        .with_for_update(skip_locked=True)
    )
    return list(rows.all())
