"""The registry: adding and changing entries (each a new version announced to every
active client), reading any version, and clients' objections within the window."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from timeward import clock
from timeward.acting import Acting
from timeward.audit.log import AuditEntry, AuditLog
from timeward.errors import Conflict, InvalidInput, NotFound
from timeward.identity.models import Tenant, TenantStatus
from timeward.jobs.after_commit import start_after_commit
from timeward.paging import PageRequest
from timeward.subprocessors.models import (
    ChangeKind,
    SubProcessor,
    SubProcessorChange,
    SubProcessorNotice,
    SubProcessorObjection,
    SubProcessorStatus,
)

# Serialises version numbers: one registry change at a time (transaction-scoped lock).
REGISTRY_LOCK = 0x5B_9C_0DE5


@dataclass(frozen=True)
class Entry:
    """One registry entry as published."""

    name: str
    purpose: str
    location: str
    data_categories: tuple[str, ...]
    transfer_safeguard: str | None
    status: str = SubProcessorStatus.ACTIVE

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "purpose": self.purpose,
            "location": self.location,
            "data_categories": list(self.data_categories),
            "transfer_safeguard": self.transfer_safeguard,
            "status": self.status,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Entry:
        return cls(
            name=data["name"],
            purpose=data["purpose"],
            location=data["location"],
            data_categories=tuple(data["data_categories"]),
            transfer_safeguard=data["transfer_safeguard"],
            status=data["status"],
        )

    @classmethod
    def of(cls, row: SubProcessor) -> Entry:
        return cls(
            row.name,
            row.purpose,
            row.location,
            tuple(row.data_categories),
            row.transfer_safeguard,
            row.status,
        )


ENTRY_FIELDS = frozenset(f.name for f in fields(Entry))


@dataclass(frozen=True)
class Announcement:
    """Who made a change and how long clients may object to it."""

    by: Acting
    objection_days: int


@dataclass(frozen=True)
class RegistryEntry:
    id: UUID
    entry: Entry
    since_version: int


@dataclass(frozen=True)
class Registry:
    version: int
    published_at: datetime | None
    entries: list[RegistryEntry]
    changes: list[SubProcessorChange]


@dataclass(frozen=True)
class ObjectionRow:
    objection: SubProcessorObjection
    tenant_slug: str
    tenant_name: str
    change: SubProcessorChange


def _clean_categories(categories: Sequence[str]) -> tuple[str, ...]:
    cleaned = tuple(dict.fromkeys(c.strip() for c in categories if c.strip()))
    if not cleaned:
        raise InvalidInput("Name at least one category of personal data.")
    return cleaned


async def _next_version(session: AsyncSession) -> int:
    await session.execute(text("select pg_advisory_xact_lock(:key)"), {"key": REGISTRY_LOCK})
    current = await session.scalar(select(func.max(SubProcessorChange.version)))
    return int(current or 0) + 1


async def _name_taken(session: AsyncSession, name: str, other_than: UUID | None) -> bool:
    query = select(SubProcessor.id).where(func.lower(SubProcessor.name) == name.lower())
    if other_than is not None:
        query = query.where(SubProcessor.id != other_than)
    return await session.scalar(query.limit(1)) is not None


async def add(
    session: AsyncSession, entry: Entry, announcement: Announcement
) -> SubProcessorChange:
    """A new entry: a new registry version, announced to every active client (platform scope)."""
    entry = replace(entry, data_categories=_clean_categories(entry.data_categories))
    version = await _next_version(session)
    if await _name_taken(session, entry.name, None):
        raise Conflict(f"A sub-processor named '{entry.name}' is already registered.")
    row = SubProcessor(
        name=entry.name,
        purpose=entry.purpose,
        location=entry.location,
        data_categories=list(entry.data_categories),
        transfer_safeguard=entry.transfer_safeguard,
        status=SubProcessorStatus.ACTIVE,
        version=version,
    )
    session.add(row)
    await session.flush()
    return await _publish(session, row, ChangeKind.ADDED, None, version, announcement)


async def change(
    session: AsyncSession,
    sub_processor_id: UUID,
    updates: dict[str, Any],
    announcement: Announcement,
) -> SubProcessorChange:
    """Change an entry (or remove it: ``status = removed``): a new version, announced."""
    unknown = set(updates) - ENTRY_FIELDS
    if unknown:
        raise InvalidInput(f"Unknown field(s): {', '.join(sorted(unknown))}.")
    version = await _next_version(session)
    row = await session.get(SubProcessor, sub_processor_id, with_for_update=True)
    if row is None:
        raise NotFound("Sub-processor")
    previous = Entry.of(row)
    if "data_categories" in updates:
        updates = {**updates, "data_categories": _clean_categories(updates["data_categories"])}
    new = replace(previous, **updates)
    if new == previous:
        raise InvalidInput("The change leaves the entry as it is.")
    if new.name.lower() != previous.name.lower() and await _name_taken(session, new.name, row.id):
        raise Conflict(f"A sub-processor named '{new.name}' is already registered.")
    row.name, row.purpose, row.location = new.name, new.purpose, new.location
    row.data_categories = list(new.data_categories)
    row.transfer_safeguard, row.status, row.version = new.transfer_safeguard, new.status, version
    if new.status == SubProcessorStatus.REMOVED:
        kind = ChangeKind.REMOVED
    elif previous.status == SubProcessorStatus.REMOVED:
        kind = ChangeKind.ADDED
    else:
        kind = ChangeKind.CHANGED
    return await _publish(session, row, kind, previous, version, announcement)


async def _publish(
    session: AsyncSession,
    row: SubProcessor,
    kind: ChangeKind,
    previous: Entry | None,
    version: int,
    announcement: Announcement,
) -> SubProcessorChange:
    now = clock.now()
    record = SubProcessorChange(
        version=version,
        sub_processor_id=row.id,
        kind=kind,
        entry=Entry.of(row).as_json(),
        previous=previous.as_json() if previous else None,
        announced_at=now,
        objection_deadline=now + timedelta(days=announcement.objection_days),
        created_by=announcement.by.user_id,
    )
    session.add(record)
    await session.flush()
    await _announce(session, record)
    return record


async def _announce(session: AsyncSession, record: SubProcessorChange) -> int:
    """One notice per active tenant; each is sent by a job after this transaction commits."""
    tenants = (
        await session.scalars(
            select(Tenant.id).where(Tenant.status == TenantStatus.ACTIVE).order_by(Tenant.id)
        )
    ).all()
    notices = [SubProcessorNotice(tenant_id=t, change_id=record.id) for t in tenants]
    session.add_all(notices)
    await session.flush()
    for notice in notices:
        start_after_commit(
            session, "send_sub_processor_notice", str(notice.tenant_id), str(notice.id)
        )
    # every employee notice names the recipients (docs/accountability.md, "Notice versions")
    start_after_commit(session, "refresh_all_privacy_notices")
    return len(notices)


async def announced_to(session: AsyncSession, change_id: UUID) -> int:
    """How many tenants a change is announced to (platform scope)."""
    count = await session.scalar(
        select(func.count())
        .select_from(SubProcessorNotice)
        .where(SubProcessorNotice.change_id == change_id)
    )
    return int(count or 0)


async def registry(session: AsyncSession, version: int | None = None) -> Registry:
    """The registry as published at ``version`` (default: the latest)."""
    latest = int(await session.scalar(select(func.max(SubProcessorChange.version))) or 0)
    if version is None:
        version = latest
    elif version < 0:
        raise InvalidInput("A registry version is 0 or more.")
    elif version > latest:
        raise NotFound("Registry version")
    changes = list(
        (
            await session.scalars(
                select(SubProcessorChange)
                .where(SubProcessorChange.version <= version)
                .order_by(SubProcessorChange.version.desc())
            )
        ).all()
    )
    latest_per_entry: dict[UUID, SubProcessorChange] = {}
    for record in changes:  # newest first: the first seen is the entry's state at `version`
        latest_per_entry.setdefault(record.sub_processor_id, record)
    entries = [
        RegistryEntry(record.sub_processor_id, Entry.from_json(record.entry), record.version)
        for record in latest_per_entry.values()
        if record.entry["status"] == SubProcessorStatus.ACTIVE
    ]
    entries.sort(key=lambda e: e.entry.name.lower())
    published_at = changes[0].announced_at if changes else None
    return Registry(version, published_at, entries, changes)


async def get_change(session: AsyncSession, change_id: UUID) -> SubProcessorChange:
    record = await session.get(SubProcessorChange, change_id)
    if record is None:
        raise NotFound("Sub-processor change")
    return record


async def object_to(
    session: AsyncSession, tenant_id: UUID, change_id: UUID, reason: str, by: Acting
) -> tuple[SubProcessorObjection, SubProcessorChange]:
    """Record a client's objection (tenant scope); refused once the window has closed."""
    record = await get_change(session, change_id)
    if clock.now() >= record.objection_deadline:
        raise Conflict(
            "The objection window for this change has closed.",
            objection_deadline=record.objection_deadline.isoformat(),
        )
    existing = await session.scalar(
        select(SubProcessorObjection.id).where(
            SubProcessorObjection.tenant_id == tenant_id,
            SubProcessorObjection.change_id == change_id,
        )
    )
    if existing is not None:
        raise Conflict("Your organisation has already objected to this change.")
    objection = SubProcessorObjection(
        tenant_id=tenant_id, change_id=change_id, reason=reason, objected_by=by.user_id
    )
    session.add(objection)
    await session.flush()
    return objection, record


