"""Client admins see and set their retention periods, and the purge reports."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec
from litestar import Controller, get, put
from litestar.params import FromPath, JSONBody

from timeward.audit.log import AuditEntry
from timeward.authz.guard import requires
from timeward.retention import service
from timeward.retention.policy import default_policy
from timeward.web.dependencies import AppServices, CurrentActor, DbSession
from timeward.web.pagination import PageLimit

Days = Annotated[int, msgspec.Meta(ge=0, le=36500)]


class PeriodView(msgspec.Struct):
    category: str
    table: str
    days: int
    default_days: int
    min_days: int
    max_days: int
    configurable: bool
    overridden: bool


class PeriodChange(msgspec.Struct, forbid_unknown_fields=True):
    days: Days


class RunView(msgspec.Struct):
    started_at: datetime
    finished_at: datetime
    counts: dict[str, int]
    skipped: dict[str, Any]


def _view(period: service.Period) -> PeriodView:
    c = period.category
    return PeriodView(
        c.name,
        c.table,
        period.days,
        c.days,
        c.min_days,
        c.max_days,
        c.configurable,
        period.overridden,
    )


class RetentionController(Controller):
    path = "/api/v1/retention"
    tags = ["retention"]

    @get("/", opt=requires("retention", "read"), summary="Retention period of each category")
    async def list_periods(self, actor: CurrentActor, session: DbSession) -> list[PeriodView]:
        found = await service.periods(session, actor.require_tenant(), default_policy())
        return [_view(p) for p in found]

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
        tenant_id = actor.require_tenant()
        period = await service.set_period(
            session, tenant_id, default_policy(), category, data.days, actor.user_id
        )
        entry = AuditEntry(
            "retention.changed",
            actor.user_id,
            actor.role,
            "retention",
            None,
            details={"category": category, "days": data.days},
        )
        await services.audit.append(session, tenant_id, entry)
        return _view(period)

    @get("/runs", opt=requires("retention", "read"), summary="Recent purge reports")
    async def runs(
        self, actor: CurrentActor, session: DbSession, limit: PageLimit = 20
    ) -> list[RunView]:
        rows = await service.recent_runs(session, actor.require_tenant(), limit)
        return [RunView(r.started_at, r.finished_at, r.counts, r.skipped) for r in rows]
