"""Granting, revoking and finding live support grants."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from timeward import clock
from timeward.acting import Acting
from timeward.audit.log import AuditEntry, AuditLog
from timeward.db.queries import fetch_page
from timeward.db.session import Database, Scope
from timeward.errors import Conflict, InvalidInput, NotFound
from timeward.identity.models import Tenant, TenantStatus
from timeward.paging import PageRequest
from timeward.support.models import SupportGrant

MAX_GRANT = timedelta(days=3)
SUPPORT_ROLE = "support_reader"


@dataclass(frozen=True)
class GrantRequest:
    reason: str
    hours: int
    staff_user_id: UUID | None = None
    starts_at: datetime | None = None


async def grant(
    session: AsyncSession, tenant_id: UUID, granted_by: Acting, request: GrantRequest
) -> SupportGrant:
    now = clock.now()
    starts_at = request.starts_at or now
    expires_at = starts_at + timedelta(hours=request.hours)
    too_far = starts_at - now > MAX_GRANT
    if too_far or expires_at <= now or expires_at - max(starts_at, now) > MAX_GRANT:
        raise InvalidInput("A support grant must end in the future, at most 3 days away.")
    record = SupportGrant(
        tenant_id=tenant_id,
        granted_by=granted_by.user_id,
        staff_user_id=request.staff_user_id,
        reason=request.reason,
        starts_at=starts_at,
        expires_at=expires_at,
    )
    session.add(record)
    await session.flush()
    return record


async def revoke(
    session: AsyncSession, tenant_id: UUID, grant_id: UUID, revoked_by: Acting
) -> SupportGrant:
    record = await session.get(SupportGrant, (tenant_id, grant_id))
    if record is None:
        raise NotFound("Support grant")
    if record.revoked_at is not None:
        raise Conflict("This grant is already revoked.")
    record.revoked_at, record.revoked_by = clock.now(), revoked_by.user_id
    return record


async def grant_access(
    session: AsyncSession, audit: AuditLog, tenant_id: UUID, by: Acting, request: GrantRequest
) -> SupportGrant:
    """:func:`grant`, audited on the tenant's chain (``support.granted``): what the API
    route and the admin page both do."""
    record = await grant(session, tenant_id, by, request)
    details = {"expires_at": record.expires_at.isoformat()}
    await audit.append(
        session,
        tenant_id,
        AuditEntry.by(by, "support.granted", "support_grant", record.id, details),
    )
    return record


async def revoke_access(
    session: AsyncSession, audit: AuditLog, tenant_id: UUID, grant_id: UUID, by: Acting
) -> SupportGrant:
    """:func:`revoke`, audited on the tenant's chain (``support.revoked``)."""
    record = await revoke(session, tenant_id, grant_id, by)
    await audit.append(
        session, tenant_id, AuditEntry.by(by, "support.revoked", "support_grant", record.id)
    )
    return record


async def revoke_all_for_offboarding(
    session: AsyncSession, audit: AuditLog, tenant_id: UUID, revoked_by: Acting
) -> int:
    """Offboarding was accepted: every grant not yet over ends now, each revocation audited
    on the tenant's chain. Returns how many were revoked."""
    now = clock.now()
    rows = await session.scalars(
        select(SupportGrant).where(
            SupportGrant.tenant_id == tenant_id,
            SupportGrant.revoked_at.is_(None),
            SupportGrant.expires_at > now,
        )
    )
    revoked = list(rows.all())
    for record in revoked:
        record.revoked_at, record.revoked_by = now, revoked_by.user_id
        details = {"reason": "offboarding"}
        entry = AuditEntry.by(revoked_by, "support.revoked", "support_grant", record.id, details)
        await audit.append(session, tenant_id, entry)
    return len(revoked)


async def list_grants(
    session: AsyncSession, tenant_id: UUID, page: PageRequest
) -> list[SupportGrant]:
    """This tenant's grants, newest first."""
    return await fetch_page(
        session,
        select(SupportGrant)
        .where(SupportGrant.tenant_id == tenant_id)
        .order_by(SupportGrant.created_at.desc(), SupportGrant.id),
        page,
    )


def _live(now: datetime) -> list[ColumnElement[bool]]:
    """Unrevoked, started, not expired, and the tenant active: a suspended or offboarding
    tenant's data is closed to support as it is to its own users."""
    active = select(Tenant.id).where(Tenant.status == TenantStatus.ACTIVE)
    return [
        SupportGrant.tenant_id.in_(active),
        SupportGrant.revoked_at.is_(None),
        SupportGrant.starts_at <= now,
        SupportGrant.expires_at > now,
    ]


async def live_grant_for(database: Database, tenant_id: UUID, staff_user_id: UUID) -> UUID | None:
    """The id of a grant letting this staff member read this tenant now, if any."""
    grant = await live_grant(database, tenant_id, staff_user_id)
    return grant.id if grant is not None else None


async def live_grant(
    database: Database, tenant_id: UUID, staff_user_id: UUID
) -> SupportGrant | None:
    """A grant letting this staff member read this tenant now (the last to expire), if any."""
    now = clock.now()
    async with database.transaction(Scope.PLATFORM) as session:
        return await session.scalar(
            select(SupportGrant)
            .where(
                SupportGrant.tenant_id == tenant_id,
                or_(
                    SupportGrant.staff_user_id.is_(None),
                    SupportGrant.staff_user_id == staff_user_id,
                ),
                *_live(now),
            )
            .order_by(SupportGrant.expires_at.desc())
            .limit(1)
        )


async def live_grants(session: AsyncSession, page: PageRequest) -> list[SupportGrant]:
    """Live grants across tenants (platform scope), first to expire first: metadata for
    the staff's queue."""
    return await fetch_page(
        session,
        select(SupportGrant)
        .where(*_live(clock.now()))
        .order_by(SupportGrant.expires_at, SupportGrant.tenant_id, SupportGrant.id),
        page,
    )
