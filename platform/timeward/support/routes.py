"""Client admins grant and revoke support access; platform staff see live grants."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, delete, get, post
from litestar.params import FromPath, JSONBody

from timeward.authz.guard import requires
from timeward.paging import Page, make_page
from timeward.support import service
from timeward.support.schemas import GrantRequestBody, GrantView
from timeward.support.views import grant_view
from timeward.web.dependencies import AppServices, CurrentActor, DbSession
from timeward.web.pagination import RequestedPage


class SupportGrantsController(Controller):
    path = "/api/v1/support-grants"
    tags = ["support access"]

    @post("/", opt=requires("support_grants", "create"), summary="Let platform staff read")
    async def create_grant(
        self,
        data: JSONBody[GrantRequestBody],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> GrantView:
        request = service.GrantRequest(data.reason, data.hours, data.staff_user_id, data.starts_at)
        grant = await service.grant_access(
            session, services.audit, actor.require_tenant(), actor.acting, request
        )
        return grant_view(grant)

    @get("/", opt=requires("support_grants", "read"), summary="This tenant's support grants")
    async def list_grants(
        self, actor: CurrentActor, session: DbSession, page: RequestedPage
    ) -> Page[GrantView]:
        grants = await service.list_grants(session, actor.require_tenant(), page)
        return make_page([grant_view(g) for g in grants], page)

    @delete(
        "/{grant_id:uuid}",
        opt=requires("support_grants", "delete"),
        summary="Revoke at once",
        status_code=200,
    )
    async def revoke_grant(
        self,
        grant_id: FromPath[UUID],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> GrantView:
        grant = await service.revoke_access(
            session, services.audit, actor.require_tenant(), grant_id, actor.acting
        )
        return grant_view(grant)


class PlatformSupportGrantsController(Controller):
    path = "/api/v1/platform/support-grants"
    tags = ["support access"]

    @get("/", opt=requires("platform_support_grants", "read"), summary="Live grants, all tenants")
    async def live_grants(self, session: DbSession, page: RequestedPage) -> Page[GrantView]:
        return make_page([grant_view(g) for g in await service.live_grants(session, page)], page)
