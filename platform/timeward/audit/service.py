"""Reading and verifying audit events; pseudonymising a subject after erasure."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from timeward.audit.log import PLATFORM_CHAIN, fold_pending_reads
from timeward.audit.models import AuditEvent
from timeward.db.queries import fetch_page
from timeward.paging import PageRequest


@dataclass(frozen=True)
class AuditFilter:
    action: str | None = None
    actor_id: UUID | None = None
    subject_id: UUID | None = None
    since: datetime | None = None
    until: datetime | None = None
    actor_role: str | None = None  # e.g. support_reader: what platform support did


async def list_events(
    session: AsyncSession, chain: UUID, where: AuditFilter, page: PageRequest
) -> list[AuditEvent]:
    """A page of one chain's events, newest first (pending staff reads chained first)."""
    if chain != PLATFORM_CHAIN:
        await fold_pending_reads(session, chain)
    query = select(AuditEvent).where(AuditEvent.tenant_id == chain)
    if where.action:
        query = query.where(AuditEvent.action == where.action)
    if where.actor_id:
        query = query.where(AuditEvent.actor_id == where.actor_id)
    if where.actor_role:
        query = query.where(AuditEvent.actor_role == where.actor_role)
    if where.subject_id:
        query = query.where(AuditEvent.subject_id == where.subject_id)
    if where.since:
        query = query.where(AuditEvent.at >= where.since)
    if where.until:
        query = query.where(AuditEvent.at < where.until)
    return await fetch_page(session, query.order_by(AuditEvent.seq.desc()), page)


def pseudonym_for(key: bytes, tenant_id: UUID, subject_id: UUID) -> UUID:
    """Stable per tenant and subject, and not reversible without the key."""
    digest = hmac.new(key, f"{tenant_id}:{subject_id}".encode(), hashlib.sha256).digest()
    return UUID(bytes=digest[:16], version=4)


async def pseudonymise_subject(
    session: AsyncSession, key: bytes, tenant_id: UUID, subject_id: UUID
) -> int:
    """Replace the subject's identifiers in the tenant's audit events; returns rows changed."""
    pseudonym = pseudonym_for(key, tenant_id, subject_id)
    changed = await session.scalar(
        text("select pseudonymise_audit_subject(:subject, :pseudonym)"),
        {"subject": subject_id, "pseudonym": pseudonym},
    )
    return int(changed or 0)
