"""The colleague directory for employees, and their own listing in it.

Controllers only: parse, call the service, return the view (`directory.views`).
"""

from __future__ import annotations

from litestar import Controller, get, put
from litestar.params import JSONBody

from tenants.directory import service
from tenants.directory.schemas import DirectoryEntry, MyListing, MyListingView
from tenants.directory.views import directory_entries
from timeward import clock
from timeward.authz.guard import requires
from timeward.web.dependencies import AppServices, CurrentActor, DbSession
from timeward.web.pagination import Page, RequestedPage, make_page


class DirectoryController(Controller):
    path = "/api/v1/directory"
    tags = ["directory"]

    @get(
        "/",
        opt=requires("directory", "read", personal_data=True),
        summary="The tenant's colleague directory (404 while the tenant has it off)",
    )
    async def list_directory(
        self, actor: CurrentActor, session: DbSession, page: RequestedPage
    ) -> Page[DirectoryEntry]:
        tenant_id = actor.require_tenant()
        rows = await service.list_directory(session, tenant_id, page)
        return make_page(await directory_entries(session, tenant_id, rows), page)


class MyListingController(Controller):
    path = "/api/v1/me/directory"
    tags = ["directory"]

    @get("/", opt=requires("me_directory", "read"), summary="Whether the directory lists me")
    async def get_listing(self, actor: CurrentActor, session: DbSession) -> MyListingView:
        listed, enabled = await service.my_listing(session, actor.require_tenant(), actor.user_id)
        return MyListingView(listed, enabled)

    @put(
        "/",
        opt=requires("me_directory", "update"),
        summary="Leave the directory or rejoin it (no request needed)",
    )
    async def put_listing(
        self,
        data: JSONBody[MyListing],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> MyListingView:
        listed, enabled = await service.set_my_listing(
            session, services.audit, actor.require_tenant(), actor.acting, data.listed, clock.now()
        )
        return MyListingView(listed, enabled)
