"""Job sites: every tenant role reads them (to clock in at one), client admins manage them.

Controllers only: parse, call the service, return the view (`sites.views`).
"""

from __future__ import annotations

from uuid import UUID

import msgspec
from litestar import Controller, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody

from tenants.sites import service
from tenants.sites.schemas import NewSite, SiteChange, SiteView
from tenants.sites.views import site_view
from timeward.authz.guard import requires
from timeward.fields import given
from timeward.web.dependencies import AppServices, CurrentActor, DbSession
from timeward.web.pagination import Page, RequestedPage, make_page


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
        site = await service.add_site(
            session,
            services.audit,
            actor.require_tenant(),
            msgspec.structs.asdict(data),
            actor.acting,
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
        site = await service.change_site(
            session, services.audit, actor.require_tenant(), site_id, given(data), actor.acting
        )
        return site_view(site)
