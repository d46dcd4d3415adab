"""The client admin's privacy-request console: the queue and one request with its
decisions. Every page has the permission of its API twin and every form calls the same
service step through the API's own ``decide`` (tenants.privacy_requests.routes); the
previews (what an export would hold, what an erasure would do, the words an extension,
a refusal or a lifted restriction sends) are the service's too. See docs/web.md."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from functools import cache
from typing import Annotated, Any, NamedTuple
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from tenants.employees.models import Employee
from tenants.employees.service import get_employee
from tenants.privacy_requests import service
from tenants.privacy_requests.models import (
    FulfilmentState,
    ObjectionTarget,
    PrivacyRequest,
    RequestType,
)
from tenants.privacy_requests.routes import decide
from tenants.privacy_requests.schemas import IdentityMethod, RectificationBody
from tenants.privacy_requests.transitions import Status
from tenants.privacy_requests.views import export_preview_view, request_view
from timeward import clock
from timeward.errors import InvalidInput, NotFound
from timeward.fields import given
from timeward.paging import PageRequest
from timeward.web.dependencies import AppServices, CurrentActor, DbSession
from timeward.web.downloads import zip_response
from timeward.web.i18n import N_
from timeward.web.pages.layout import (
    Form,
    labeller,
    page,
    page_language,
    redirect,
    render,
    time_functions,
    viewer_for,
)

BASE = "/admin/privacy-requests"
QUEUE_LIMIT = 200
Text = Annotated[str, msgspec.Meta(max_length=4000)]

IDENTITY_METHODS = {
    "in_person": N_("in person"),
    "id_document": N_("an identity document"),
    "known_contact": N_("a contact we already knew"),
    "email_confirmation": N_("a confirmation from their known e-mail address"),
    "other": N_("another way"),
}
METHOD_WORDS = {**IDENTITY_METHODS, service.SIGNED_IN: N_("their own sign-in")}
# What the flags of each type switch, in words (the service sets exactly these).
FLAG_EFFECTS = {
    RequestType.RESTRICTION: [
        N_("processing restricted: the person's data can be read but not changed; clocking "
           "in and out, edits of their record and of their time are refused until lifted"),
    ],
    RequestType.OBJECTION: [
        N_("marketing off: the person's data is no longer used for marketing"),
        N_("directory off: the person is hidden from the company directory"),
    ],
    RequestType.CONSENT_WITHDRAWAL: [
        N_("marketing off: the person's data is no longer used for marketing"),
        N_("directory off: the person is hidden from the company directory"),
    ],
}  # fmt: skip
# An objection naming what it is against switches only that (service.apply_flags).
OBJECTION_EFFECTS = {
    ObjectionTarget.LOCATION: [
        N_("location limited for this person: from precise mode to the on-site check only "
           "(no coordinates kept), from the on-site check to no location at all"),
    ],
    ObjectionTarget.DIRECTORY: [
        N_("directory off: the person is hidden from the company directory"),
    ],
    ObjectionTarget.MARKETING: [
        N_("marketing off: the person's data is no longer used for marketing"),
    ],
}  # fmt: skip
OBJECTION_TARGETS = {
    ObjectionTarget.LOCATION: N_("Against: the use of their location"),
    ObjectionTarget.DIRECTORY: N_("Against: being listed in the company directory"),
    ObjectionTarget.MARKETING: N_("Against: the use of their data for marketing"),
}
FULFILMENT_STATES = {
    FulfilmentState.NONE: N_("not yet"),
    FulfilmentState.QUEUED: N_("waiting for the job"),
    FulfilmentState.RUNNING: N_("the job is running"),
    FulfilmentState.DONE: N_("done"),
    FulfilmentState.FAILED: N_("the job failed: start it again"),
}
RECTIFIABLE_FIELDS = {
    "name": N_("Name"),
    "work_email": N_("Work e-mail"),
    "phone": N_("Phone"),
    "postal_address": N_("Postal address"),
    "job_title": N_("Job title"),
    "employee_number": N_("Employee number"),
    "hire_date": N_("Hire date"),
}
OPTIONAL_FIELDS = frozenset(RECTIFIABLE_FIELDS) - {"name"}


class IdentityForm(msgspec.Struct):
    method: IdentityMethod
    note: Text = ""


class ExtensionForm(msgspec.Struct):
    due_date: date
    reason: Text = ""


class ReasonForm(msgspec.Struct):
    reason: Text = ""


class NoteForm(msgspec.Struct):
    note: Text = ""


class ConfirmForm(msgspec.Struct):
    confirm: str = ""


class RectificationForm(msgspec.Struct):
    name: Text = ""
    work_email: Text = ""
    phone: Text = ""
    postal_address: Text = ""
    job_title: Text = ""
    employee_number: Text = ""
    hire_date: Text = ""


def _required(text: str, field: str) -> str:
    if not text.strip():
        raise InvalidInput.on_field(field, "Write the reason; the requester is told it.")
    return text


async def _subject(session: AsyncSession, request: PrivacyRequest) -> Employee | None:
    if request.subject_employee_id is None:
        return None
    try:
        return await get_employee(session, request.tenant_id, request.subject_employee_id)
    except NotFound:  # the record is gone (an erasure may delete it): the request stays
        return None


def _current(employee: Employee | None, field: str) -> str:
    if employee is None:
        return ""
    value = getattr(employee, field)
    return "" if value is None else str(value)


def _changes(form: RectificationForm, employee: Employee | None) -> dict[str, Any]:
    """The fields the admin changed (an emptied optional field is cleared), checked by the
    API's own body type."""
    raw: dict[str, Any] = {}
    for field in RECTIFIABLE_FIELDS:
        value = getattr(form, field).strip()
        if value == _current(employee, field):
            continue
        raw[field] = None if (value == "" and field in OPTIONAL_FIELDS) else value
    try:
        return given(msgspec.convert(raw, RectificationBody, strict=False))
    except msgspec.ValidationError as exc:
        raise InvalidInput(str(exc)) from exc


