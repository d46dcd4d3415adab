"""The client admin's accountability pages: breach notices, sub-processor changes and
objections, support access, the record of processing, retention periods and the audit
log. Every handler calls the service and the view its JSON API twin calls (in
``timeward.{breaches,subprocessors,support,processing,retention,audit}``), under the
same Casbin permission; see docs/web.md ("The client admin's console")."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from sqlalchemy.ext.asyncio import AsyncSession

from timeward import clock
from timeward.audit.log import verify_tenant_chain
from timeward.audit.service import AuditFilter, list_events
from timeward.audit.views import audit_csv, audit_event_view, chain_report
from timeward.auth.actor import Actor
from timeward.authority_requests import service as authority_requests
from timeward.authority_requests.views import client_view
from timeward.breaches import service as breaches
from timeward.breaches.views import breach_view
from timeward.deadlines.rules import resolve_policy
from timeward.paging import PageRequest
from timeward.processing import service as processing
from timeward.processing.routes import record_response
from timeward.processing.schemas import DataControllerDetailsBody
from timeward.processing.views import processing_record
from timeward.retention import service as retention
from timeward.retention.policy import default_policy
from timeward.retention.schemas import PeriodChange
from timeward.retention.views import period_view
from timeward.services import Services
from timeward.subprocessors import service as subprocessors
from timeward.subprocessors.schemas import ObjectionBody
from timeward.subprocessors.views import objection_view, registry_view
from timeward.support import service as support
from timeward.support.schemas import GrantRequestBody
from timeward.support.views import grant_view
from timeward.web.dependencies import AppServices, CurrentActor, DbSession
from timeward.web.i18n import N_
from timeward.web.pages.forms import api_body
from timeward.web.pages.layout import FormData, page, redirect, render, viewer_for

LONG_LIST = PageRequest(limit=200)
AUDIT_PAGE = 100
AUDIT_EXPORT = PageRequest(limit=10_000)  # the CSV holds at most this many events
# The sections of the accountability pages (a second navigation on each of them).
SECTIONS = (
    ("/admin/breaches", N_("Breach notices")),
    ("/admin/authority-requests", N_("Requests from authorities")),
    ("/admin/sub-processors", N_("Sub-processors")),
    ("/admin/support", N_("Support access")),
    ("/admin/processing", N_("Record of processing")),
    ("/admin/retention", N_("Retention periods")),
    ("/admin/audit", N_("Audit log")),
)


class AuditQuery(msgspec.Struct, forbid_unknown_fields=True):
    """The audit log's filter form: days are whole days in the viewer's zone (UTC)."""

    action: Annotated[str, msgspec.Meta(max_length=100)] | None = None
    actor_id: UUID | None = None
    since: date | None = None
    until: date | None = None  # included
    offset: Annotated[int, msgspec.Meta(ge=0, le=10_000_000)] = 0

    def audit_filter(self) -> AuditFilter:
        def start(day: date | None) -> datetime | None:
            return datetime.combine(day, time(), tzinfo=UTC) if day else None

        until = self.until + timedelta(days=1) if self.until else None
        return AuditFilter(self.action, self.actor_id, None, start(self.since), start(until))

    def query_string(self, **changes: Any) -> str:
        values = {**msgspec.structs.asdict(self), **changes}
        return urlencode({k: str(v) for k, v in values.items() if v not in (None, "", 0)})


class AdminAccountabilityPages(Controller):
    path = "/admin"
    include_in_schema = False

    async def _render(
        self,
        request: Request[Any, Any, Any],
        session: AsyncSession,
        actor: Actor,
        template: str,
        **ctx: Any,
    ) -> Response[Any]:
        return render(
            request,
            template,
            viewer=await viewer_for(request, session, actor),
            sections=SECTIONS,
            **ctx,
        )

    # Breach notices (Art. 33(2)): what the processor told, by when it had to.

    @get("/breaches", opt=page("breaches", "read"))
    async def breaches(
        self, request: Request[Any, Any, Any], actor: CurrentActor, session: DbSession
    ) -> Response[Any]:
        notices = await breaches.tenant_notices(session, actor.require_tenant(), LONG_LIST)
        return await self._render(
            request,
            session,
            actor,
            "admin/breaches.html",
            notices=[breach_view(n) for n in notices[: LONG_LIST.limit]],
            working_days=resolve_policy(None).breaches.notice_business_days,
        )

    @get("/breaches/{breach_id:uuid}", opt=page("breaches", "read"))
    async def breach(
        self,
        request: Request[Any, Any, Any],
        breach_id: FromPath[UUID],
        actor: CurrentActor,
        session: DbSession,
    ) -> Response[Any]:
        notice = await breaches.tenant_notice(session, actor.require_tenant(), breach_id)
        return await self._render(
            request,
            session,
            actor,
            "admin/breach.html",
            item=breach_view(notice),
            working_days=resolve_policy(None).breaches.notice_business_days,
        )

    @post("/breaches/{breach_id:uuid}/acknowledge", opt=page("breaches", "acknowledge"))
    async def acknowledge(
        self,
        breach_id: FromPath[UUID],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> Response[Any]:
        await breaches.acknowledge_notice(
            session, services.audit, actor.require_tenant(), breach_id, actor.acting
        )
        return redirect(f"/admin/breaches/{breach_id}", flash="breach_acknowledged")

    # Requests from authorities: those the processor has told this client of.

    @get("/authority-requests", opt=page("authority_requests", "read"))
    async def authority_requests(
        self, request: Request[Any, Any, Any], actor: CurrentActor, session: DbSession
    ) -> Response[Any]:
        found = await authority_requests.client_requests(session, actor.require_tenant(), LONG_LIST)
        return await self._render(
            request,
            session,
            actor,
            "admin/authority_requests.html",
            items=[client_view(r) for r in found[: LONG_LIST.limit]],
        )

    # Sub-processors (Art. 28(2), (4)): the registry, open windows, objections.

    @get("/sub-processors", opt=page("sub_processor_objections", "create"))
    async def sub_processors(
        self, request: Request[Any, Any, Any], actor: CurrentActor, session: DbSession
    ) -> Response[Any]:
        registry = registry_view(await subprocessors.registry(session))
        # in the tenant's scope, row-level security leaves only its own objections
        rows = await subprocessors.list_objections(session, None, LONG_LIST)
        objections = {row.change.id: objection_view(row.objection, row.change) for row in rows}
        return await self._render(
            request,
            session,
            actor,
            "admin/sub_processors.html",
            registry=registry,
            changes=sorted(registry.changes, key=lambda c: c.version, reverse=True),
            objections=objections,
        )

    @post(
        "/sub-processors/changes/{change_id:uuid}/objections",
        opt=page("sub_processor_objections", "create"),
    )
    async def object_to(
        self,
        change_id: FromPath[UUID],
        data: FormData,
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> Response[Any]:
        body = api_body(data, ObjectionBody)
        await subprocessors.object_to_change(
            session, services.audit, actor.require_tenant(), change_id, body.reason, actor.acting
        )
        return redirect("/admin/sub-processors", flash="objection_sent")

    # Support access: grants, and what support read under them (from the audit log).

    @get("/support", opt=page("support_grants", "read"))
    async def support(
        self, request: Request[Any, Any, Any], actor: CurrentActor, session: DbSession
    ) -> Response[Any]:
        tenant_id = actor.require_tenant()
        grants = [grant_view(g) for g in await support.list_grants(session, tenant_id, LONG_LIST)]
        reads = await list_events(
            session,
            tenant_id,
            AuditFilter(action="personal_data.read", actor_role=support.SUPPORT_ROLE),
            LONG_LIST,
        )
        return await self._render(
            request,
            session,
            actor,
            "admin/support.html",
            grants=grants[: LONG_LIST.limit],
            reasons={str(g.id): g.reason for g in grants},
            reads=[audit_event_view(e) for e in reads[: LONG_LIST.limit]],
            now=clock.now(),
        )

    @post("/support", opt=page("support_grants", "create"))
    async def grant(
        self, data: FormData, actor: CurrentActor, session: DbSession, services: AppServices
    ) -> Response[Any]:
        body = api_body(data, GrantRequestBody)
        request = support.GrantRequest(body.reason, body.hours, body.staff_user_id, body.starts_at)
        await support.grant_access(
            session, services.audit, actor.require_tenant(), actor.acting, request
        )
        return redirect("/admin/support", flash="support_granted")

    @post("/support/{grant_id:uuid}/revoke", opt=page("support_grants", "delete"))
    async def revoke(
        self,
        grant_id: FromPath[UUID],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> Response[Any]:
        await support.revoke_access(
            session, services.audit, actor.require_tenant(), grant_id, actor.acting
        )
        return redirect("/admin/support", flash="support_revoked")

    # The record of processing (Art. 30(2)) and the controller's own details for it.

    @get("/processing", opt=page("processing_records", "read"))
    async def processing_record(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> Response[Any]:
        sources = await processing.record_sources(session, actor.require_tenant())
        return await self._render(
            request,
            session,
            actor,
            "admin/processing.html",
            record=processing_record(sources, services.settings.processor),
        )

    async def _record_file(
        self, actor: Actor, session: AsyncSession, services: Services, html: bool
    ) -> Response[Any]:
        sources = await processing.record_sources(session, actor.require_tenant())
        response = record_response(processing_record(sources, services.settings.processor), html)
        filename = f"record-of-processing-{sources.tenant.slug}.{'html' if html else 'json'}"
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    @get("/processing/record.json", opt=page("processing_records", "read"))
    async def record_json(
        self, actor: CurrentActor, session: DbSession, services: AppServices
    ) -> Response[Any]:
        return await self._record_file(actor, session, services, html=False)

    @get("/processing/record.html", opt=page("processing_records", "read"))
    async def record_html(
        self, actor: CurrentActor, session: DbSession, services: AppServices
    ) -> Response[Any]:
        """The readable record (its own strict policy: no script, its inline style only)."""
        return await self._record_file(actor, session, services, html=True)

    @post("/processing/controller", opt=page("processing_records", "update"))
    async def set_controller_details(
        self, data: FormData, actor: CurrentActor, session: DbSession, services: AppServices
    ) -> Response[Any]:
        body = api_body(data, DataControllerDetailsBody)
        given = processing.DataControllerContact(body.contact, body.dpo, body.representative)
        await processing.update_data_controller_details(
            session, services.audit, actor.require_tenant(), given, actor.acting
        )
        return redirect("/admin/processing", flash="controller_details_saved")

    # Retention periods per category.

    @get("/retention", opt=page("retention", "read"))
    async def retention_periods(
        self, request: Request[Any, Any, Any], actor: CurrentActor, session: DbSession
    ) -> Response[Any]:
        periods = await retention.period_page(
            session, actor.require_tenant(), default_policy(), LONG_LIST
        )
        return await self._render(
            request,
            session,
            actor,
            "admin/retention.html",
            periods=[period_view(p) for p in periods[: LONG_LIST.limit]],
        )

    @post("/retention/{category:str}", opt=page("retention", "update"))
    async def set_retention(
        self,
        category: FromPath[str],
        data: FormData,
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> Response[Any]:
        body = api_body(data, PeriodChange)
        await retention.change_period(
            session,
            services.audit,
            actor.require_tenant(),
            default_policy(),
            category,
            body.days,
            actor.acting,
        )
        return redirect("/admin/retention", flash="retention_saved")

    # The audit log: filter, verify the chain, export.

    @get("/audit", opt=page("audit_events", "read"))
    async def audit_log(
        self, request: Request[Any, Any, Any], actor: CurrentActor, session: DbSession
    ) -> Response[Any]:
        query = api_body(dict(request.query_params), AuditQuery)
        paging = PageRequest(limit=AUDIT_PAGE, offset=query.offset)
        events = await list_events(session, actor.require_tenant(), query.audit_filter(), paging)
        more = len(events) > AUDIT_PAGE
        return await self._render(
            request,
            session,
            actor,
            "admin/audit.html",
            query=query,
            events=[audit_event_view(e) for e in events[:AUDIT_PAGE]],
            next_page=query.query_string(offset=query.offset + AUDIT_PAGE) if more else None,
            export_query=query.query_string(offset=0),
        )

    @get("/audit/verify", opt=page("audit_events", "read"))
    async def verify_audit_log(
        self, request: Request[Any, Any, Any], actor: CurrentActor, session: DbSession
    ) -> Response[Any]:
        report = chain_report(await verify_tenant_chain(session, actor.require_tenant()))
        return await self._render(request, session, actor, "admin/audit_verify.html", report=report)

    @get("/audit/export.csv", opt=page("audit_events", "read"))
    async def export_audit_log(
        self, request: Request[Any, Any, Any], actor: CurrentActor, session: DbSession
    ) -> Response[str]:
        query = api_body(dict(request.query_params), AuditQuery)
        events = await list_events(
            session, actor.require_tenant(), query.audit_filter(), AUDIT_EXPORT
        )
        return Response(
            audit_csv(events[: AUDIT_EXPORT.limit]),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="audit-log.csv"'},
        )
