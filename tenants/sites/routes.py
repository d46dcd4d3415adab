"""Job sites: every tenant role reads them (to clock in at one), client admins manage them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody

from tenants.sites import service
from tenants.sites.models import MAX_RADIUS_M, MIN_RADIUS_M, JobSite
from timeward.audit.log import AuditEntry
from timeward.authz.guard import requires
from timeward.web.dependencies import AppServices, CurrentActor, DbSession
from timeward.web.pagination import (
    Page,
    RequestedPage,
    make_page,
)
from timeward.web.schemas import UNSET, Name, Unset, given

Latitude = Annotated[float, msgspec.Meta(ge=-90, le=90, description="WGS 84 degrees")]
Longitude = Annotated[float, msgspec.Meta(ge=-180, le=180, description="WGS 84 degrees")]
Radius = Annotated[int, msgspec.Meta(ge=MIN_RADIUS_M, le=MAX_RADIUS_M, description="Metres")]
Address = Annotated[str, msgspec.Meta(min_length=1, max_length=500)]


class Geofence(msgspec.Struct, forbid_unknown_fields=True):
    latitude: Latitude
    longitude: Longitude
    radius_m: Radius


class NewSite(msgspec.Struct, forbid_unknown_fields=True):
    name: Name
    address: Address | None = None
    geofence: Geofence | None = None


class SiteChange(msgspec.Struct, forbid_unknown_fields=True):
    name: Name | Unset = UNSET
    address: Address | Unset | None = UNSET
    geofence: Geofence | Unset | None = UNSET
    active: bool | Unset = UNSET


class SiteView(msgspec.Struct):
    id: UUID
    name: str
    address: str | None
    geofence: Geofence | None
    active: bool
    created_at: datetime
    updated_at: datetime


def site_view(site: JobSite) -> SiteView:
    fence = None
    if (
        site.geofence_latitude is not None
        and site.geofence_longitude is not None
        and site.geofence_radius_m is not None
    ):
        fence = Geofence(site.geofence_latitude, site.geofence_longitude, site.geofence_radius_m)
    return SiteView(
        site.id, site.name, site.address, fence, site.active, site.created_at, site.updated_at
    )


def _columns(values: dict[str, Any]) -> dict[str, Any]:
    """Flatten the geofence into its three columns (null clears all three)."""
    if "geofence" in values:
        fence: Geofence | None = values.pop("geofence")
        values["geofence_latitude"] = fence.latitude if fence else None
        values["geofence_longitude"] = fence.longitude if fence else None
        values["geofence_radius_m"] = fence.radius_m if fence else None
    return values


class SitesController(Controller):
    path = "/api/v1/sites"
    tags = ["sites"]

    @get("/", opt=requires("sites", "read"), summary="The tenant's job sites")
    async def list_sites(
        self,
        actor: CurrentActor,
        session: DbSession,
        page: RequestedPage,
        active: FromQuery[bool | None] = None,
    ) -> Page[SiteView]:
        rows = await service.list_sites(session, actor.require_tenant(), page, active)
        return make_page([site_view(s) for s in rows], page)

    @post("/", opt=requires("sites", "create"), summary="Add a job site")
    async def create_site(
        self,
        data: JSONBody[NewSite],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> SiteView:
        tenant_id = actor.require_tenant()
        site = await service.create_site(session, tenant_id, _columns(msgspec.structs.asdict(data)))
        await services.audit.append(
            session,
            tenant_id,
            AuditEntry("site.created", actor.user_id, actor.role, "site", site.id),
        )
        return site_view(site)

    @get("/{site_id:uuid}", opt=requires("sites", "read"), summary="One job site")
    async def get_site(
        self, site_id: FromPath[UUID], actor: CurrentActor, session: DbSession
    ) -> SiteView:
        return site_view(await service.get_site(session, actor.require_tenant(), site_id))

    @patch("/{site_id:uuid}", opt=requires("sites", "update"), summary="Change or archive a site")
    async def change_site(
        self,
        site_id: FromPath[UUID],
        data: JSONBody[SiteChange],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> SiteView:
        tenant_id = actor.require_tenant()
        site, changed = await service.update_site(
            session, tenant_id, site_id, _columns(given(data))
        )
        if changed:
            await services.audit.append(
                session,
                tenant_id,
                AuditEntry(
                    "site.updated",
                    actor.user_id,
                    actor.role,
                    "site",
                    site.id,
                    details={"fields": changed},
                ),
            )
        return site_view(site)