class QueueRow(NamedTuple):
    """A line of the queue page, its words and times already in the page's language and
    every value a ``str`` (a page of 200 lines calls no template function per line, and
    autoescaping takes its fast path: docs/performance.md)."""

    id: str
    request_type: str
    channel: str  # "public" or "employee"
    subject_name: str | None
    received: str
    identity_verified: bool
    status: str
    # the deadline's cells, the same for every line with the same due day and jurisdiction
    light: str  # the traffic light's colour
    light_word: str  # the key of its word: the colour, or "overdue"
    due_date: str  # ISO 8601, for <time datetime>
    due: str
    days_left: str


def queue_rows(
    lines: Sequence[service.QueueLine], now: datetime, language: str, time_zone: str
) -> list[QueueRow]:
    standing = service.standing_reader(now)
    times = time_functions(time_zone, language)
    when, day, label = times["when"], times["day"], cache(labeller(language))

    @cache
    def deadline(due: date, country: str, subdivision: str | None) -> tuple[str, ...]:
        days_left, light, overdue = standing(due, country, subdivision)
        word = "overdue" if overdue else light.value
        return light.value, word, due.isoformat(), day(due), str(days_left)

    return [
        QueueRow._make(
            (
                str(line.id),
                label(line.request_type),
                "public" if line.channel == "public" else "employee",
                line.subject_name,
                when(line.received_at),
                line.identity_verified,
                label(line.status),
                *deadline(line.due_date, line.calendar_country, line.calendar_subdivision),
            )
        )
        for line in lines
    ]


