"""Platform staff record and follow breaches; a client admin reads and acknowledges its own."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, get, post
from litestar.params import FromPath, JSONBody

from timeward.audit.log import PLATFORM_CHAIN, AuditEntry
from timeward.authz.guard import requires
from timeward.breaches import service
from timeward.breaches.models import BreachNotice
from timeward.web.dependencies import AppServices, CurrentActor, DbSession
from timeward.web.pagination import PageLimit, PageOffset
from timeward.web.schemas import AwareDateTime, Body, Categories, OneLine, Text

Count = Annotated[int, msgspec.Meta(ge=0, le=2_000_000_000)]
ManyIds = Annotated[list[UUID], msgspec.Meta(max_length=10_000)]


class AffectedBody(msgspec.Struct, forbid_unknown_fields=True):
    """Which tenants are affected: the union of what is given (at least one)."""

    all_tenants: bool = False
    tenant_ids: ManyIds = msgspec.field(default_factory=list)
    sub_processor_ids: ManyIds = msgspec.field(default_factory=list)


class NewBreach(Body, forbid_unknown_fields=True):
    title: OneLine
    discovered_at: AwareDateTime
    description: Text
    data_categories: Categories
    subject_categories: Categories
    measures_taken: Text
    affected: AffectedBody
    approx_subjects: Count | None = None
    approx_records: Count | None = None
    likely_consequences: Text | None = None
    measures_proposed: Text | None = None
    contact_point: Text | None = None


class TenantNoticeView(msgspec.Struct):
    """One affected tenant: when it was told, and, until then, the working days left."""

    tenant_id: UUID
    tenant_slug: str
    tenant_name: str
    basis: str
    calendar: str
    due_date: date
    unnotified: bool
    working_days_left: int | None
    overdue: bool
    notified_at: datetime | None
    notified_in_time: bool | None
    recipients: int | None
    acknowledged_at: datetime | None


class IncidentSummary(msgspec.Struct):
    id: UUID
    title: str
    discovered_at: datetime
    recorded_at: datetime
    tenant_count: int
    acknowledged_count: int
    unnotified_count: int
    earliest_due: date | None
    fewest_working_days_left: int | None
    unnotified: list[TenantNoticeView]


class IncidentView(msgspec.Struct):
    id: UUID
    title: str
    discovered_at: datetime
    recorded_at: datetime
    recorded_by: UUID | None
    description: str
    data_categories: list[str]
    subject_categories: list[str]
    approx_subjects: int | None
    approx_records: int | None
    likely_consequences: str | None
    measures_taken: str
    measures_proposed: str | None
    contact_point: str
    affected: dict[str, Any]
    tenant_count: int
    acknowledged_count: int
    unnotified_count: int
    earliest_due: date | None
    fewest_working_days_left: int | None
    tenants: list[TenantNoticeView]


class BreachView(msgspec.Struct):
    """What a client admin sees: the Art. 33(3) content for its own notification."""

    id: UUID
    title: str
    discovered_at: datetime
    nature: str
    data_categories: list[str]
    subject_categories: list[str]
    approx_subjects: int | None
    approx_records: int | None
    likely_consequences: str | None
    measures_taken: str
    measures_proposed: str | None
    contact_point: str
    affected_components: list[str]
    notice_due_date: date
    notified_at: datetime | None
    acknowledged_at: datetime | None
    acknowledged_by: UUID | None


def _notice_view(status: service.NoticeStatus) -> TenantNoticeView:
    notice = status.notice
    return TenantNoticeView(
        tenant_id=notice.tenant_id,
        tenant_slug=status.tenant_slug,
        tenant_name=status.tenant_name,
        basis=notice.basis,
        calendar=status.calendar.label,
        due_date=notice.due_date,
        unnotified=status.unnotified,
        working_days_left=status.working_days_left,
        overdue=status.overdue,
        notified_at=notice.notified_at,
        notified_in_time=status.notified_in_time,
        recipients=notice.recipients,
        acknowledged_at=notice.acknowledged_at,
    )


def _counts(incident: service.Incident) -> dict[str, Any]:
    return {
        "tenant_count": len(incident.notices),
        "acknowledged_count": sum(1 for n in incident.notices if n.notice.acknowledged_at),
        "unnotified_count": len(incident.unnotified),
        "earliest_due": incident.earliest_due,
        "fewest_working_days_left": incident.fewest_working_days_left,
    }


def _summary(incident: service.Incident) -> IncidentSummary:
    breach = incident.breach
    return IncidentSummary(
        id=breach.id,
        title=breach.title,
        discovered_at=breach.discovered_at,
        recorded_at=breach.created_at,
        unnotified=[_notice_view(n) for n in incident.unnotified],
        **_counts(incident),
    )


def _incident_view(incident: service.Incident) -> IncidentView:
    breach = incident.breach
    return IncidentView(
        id=breach.id,
        title=breach.title,
        discovered_at=breach.discovered_at,
        recorded_at=breach.created_at,
        recorded_by=breach.recorded_by,
        description=breach.description,
        data_categories=list(breach.data_categories),
        subject_categories=list(breach.subject_categories),
        approx_subjects=breach.approx_subjects,
        approx_records=breach.approx_records,
        likely_consequences=breach.likely_consequences,
        measures_taken=breach.measures_taken,
        measures_proposed=breach.measures_proposed,
        contact_point=breach.contact_point,
        affected=breach.affected,
        tenants=[_notice_view(n) for n in incident.notices],
        **_counts(incident),
    )


def _breach_view(notice: BreachNotice) -> BreachView:
    content = notice.content
    return BreachView(
        id=notice.breach_id,
        title=content["title"],
        discovered_at=datetime.fromisoformat(content["discovered_at"]),
        nature=content["nature"],
        data_categories=content["data_categories"],
        subject_categories=content["subject_categories"],
        approx_subjects=content["approx_subjects"],
        approx_records=content["approx_records"],
        likely_consequences=content["likely_consequences"],
        measures_taken=content["measures_taken"],
        measures_proposed=content["measures_proposed"],
        contact_point=content["contact_point"],
        affected_components=content["affected_components"],
        notice_due_date=notice.due_date,
        notified_at=notice.notified_at,
        acknowledged_at=notice.acknowledged_at,
        acknowledged_by=notice.acknowledged_by,
    )


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
        affected = service.Affected(
            data.affected.all_tenants,
            tuple(dict.fromkeys(data.affected.tenant_ids)),
            tuple(dict.fromkeys(data.affected.sub_processor_ids)),
        )
        report = service.BreachReport(
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
        contact = services.settings.processor.breach_contact_point
        breach, tenants = await service.record(session, report, actor.user_id, contact)
        details = {
            "tenants": tenants,
            "all_tenants": affected.all_tenants,
            "named_tenants": len(affected.tenant_ids),
            "sub_processor_ids": [str(s) for s in affected.sub_processor_ids],
        }
        entry = AuditEntry(
            "breach.recorded", actor.user_id, actor.role, "breach", breach.id, details=details
        )
        await services.audit.append(session, PLATFORM_CHAIN, entry)
        return _incident_view(await service.get_incident(session, breach.id))

    @get("/", opt=requires("platform_breaches", "read"), summary="Incidents, newest first")
    async def list_breaches(
        self, session: DbSession, limit: PageLimit = 50, offset: PageOffset = 0
    ) -> list[IncidentSummary]:
        return [_summary(i) for i in await service.list_incidents(session, limit, offset)]

    @get(
        "/{breach_id:uuid}",
        opt=requires("platform_breaches", "read"),
        summary="An incident with every affected tenant's notice",
    )
    async def get_breach(self, breach_id: FromPath[UUID], session: DbSession) -> IncidentView:
        return _incident_view(await service.get_incident(session, breach_id))


class BreachesController(Controller):
    path = "/api/v1/breaches"
    tags = ["breaches"]

    @get("/", opt=requires("breaches", "read"), summary="Breaches that concern this tenant")
    async def list_breaches(
        self,
        actor: CurrentActor,
        session: DbSession,
        limit: PageLimit = 50,
        offset: PageOffset = 0,
    ) -> list[BreachView]:
        notices = await service.tenant_notices(session, actor.require_tenant(), limit, offset)
        return [_breach_view(n) for n in notices]

    @get("/{breach_id:uuid}", opt=requires("breaches", "read"), summary="One breach notice")
    async def get_breach(
        self, breach_id: FromPath[UUID], actor: CurrentActor, session: DbSession
    ) -> BreachView:
        return _breach_view(await service.tenant_notice(session, actor.require_tenant(), breach_id))

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
        tenant_id = actor.require_tenant()
        notice, first = await service.acknowledge(session, tenant_id, breach_id, actor.user_id)
        if first:
            entry = AuditEntry(
                "breach.acknowledged", actor.user_id, actor.role, "breach", breach_id
            )
            await services.audit.append(session, tenant_id, entry)
        return _breach_view(notice)
