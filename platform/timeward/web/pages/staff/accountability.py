"""Legal holds, breaches and the sub-processor registry, for platform staff. Each page
has the permission of its API twin (``/api/v1/platform/legal-holds``,
``/platform/breaches``, ``/platform/sub-processors``) and calls the same services, views
and audited helpers; a form's fields are checked by the API's own request struct."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath

from timeward.breaches import service as breaches
from timeward.breaches.routes import add_audited_follow_up, record_audited_breach
from timeward.breaches.schemas import FollowUpBody, NewBreach
from timeward.breaches.views import incident_summary, incident_view
from timeward.identity import service as identity
from timeward.identity.views import tenant_view
from timeward.instructions import service as instructions
from timeward.instructions.holds import NewHold, list_holds
from timeward.instructions.queries import kept_by_holds
from timeward.instructions.schemas import NewHoldBody, ReleaseBody
from timeward.instructions.views import hold_view
from timeward.paging import PageRequest
from timeward.subprocessors import service as subprocessors
from timeward.subprocessors.routes import (
    announcement_of,
    audited_change,
    entry_of,
    updates_of,
)
from timeward.subprocessors.schemas import NewSubProcessor, SubProcessorUpdate
from timeward.subprocessors.views import platform_objection_view, registry_view
from timeward.web.dependencies import AppServices, CurrentActor, DbSession
from timeward.web.pages.forms import optional, read_form, utc_instant
from timeward.web.pages.layout import Form, page, redirect
from timeward.web.pages.staff.layout import Field, staff_page, staff_viewer
from timeward.web.pagination import RequestedPage

FIRST_200 = PageRequest(limit=200)  # the tenants a form offers; the objections shown


class HoldForm(msgspec.Struct):
    tenant_id: Field = ""
    scope: Field = ""
    subject_id: Field = ""
    subject_user_id: Field = ""
    basis: Field = ""
    reference: Field = ""
    client_may_be_told: Field = ""
    review_on: Field = ""


class ReleaseForm(msgspec.Struct):
    reason: Field = ""


class BreachForm(msgspec.Struct):
    title: Field = ""
    discovered_at: Field = ""
    description: Field = ""
    data_categories: Field = ""
    subject_categories: Field = ""
    approx_subjects: Field = ""
    approx_records: Field = ""
    likely_consequences: Field = ""
    measures_taken: Field = ""
    measures_proposed: Field = ""
    contact_point: Field = ""
    all_tenants: Field = ""
    tenant_ids: list[str] | str = msgspec.field(default_factory=list)


class FollowUpForm(msgspec.Struct):
    information: Field = ""


class SubProcessorForm(msgspec.Struct):
    name: Field = ""
    purpose: Field = ""
    location: Field = ""
    data_categories: Field = ""
    transfer_safeguard: Field = ""
    objection_days: Field = ""
    status: Field = ""


def _words(value: str) -> list[str]:
    """A list typed one item per line or separated by commas."""
    return [part.strip() for part in value.replace("\n", ",").split(",") if part.strip()]


def _many(value: list[str] | str) -> list[str]:
    return [value] if isinstance(value, str) else value


class StaffAccountabilityPages(Controller):
    @get("/staff/legal-holds", opt=page("platform_legal_holds", "read"), include_in_schema=False)
    async def holds(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
        page: RequestedPage,
    ) -> Response[Any]:
        """Every hold, newest first, with the instructions whose rows each keeps."""
        holds = await list_holds(session, page=page)
        shown = holds[: page.limit]
        kept = await kept_by_holds(session, shown)
        tenants = await identity.list_tenants(session, FIRST_200)
        return staff_page(
            request,
            "staff/holds.html",
            await staff_viewer(request, services, actor),
            holds=[{"hold": hold_view(h), "keeps": kept.get(h.id, [])} for h in shown],
            tenants=[tenant_view(t) for t in tenants],
            next_offset=page.offset + page.limit if len(holds) > page.limit else None,
            limit=page.limit,
        )

    @post("/staff/legal-holds", opt=page("platform_legal_holds", "create"), include_in_schema=False)
    async def place_hold(
        self,
        data: Annotated[HoldForm, Form],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> Response[Any]:
        body = read_form(
            {
                "tenant_id": data.tenant_id.strip(),
                "scope": data.scope,
                "basis": data.basis.strip(),
                "reference": data.reference.strip(),
                "client_may_be_told": data.client_may_be_told == "yes",
                "subject_id": optional(data.subject_id),
                "subject_user_id": optional(data.subject_user_id),
                "review_on": optional(data.review_on),
            },
            NewHoldBody,
        )
        spec = NewHold(
            body.tenant_id,
            body.scope,
            body.basis,
            body.reference,
            body.client_may_be_told,
            body.subject_id,
            body.subject_user_id,
            body.review_on,
        )
        await instructions.place_legal_hold(
            session, services.database, services.audit, spec, actor.acting
        )
        return redirect("/staff/legal-holds", flash="hold_placed")

    @post(
        "/staff/legal-holds/{hold_id:uuid}/release",
        opt=page("platform_legal_holds", "update"),
        include_in_schema=False,
    )
    async def release_hold(
        self,
        hold_id: FromPath[UUID],
        data: Annotated[ReleaseForm, Form],
        actor: CurrentActor,
        services: AppServices,
    ) -> Response[Any]:
        body = read_form({"reason": data.reason.strip()}, ReleaseBody)
        await instructions.release_legal_hold(
            services.database, services.audit, hold_id, actor.acting, body.reason
        )
        return redirect("/staff/legal-holds", flash="hold_released")

    @get("/staff/breaches", opt=page("platform_breaches", "read"), include_in_schema=False)
    async def breaches(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
        page: RequestedPage,
    ) -> Response[Any]:
        incidents = await breaches.list_incidents(session, page)
        tenants = await identity.list_tenants(session, FIRST_200)
        return staff_page(
            request,
            "staff/breaches.html",
            await staff_viewer(request, services, actor),
            incidents=[incident_summary(i) for i in incidents[: page.limit]],
            tenants=[tenant_view(t) for t in tenants],
            next_offset=page.offset + page.limit if len(incidents) > page.limit else None,
            limit=page.limit,
        )

    @post("/staff/breaches", opt=page("platform_breaches", "create"), include_in_schema=False)
    async def record_breach(
        self,
        data: Annotated[BreachForm, Form],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> Response[Any]:
        body = read_form(
            {
                "title": data.title.strip(),
                "discovered_at": utc_instant(data.discovered_at),
                "description": data.description.strip(),
                "data_categories": _words(data.data_categories),
                "subject_categories": _words(data.subject_categories),
                "measures_taken": data.measures_taken.strip(),
                "affected": {
                    "all_tenants": data.all_tenants == "yes",
                    "tenant_ids": [t for t in _many(data.tenant_ids) if t],
                },
                "approx_subjects": optional(data.approx_subjects),
                "approx_records": optional(data.approx_records),
                "likely_consequences": optional(data.likely_consequences),
                "measures_proposed": optional(data.measures_proposed),
                "contact_point": optional(data.contact_point),
            },
            NewBreach,
        )
        breach_id = await record_audited_breach(body, actor, session, services)
        return redirect(f"/staff/breaches/{breach_id}", flash="breach_recorded")

    @get(
        "/staff/breaches/{breach_id:uuid}",
        opt=page("platform_breaches", "read"),
        include_in_schema=False,
    )
    async def breach(
        self,
        request: Request[Any, Any, Any],
        breach_id: FromPath[UUID],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> Response[Any]:
        """The record and every affected tenant's notice against its deadline."""
        incident = incident_view(
            await breaches.get_incident(session, breach_id),
            await breaches.follow_ups(session, breach_id),
        )
        return staff_page(
            request,
            "staff/breach.html",
            await staff_viewer(request, services, actor),
            incident=incident,
        )

    @post(
        "/staff/breaches/{breach_id:uuid}/follow-ups",
        opt=page("platform_breaches", "create"),
        include_in_schema=False,
    )
    async def add_follow_up(
        self,
        breach_id: FromPath[UUID],
        data: Annotated[FollowUpForm, Form],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> Response[Any]:
        """Information added in phases: it reaches every tenant the notice went to."""
        body = read_form({"information": data.information.strip()}, FollowUpBody)
        await add_audited_follow_up(breach_id, body, actor, session, services)
        return redirect(f"/staff/breaches/{breach_id}", flash="follow_up_added")

    @get(
        "/staff/sub-processors",
        opt=page("platform_sub_processor_objections", "read"),
        include_in_schema=False,
    )
    async def registry(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> Response[Any]:
        """The registry, its changes with their objection windows, and the objections."""
        registry = registry_view(await subprocessors.registry(session))
        objections = await subprocessors.list_objections(session, None, FIRST_200)
        by_change: dict[UUID, list[Any]] = {}
        for row in objections:
            view = platform_objection_view(row)
            by_change.setdefault(view.change_id, []).append(view)
        return staff_page(
            request,
            "staff/sub_processors.html",
            await staff_viewer(request, services, actor),
            registry=registry,
            objections=by_change,
            default_days=services.settings.processor.sub_processor_objection_days,
        )

    @post(
        "/staff/sub-processors",
        opt=page("platform_sub_processors", "create"),
        include_in_schema=False,
    )
    async def add_sub_processor(
        self,
        data: Annotated[SubProcessorForm, Form],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> Response[Any]:
        body = read_form(
            {
                "name": data.name.strip(),
                "purpose": data.purpose.strip(),
                "location": data.location.strip(),
                "data_categories": _words(data.data_categories),
                "transfer_safeguard": optional(data.transfer_safeguard),
                "objection_days": optional(data.objection_days),
            },
            NewSubProcessor,
        )
        announcement = announcement_of(actor, services, body.objection_days)
        record = await subprocessors.add(session, entry_of(body), announcement)
        await audited_change(session, services, actor, record)
        return redirect("/staff/sub-processors", flash="registry_changed")

    @post(
        "/staff/sub-processors/{sub_processor_id:uuid}",
        opt=page("platform_sub_processors", "update"),
        include_in_schema=False,
    )
    async def change_sub_processor(
        self,
        sub_processor_id: FromPath[UUID],
        data: Annotated[SubProcessorForm, Form],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> Response[Any]:
        """Change the fields given (an empty field stays as it is), or retire the entry."""
        fields: dict[str, Any] = {
            name: value
            for name, value in (
                ("name", data.name.strip()),
                ("purpose", data.purpose.strip()),
                ("location", data.location.strip()),
                ("transfer_safeguard", data.transfer_safeguard.strip()),
                ("status", data.status.strip()),
            )
            if value
        }
        if data.data_categories.strip():
            fields["data_categories"] = _words(data.data_categories)
        fields["objection_days"] = optional(data.objection_days)
        body = read_form(fields, SubProcessorUpdate)
        announcement = announcement_of(actor, services, body.objection_days)
        record = await subprocessors.change(
            session, sub_processor_id, updates_of(body), announcement
        )
        await audited_change(session, services, actor, record)
        return redirect("/staff/sub-processors", flash="registry_changed")
