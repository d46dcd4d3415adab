"""Platform staff record and follow breaches; a client admin reads and acknowledges its own."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, get, post
from litestar.params import FromPath, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from timeward.audit.log import PLATFORM_CHAIN, AuditEntry
from timeward.auth.actor import Actor
from timeward.authz.guard import requires
from timeward.breaches import service
from timeward.breaches.schemas import (
    BreachView,
    FollowUpBody,
    IncidentSummary,
    IncidentView,
    NewBreach,
)
from timeward.breaches.views import breach_view, incident_summary, incident_view
from timeward.paging import Page, make_page
from timeward.services import Services
from timeward.web.dependencies import AppServices, CurrentActor, DbSession
from timeward.web.pagination import RequestedPage


def report_of(data: NewBreach) -> service.BreachReport:
    affected = service.Affected(
        data.affected.all_tenants,
        tuple(dict.fromkeys(data.affected.tenant_ids)),
        tuple(dict.fromkeys(data.affected.sub_processor_ids)),
    )
    return service.BreachReport(
        title=data.title.strip(),
        discovered_at=data.discovered_at,
        description=data.description,
        data_categories=tuple(data.data_categories),
        subject_categories=tuple(data.subject_categories),
        measures_taken=data.measures_taken,
        affected=affected,
        approx_subjects=data.approx_subjects,
        approx_records=data.approx_records,
        likely_consequences=data.likely_consequences,
        measures_proposed=data.measures_proposed,
        contact_point=data.contact_point,
    )


async def record_audited_breach(
    data: NewBreach, actor: Actor, session: AsyncSession, services: Services
) -> UUID:
    """Record a breach and its platform-chain event (the API and the staff page)."""
    report = report_of(data)
    contact = services.settings.processor.breach_contact_point
    breach, tenants = await service.record(session, report, actor.acting, contact)
    affected = report.affected
    details = {
        "tenants": tenants,
        "all_tenants": affected.all_tenants,
        "named_tenants": len(affected.tenant_ids),
        "sub_processor_ids": [str(s) for s in affected.sub_processor_ids],
    }
    entry = AuditEntry.by(actor.acting, "breach.recorded", "breach", breach.id, details)
    await services.audit.append(session, PLATFORM_CHAIN, entry)
    return breach.id


async def add_audited_follow_up(
    breach_id: UUID, data: FollowUpBody, actor: Actor, session: AsyncSession, services: Services
) -> UUID:
    """Add follow-up information and its platform-chain event (the API and the staff page)."""
    follow_up_id, tenants = await service.add_follow_up(
        session, breach_id, data.information, actor.acting
    )
    details = {"follow_up_id": str(follow_up_id), "tenants": tenants}
    entry = AuditEntry.by(actor.acting, "breach.follow_up_added", "breach", breach_id, details)
    await services.audit.append(session, PLATFORM_CHAIN, entry)
    return follow_up_id


class PlatformBreachesController(Controller):
    path = "/api/v1/platform/breaches"
    tags = ["breaches"]

    @post("/", opt=requires("platform_breaches", "create"), summary="Record a breach")
    async def record_breach(
        self,
        data: JSONBody[NewBreach],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> IncidentView:
        breach_id = await record_audited_breach(data, actor, session, services)
        return incident_view(await service.get_incident(session, breach_id))

    @get("/", opt=requires("platform_breaches", "read"), summary="Incidents, newest first")
    async def list_breaches(self, session: DbSession, page: RequestedPage) -> Page[IncidentSummary]:
        incidents = await service.list_incidents(session, page)
        return make_page([incident_summary(i) for i in incidents], page)

    @get(
        "/{breach_id:uuid}",
        opt=requires("platform_breaches", "read"),
        summary="An incident with every affected tenant's notice",
    )
    async def get_breach(self, breach_id: FromPath[UUID], session: DbSession) -> IncidentView:
        incident = await service.get_incident(session, breach_id)
        return incident_view(incident, await service.follow_ups(session, breach_id))

    @post(
        "/{breach_id:uuid}/follow-ups",
        opt=requires("platform_breaches", "create"),
        summary="Add information to a breach; it reaches every tenant its notice went to",
    )
    async def add_follow_up(
        self,
        breach_id: FromPath[UUID],
        data: JSONBody[FollowUpBody],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> IncidentView:
        await add_audited_follow_up(breach_id, data, actor, session, services)
        incident = await service.get_incident(session, breach_id)
        return incident_view(incident, await service.follow_ups(session, breach_id))


class BreachesController(Controller):
    path = "/api/v1/breaches"
    tags = ["breaches"]

    @get("/", opt=requires("breaches", "read"), summary="Breaches that concern this tenant")
    async def list_breaches(
        self, actor: CurrentActor, session: DbSession, page: RequestedPage
    ) -> Page[BreachView]:
        notices = await service.tenant_notices(session, actor.require_tenant(), page)
        return make_page([breach_view(n) for n in notices], page)

    @get("/{breach_id:uuid}", opt=requires("breaches", "read"), summary="One breach notice")
    async def get_breach(
        self, breach_id: FromPath[UUID], actor: CurrentActor, session: DbSession
    ) -> BreachView:
        return breach_view(await service.tenant_notice(session, actor.require_tenant(), breach_id))

    @post(
        "/{breach_id:uuid}/acknowledge",
        opt=requires("breaches", "acknowledge"),
        summary="Acknowledge receipt of the notice",
        status_code=200,
    )
    async def acknowledge(
        self,
        breach_id: FromPath[UUID],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> BreachView:
        notice = await service.acknowledge_notice(
            session, services.audit, actor.require_tenant(), breach_id, actor.acting
        )
        return breach_view(notice)
