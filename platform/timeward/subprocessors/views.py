"""Response views of the registry, its changes and clients' objections."""

from __future__ import annotations

from typing import Any

import msgspec

from timeward import clock
from timeward.subprocessors.models import SubProcessorChange, SubProcessorObjection
from timeward.subprocessors.schemas import (
    AnnouncedChangeView,
    ChangeView,
    EntryView,
    ObjectionView,
    PlatformObjectionView,
    RegistryView,
    SubProcessorView,
)
from timeward.subprocessors.service import ObjectionRow, Registry, RegistryEntry


def _entry_view(entry: dict[str, Any]) -> EntryView:
    return msgspec.convert(entry, EntryView)


def _change_fields(record: SubProcessorChange) -> dict[str, Any]:
    return {
        "id": record.id,
        "version": record.version,
        "kind": record.kind,
        "sub_processor_id": record.sub_processor_id,
        "entry": _entry_view(record.entry),
        "previous": _entry_view(record.previous) if record.previous else None,
        "announced_at": record.announced_at,
        "objection_deadline": record.objection_deadline,
        "objection_open": clock.now() < record.objection_deadline,
    }


def announced_change_view(record: SubProcessorChange, announced_to: int) -> AnnouncedChangeView:
    return AnnouncedChangeView(**_change_fields(record), announced_to_tenants=announced_to)


def _sub_processor_view(published: RegistryEntry) -> SubProcessorView:
    entry = published.entry
    return SubProcessorView(
        id=published.id,
        name=entry.name,
        purpose=entry.purpose,
        location=entry.location,
        data_categories=list(entry.data_categories),
        transfer_safeguard=entry.transfer_safeguard,
        since_version=published.since_version,
    )


def registry_view(registry: Registry) -> RegistryView:
    return RegistryView(
        version=registry.version,
        published_at=registry.published_at,
        sub_processors=[_sub_processor_view(e) for e in registry.entries],
        changes=[ChangeView(**_change_fields(c)) for c in registry.changes],
    )


def objection_view(objection: SubProcessorObjection, record: SubProcessorChange) -> ObjectionView:
    return ObjectionView(
        objection.id,
        record.id,
        record.version,
        objection.reason,
        objection.created_at,
        record.objection_deadline,
    )


def platform_objection_view(row: ObjectionRow) -> PlatformObjectionView:
    return PlatformObjectionView(
        id=row.objection.id,
        tenant_id=row.objection.tenant_id,
        tenant_slug=row.tenant_slug,
        tenant_name=row.tenant_name,
        change_id=row.change.id,
        version=row.change.version,
        kind=row.change.kind,
        sub_processor_id=row.change.sub_processor_id,
        sub_processor=str(row.change.entry["name"]),
        reason=row.objection.reason,
        objected_by=row.objection.objected_by,
        objected_at=row.objection.created_at,
        objection_deadline=row.change.objection_deadline,
    )