async def object_to_change(
    session: AsyncSession,
    audit: AuditLog,
    tenant_id: UUID,
    change_id: UUID,
    reason: str,
    by: Acting,
) -> tuple[SubProcessorObjection, SubProcessorChange]:
    """:func:`object_to` with the reason trimmed, audited on the tenant's chain
    (``sub_processor.objected``): what the API route and the admin page both do."""
    objection, record = await object_to(session, tenant_id, change_id, reason.strip(), by)
    details = {"version": record.version, "objection_id": str(objection.id)}
    entry = AuditEntry.by(by, "sub_processor.objected", "sub_processor_change", change_id, details)
    await audit.append(session, tenant_id, entry)
    return objection, record


async def list_objections(
    session: AsyncSession, change_id: UUID | None, page: PageRequest
) -> list[ObjectionRow]:
    """Every client's objections (platform scope), newest first."""
    query = (
        select(SubProcessorObjection, Tenant.slug, Tenant.name, SubProcessorChange)
        .join(Tenant, Tenant.id == SubProcessorObjection.tenant_id)
        .join(SubProcessorChange, SubProcessorChange.id == SubProcessorObjection.change_id)
        .order_by(SubProcessorObjection.created_at.desc(), SubProcessorObjection.id)
        .limit(page.fetch)
        .offset(page.offset)
    )
    if change_id is not None:
        query = query.where(SubProcessorObjection.change_id == change_id)
    rows = await session.execute(query)
    return [ObjectionRow(o, slug, name, c) for o, slug, name, c in rows.all()]


async def sub_processors_by_id(
    session: AsyncSession, ids: Sequence[UUID]
) -> dict[UUID, SubProcessor]:
    rows = await session.scalars(select(SubProcessor).where(SubProcessor.id.in_(ids)))
    return {row.id: row for row in rows.all()}


async def tenants_using(session: AsyncSession, sub_processor_ids: Sequence[UUID]) -> list[UUID]:
    """Tenants whose data the given sub-processors process (platform scope).

    Timeward runs one shared stack: every sub-processor in the registry, including one
    removed since (it may still hold data from before), processes data of every client
    that is not deleted. This is the one place to refine that rule.
    """
    if not sub_processor_ids:
        return []
    rows = await session.scalars(
        select(Tenant.id).where(Tenant.status != TenantStatus.DELETED).order_by(Tenant.id)
    )
    return list(rows.all())
