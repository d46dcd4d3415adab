"""Client admins see and set their retention periods, and the purge reports."""

from __future__ import annotations

from litestar import Controller, get, put
from litestar.params import FromPath, JSONBody

from timeward.authz.guard import requires
from timeward.paging import Page, make_page
from timeward.retention import service
from timeward.retention.policy import default_policy
from timeward.retention.schemas import PeriodChange, PeriodView, RunView
from timeward.retention.views import period_view, run_view
from timeward.web.dependencies import AppServices, CurrentActor, DbSession
from timeward.web.pagination import RequestedPage


class RetentionController(Controller):
    path = "/api/v1/retention"
    tags = ["retention"]

    @get("/", opt=requires("retention", "read"), summary="Retention period of each category")
    async def list_periods(
        self, actor: CurrentActor, session: DbSession, page: RequestedPage
    ) -> Page[PeriodView]:
        found = await service.period_page(session, actor.require_tenant(), default_policy(), page)
        return make_page([period_view(p) for p in found], page)

    @put(
        "/{category:str}",
        opt=requires("retention", "update"),
        summary="Set this tenant's period for a category (within the policy's bounds)",
    )
    async def set_period(
        self,
        category: FromPath[str],
        data: JSONBody[PeriodChange],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> PeriodView:
        period = await service.change_period(
            session,
            services.audit,
            actor.require_tenant(),
            default_policy(),
            category,
            data.days,
            actor.acting,
        )
        return period_view(period)

    @get("/runs", opt=requires("retention", "read"), summary="Recent purge reports")
    async def runs(
        self, actor: CurrentActor, session: DbSession, page: RequestedPage
    ) -> Page[RunView]:
        rows = await service.recent_runs(session, actor.require_tenant(), page)
        return make_page([run_view(r) for r in rows], page)
