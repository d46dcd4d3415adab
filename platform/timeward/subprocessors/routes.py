"""The public registry, its management by platform admins, and clients' objections."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from timeward.audit.log import PLATFORM_CHAIN, AuditEntry
from timeward.auth.actor import Actor
from timeward.authz.guard import PUBLIC, requires
from timeward.db.session import Scope
from timeward.paging import Page, make_page
from timeward.services import Services
from timeward.subprocessors import service
from timeward.subprocessors.models import SubProcessorChange
from timeward.subprocessors.schemas import (
    AnnouncedChangeView,
    NewSubProcessor,
    ObjectionBody,
    ObjectionView,
    PlatformObjectionView,
    RegistryView,
    SubProcessorUpdate,
)
from timeward.subprocessors.views import (
    announced_change_view,
    objection_view,
    platform_objection_view,
    registry_view,
)
from timeward.web.dependencies import AppServices, CurrentActor, DbSession
from timeward.web.pagination import RequestedPage

Version = Annotated[
    int | None, QueryParameter(ge=0, description="a past version (0: before the first change)")
]


class SubProcessorsController(Controller):
    path = "/api/v1/sub-processors"
    tags = ["sub-processors"]

    @get("/", opt=PUBLIC, summary="The sub-processor registry (public); ?version=n for an old one")
    async def registry(self, services: AppServices, version: Version = None) -> RegistryView:
        async with services.database.transaction(Scope.PLATFORM, read_only=True) as session:
            return registry_view(await service.registry(session, version))

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
        objection, record = await service.object_to_change(
            session, services.audit, actor.require_tenant(), change_id, data.reason, actor.acting
        )
        return objection_view(objection, record)


async def audited_change(
    session: AsyncSession, services: Services, actor: Actor, record: SubProcessorChange
) -> AnnouncedChangeView:
    """The platform-chain event of a registry change, and its view."""
    details = {"version": record.version, "kind": record.kind, "change_id": str(record.id)}
    entry = AuditEntry.by(
        actor.acting,
        f"sub_processor.{record.kind}",
        "sub_processor",
        record.sub_processor_id,
        details,
    )
    await services.audit.append(session, PLATFORM_CHAIN, entry)
    return announced_change_view(record, await service.announced_to(session, record.id))


def announcement_of(actor: Actor, services: Services, days: int | None) -> service.Announcement:
    default = services.settings.processor.sub_processor_objection_days
    return service.Announcement(actor.acting, days or default)


def entry_of(data: NewSubProcessor) -> service.Entry:
    return service.Entry(
        data.name.strip(),
        data.purpose.strip(),
        data.location.strip(),
        tuple(data.data_categories),
        data.transfer_safeguard.strip() if data.transfer_safeguard else None,
    )


def updates_of(data: SubProcessorUpdate) -> dict[str, Any]:
    """The entry fields given, trimmed; the rest stay as they are."""
    updates: dict[str, Any] = {}
    for name in service.ENTRY_FIELDS:
        value = getattr(data, name)
        if value is msgspec.UNSET:
            continue
        if isinstance(value, str):
            value = value.strip()
        updates[name] = tuple(value) if name == "data_categories" else value
    return updates


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
        announcement = announcement_of(actor, services, data.objection_days)
        record = await service.add(session, entry_of(data), announcement)
        return await audited_change(session, services, actor, record)

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
        announcement = announcement_of(actor, services, data.objection_days)
        record = await service.change(session, sub_processor_id, updates_of(data), announcement)
        return await audited_change(session, services, actor, record)

    @get(
        "/objections",
        opt=requires("platform_sub_processor_objections", "read"),
        summary="Clients' objections to registry changes, newest first",
    )
    async def list_objections(
        self,
        session: DbSession,
        page: RequestedPage,
        change_id: FromQuery[UUID | None] = None,
    ) -> Page[PlatformObjectionView]:
        rows = await service.list_objections(session, change_id, page)
        return make_page([platform_objection_view(row) for row in rows], page)