class PrivacyRequestPages(Controller):
    path = BASE
    include_in_schema = False

    @get("/", opt=page("privacy_requests", "read"))
    async def queue(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        session: DbSession,
        status: Annotated[Status | None, QueryParameter(required=False)] = None,
        request_type: Annotated[
            RequestType | None, QueryParameter(name="type", required=False)
        ] = None,
        overdue: Annotated[bool, QueryParameter(required=False)] = False,
    ) -> Response[Any]:
        """Open requests (or those of the chosen status), the nearest deadline first."""
        where = service.QueueFilter(status, status is None, overdue, request_type)
        now = clock.now()
        tenant_id = actor.require_tenant()
        lines = await service.list_queue_lines(
            session, tenant_id, PageRequest(limit=QUEUE_LIMIT), where, now.date()
        )
        viewer = await viewer_for(request, session, actor)
        return render(
            request,
            "admin/privacy_requests.html",
            viewer=viewer,
            rows=queue_rows(lines, now, page_language(request, viewer), viewer.time_zone),
            counts=await service.queue_counts(session, tenant_id, now.date()),
            statuses=list(Status),
            types=list(RequestType),
            chosen_status=status,
            chosen_type=request_type,
            overdue=overdue,
        )

    @get("/{request_id:uuid}", opt=page("privacy_requests", "read"))
    async def detail(
        self,
        request: Request[Any, Any, Any],
        request_id: FromPath[UUID],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
        preview: Annotated[str | None, QueryParameter(required=False)] = None,
        due_date: Annotated[date | None, QueryParameter(required=False)] = None,
        reason: Annotated[str | None, QueryParameter(required=False, max_length=4000)] = None,
    ) -> Response[Any]:
        """The request, its timeline and the decisions its status allows. ``preview`` shows
        what a step would do or send before the admin confirms it."""
        row = await service.get_request(session, actor.require_tenant(), request_id)
        now = clock.now()
        shown: dict[str, Any] = {}
        if preview == "extension" and due_date is not None:
            due, told = await service.extension_message(
                session, row, due_date, _required(reason or "", "reason"), now
            )
            shown = {
                "due": due,
                "message": await service.in_requesters_language(session, row, told),
            }
        elif preview in ("refusal", "lift"):
            text = _required(reason or "", "reason")
            compose = service.refusal_message if preview == "refusal" else service.lifting_message
            told = await compose(session, row, text)
            shown = {"message": await service.in_requesters_language(session, row, told)}
        elif preview == "export":
            shown = {"export": export_preview_view(
                await service.export_preview(session, services.data_keys, row)
            )}  # fmt: skip
        elif preview == "erasure":
            shown = {"erasure": await service.erasure_preview(session, services.audit, row, now)}
        view = await request_view(session, row)
        employee = await _subject(session, row)
        kind = RequestType(row.request_type)
        return render(
            request,
            "admin/privacy_request.html",
            viewer=await viewer_for(request, session, actor),
            item=view,
            employee=employee,
            preview=preview if shown else None,
            shown=shown,
            reason=reason or "",
            identity_methods=IDENTITY_METHODS,
            method_words=METHOD_WORDS,
            fulfilment_states=FULFILMENT_STATES,
            fields={f: (label, _current(employee, f)) for f, label in RECTIFIABLE_FIELDS.items()},
            flag_effects=(
                OBJECTION_EFFECTS[ObjectionTarget(row.objection_target)]
                if row.objection_target
                else FLAG_EFFECTS.get(kind, [])
            ),
            objection_target=(
                OBJECTION_TARGETS[ObjectionTarget(row.objection_target)]
                if row.objection_target
                else None
            ),
            kind=kind,
            is_export=kind in service.EXPORT_TYPES,
            is_flags=kind in service.FLAG_TYPES,
            idle=row.fulfilment_state not in (FulfilmentState.QUEUED, FulfilmentState.RUNNING),
            done=row.fulfilment_state == FulfilmentState.DONE,
            may_lift=kind is RequestType.RESTRICTION
            and employee is not None
            and employee.processing_restricted
            and row.fulfilment_state == FulfilmentState.DONE,
        )

    @post("/{request_id:uuid}/identity", opt=page("privacy_requests", "decide"))
    async def verify_identity(
        self,
        request_id: FromPath[UUID],
        data: Annotated[IdentityForm, Form],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> Response[Any]:
        note = data.note.strip() or None
        await decide(
            session, services, actor, request_id, service.verify_identity, data.method, note
        )
        return redirect(f"{BASE}/{request_id}", flash="identity_verified")

    @post("/{request_id:uuid}/extension", opt=page("privacy_requests", "decide"))
    async def extend(
        self,
        request_id: FromPath[UUID],
        data: Annotated[ExtensionForm, Form],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> Response[Any]:
        reason = _required(data.reason, "reason")
        await decide(session, services, actor, request_id, service.extend, data.due_date, reason)
        return redirect(f"{BASE}/{request_id}", flash="request_extended")

    @post("/{request_id:uuid}/refusal", opt=page("privacy_requests", "decide"))
    async def refuse(
        self,
        request_id: FromPath[UUID],
        data: Annotated[ReasonForm, Form],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> Response[Any]:
        reason = _required(data.reason, "reason")
        await decide(session, services, actor, request_id, service.refuse, reason)
        return redirect(f"{BASE}/{request_id}", flash="request_refused")

    @post("/{request_id:uuid}/completion", opt=page("privacy_requests", "decide"))
    async def complete(
        self,
        request_id: FromPath[UUID],
        data: Annotated[NoteForm, Form],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> Response[Any]:
        note = data.note.strip() or None
        await decide(session, services, actor, request_id, service.complete, note)
        return redirect(f"{BASE}/{request_id}", flash="request_completed")

    @post("/{request_id:uuid}/export", opt=page("privacy_requests", "fulfil"))
    async def build_export(
        self,
        request_id: FromPath[UUID],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> Response[Any]:
        await decide(session, services, actor, request_id, service.start_export)
        return redirect(f"{BASE}/{request_id}", flash="export_started")

    @get("/{request_id:uuid}/export", opt=page("privacy_requests", "read"))
    async def download(
        self, request_id: FromPath[UUID], actor: CurrentActor, session: DbSession
    ) -> Response[bytes]:
        row = await service.get_request(session, actor.require_tenant(), request_id)
        return zip_response(await service.downloadable(session, row, clock.now()))

    @post("/{request_id:uuid}/erasure", opt=page("privacy_requests", "fulfil"))
    async def erase(
        self,
        request_id: FromPath[UUID],
        data: Annotated[ConfirmForm, Form],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> Response[Any]:
        if data.confirm != "yes":
            raise InvalidInput.on_field("confirm", "Tick the box to confirm the erasure.")
        await decide(session, services, actor, request_id, service.start_erasure)
        return redirect(f"{BASE}/{request_id}", flash="erasure_started")

    @post("/{request_id:uuid}/rectification", opt=page("privacy_requests", "fulfil"))
    async def rectify(
        self,
        request_id: FromPath[UUID],
        data: Annotated[RectificationForm, Form],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> Response[Any]:
        row = await service.get_request(session, actor.require_tenant(), request_id)
        changes = _changes(data, await _subject(session, row))
        await decide(session, services, actor, request_id, service.rectify, changes)
        return redirect(f"{BASE}/{request_id}", flash="rectified")

    @post("/{request_id:uuid}/flags", opt=page("privacy_requests", "fulfil"))
    async def apply_flags(
        self,
        request_id: FromPath[UUID],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> Response[Any]:
        await decide(session, services, actor, request_id, service.apply_flags)
        return redirect(f"{BASE}/{request_id}", flash="flags_applied")

    @post("/{request_id:uuid}/restriction-lift", opt=page("privacy_requests", "fulfil"))
    async def lift_restriction(
        self,
        request_id: FromPath[UUID],
        data: Annotated[ReasonForm, Form],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> Response[Any]:
        reason = _required(data.reason, "reason")
        await decide(session, services, actor, request_id, service.lift_restriction, reason)
        return redirect(f"{BASE}/{request_id}", flash="restriction_lifted")
