"""The public registry, its management by platform admins, and clients' objections."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec
from litestar import Controller, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from timeward import clock
from timeward.audit.log import PLATFORM_CHAIN, AuditEntry
from timeward.auth.actor import Actor
from timeward.authz.guard import PUBLIC, requires
from timeward.db.session import Scope
from timeward.services import Services
from timeward.subprocessors import service
from timeward.subprocessors.models import SubProcessorChange
from timeward.web.dependencies import AppServices, CurrentActor, DbSession
from timeward.web.pagination import PageLimit, PageOffset
from timeward.web.schemas import Categories, OneLine

Purpose = Annotated[str, msgspec.Meta(min_length=1, max_length=2000, pattern=r"\S")]
Safeguard = Annotated[str, msgspec.Meta(min_length=1, max_length=1000, pattern=r"\S")]
ObjectionDays = Annotated[int, msgspec.Meta(ge=1, le=365)]
Version = Annotated[
    int | None, QueryParameter(ge=0, description="a past version (0: before the first change)")
]
Reason = Annotated[str, msgspec.Meta(min_length=5, max_length=4000, pattern=r"\S")]


class NewSubProcessor(msgspec.Struct, forbid_unknown_fields=True):
    name: OneLine
    purpose: Purpose
    location: OneLine
    data_categories: Categories
    transfer_safeguard: Safeguard | None = None  # None: data stays in the EEA
    objection_days: ObjectionDays | None = None  # None: the configured default


class SubProcessorUpdate(msgspec.Struct, forbid_unknown_fields=True):
    name: OneLine | msgspec.UnsetType = msgspec.UNSET
    purpose: Purpose | msgspec.UnsetType = msgspec.UNSET
    location: OneLine | msgspec.UnsetType = msgspec.UNSET
    data_categories: Categories | msgspec.UnsetType = msgspec.UNSET
    transfer_safeguard: Safeguard | msgspec.UnsetType | None = msgspec.UNSET
    status: Literal["active", "removed"] | msgspec.UnsetType = msgspec.UNSET
    objection_days: ObjectionDays | None = None


class ObjectionBody(msgspec.Struct, forbid_unknown_fields=True):
    reason: Reason


class EntryView(msgspec.Struct):
    name: str
    purpose: str
    location: str
    data_categories: list[str]
    transfer_safeguard: str | None
    status: str


class SubProcessorView(msgspec.Struct):
    id: UUID
    name: str
    purpose: str
    location: str
    data_categories: list[str]
    transfer_safeguard: str | None
    since_version: int


class ChangeView(msgspec.Struct):
    id: UUID
    version: int
    kind: str
    sub_processor_id: UUID
    entry: EntryView
    previous: EntryView | None
    announced_at: datetime
    objection_deadline: datetime
    objection_open: bool


class RegistryView(msgspec.Struct):
    version: int
    published_at: datetime | None
    sub_processors: list[SubProcessorView]
    changes: list[ChangeView]


class AnnouncedChangeView(ChangeView):
    announced_to_tenants: int


class ObjectionView(msgspec.Struct):
    id: UUID
    change_id: UUID
    version: int
    reason: str
    objected_at: datetime
    objection_deadline: datetime


class PlatformObjectionView(msgspec.Struct):
    id: UUID
    tenant_id: UUID
    tenant_slug: str
    tenant_name: str
    change_id: UUID
    version: int
    kind: str
    sub_processor_id: UUID
    sub_processor: str
    reason: str
    objected_by: UUID | None
    objected_at: datetime
    objection_deadline: datetime


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


def _registry_view(registry: service.Registry) -> RegistryView:
    return RegistryView(
        version=registry.version,
        published_at=registry.published_at,
        sub_processors=[
            SubProcessorView(
                id=e.id,
                name=e.entry.name,
                purpose=e.entry.purpose,
                location=e.entry.location,
                data_categories=list(e.entry.data_categories),
                transfer_safeguard=e.entry.transfer_safeguard,
                since_version=e.since_version,
            )
            for e in registry.entries
        ],
        changes=[ChangeView(**_change_fields(c)) for c in registry.changes],
    )


class SubProcessorsController(Controller):
    path = "/api/v1/sub-processors"
    tags = ["sub-processors"]

    @get("/", opt=PUBLIC, summary="The sub-processor registry (public); ?version=n for an old one")
    async def registry(self, services: AppServices, version: Version = None) -> RegistryView:
        async with services.database.transaction(Scope.PLATFORM, read_only=True) as session:
            return _registry_view(await service.registry(session, version))

    @post(
        "/changes/{change_id:uuid}/objections",
        opt=requires("sub_processor_objections", "create"),
        summary="Object to a registry change, within its window",
    )
    async def object_to_change(
        self,
        change_id: FromPath[UUID],
        data: JSONBody[ObjectionBody],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> ObjectionView:
        tenant_id = actor.require_tenant()
        objection, record = await service.object_to(
            session, tenant_id, change_id, data.reason.strip(), actor.user_id
        )
        entry = AuditEntry(
            "sub_processor.objected",
            actor.user_id,
            actor.role,
            "sub_processor_change",
            change_id,
            details={"version": record.version, "objection_id": str(objection.id)},
        )
        await services.audit.append(session, tenant_id, entry)
        return ObjectionView(
            objection.id,
            change_id,
            record.version,
            objection.reason,
            objection.created_at,
            record.objection_deadline,
        )


async def _audited(
    session: AsyncSession, services: Services, actor: Actor, record: SubProcessorChange
) -> AnnouncedChangeView:
    """The platform-chain event of a registry change, and its view."""
    details = {"version": record.version, "kind": record.kind, "change_id": str(record.id)}
    entry = AuditEntry(
        f"sub_processor.{record.kind}",
        actor.user_id,
        actor.role,
        "sub_processor",
        record.sub_processor_id,
        details=details,
    )
    await services.audit.append(session, PLATFORM_CHAIN, entry)
    announced = await service.announced_to(session, record.id)
    return AnnouncedChangeView(**_change_fields(record), announced_to_tenants=announced)


def _announcement(actor: Actor, services: Services, days: int | None) -> service.Announcement:
    default = services.settings.processor.sub_processor_objection_days
    return service.Announcement(actor.user_id, days or default)


class PlatformSubProcessorsController(Controller):
    path = "/api/v1/platform/sub-processors"
    tags = ["sub-processors"]

    @post(
        "/",
        opt=requires("platform_sub_processors", "create"),
        summary="Add a sub-processor (a new registry version, announced to every client)",
    )
    async def add_sub_processor(
        self,
        data: JSONBody[NewSubProcessor],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> AnnouncedChangeView:
        entry = service.Entry(
            data.name.strip(),
            data.purpose.strip(),
            data.location.strip(),
            tuple(data.data_categories),
            data.transfer_safeguard.strip() if data.transfer_safeguard else None,
        )
        announcement = _announcement(actor, services, data.objection_days)
        record = await service.add(session, entry, announcement)
        return await _audited(session, services, actor, record)

    @patch(
        "/{sub_processor_id:uuid}",
        opt=requires("platform_sub_processors", "update"),
        summary="Change or remove a sub-processor (a new registry version, announced)",
    )
    async def change_sub_processor(
        self,
        sub_processor_id: FromPath[UUID],
        data: JSONBody[SubProcessorUpdate],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> AnnouncedChangeView:
        updates: dict[str, Any] = {}
        for name in service.ENTRY_FIELDS:
            value = getattr(data, name)
            if value is msgspec.UNSET:
                continue
            if isinstance(value, str):
                value = value.strip()
            updates[name] = tuple(value) if name == "data_categories" else value
        announcement = _announcement(actor, services, data.objection_days)
        record = await service.change(session, sub_processor_id, updates, announcement)
        return await _audited(session, services, actor, record)

    @get(
        "/objections",
        opt=requires("platform_sub_processor_objections", "read"),
        summary="Clients' objections to registry changes, newest first",
    )
    async def list_objections(
        self,
        session: DbSession,
        change_id: FromQuery[UUID | None] = None,
        limit: PageLimit = 50,
        offset: PageOffset = 0,
    ) -> list[PlatformObjectionView]:
        rows = await service.list_objections(session, change_id, limit, offset)
        return [
            PlatformObjectionView(
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
            for row in rows
        ]
