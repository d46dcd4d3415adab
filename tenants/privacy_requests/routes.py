"""Privacy requests over HTTP: the employee's own (``/me``), the client admin's queue and
decisions, and the public intake."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.openapi import ResponseSpec
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_202_ACCEPTED
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tenants.employees.models import Employee
from tenants.employees.routes import EmployeeNumber, Phone, PostalAddress
from tenants.privacy_requests import intake, messages, service
from tenants.privacy_requests.filing import file_for_member
from tenants.privacy_requests.models import PrivacyExport, PrivacyRequest, RequestType
from tenants.privacy_requests.transitions import Status, allowed_actions
from timeward import clock
from timeward.auth.actor import Actor
from timeward.auth.rate_limit import RateLimited
from timeward.authz.guard import PUBLIC, requires
from timeward.web.dependencies import AppServices, CurrentActor, DbSession
from timeward.web.errors import ErrorBody, too_many_requests
from timeward.web.pagination import (
    Page,
    RequestedPage,
    make_page,
)
from timeward.web.schemas import UNSET, Email, Name, Unset, given

Details = Annotated[str, msgspec.Meta(min_length=1, max_length=4000, pattern=r"\S")]
Reason = Annotated[
    str,
    msgspec.Meta(min_length=1, max_length=4000, pattern=r"\S", description="Sent to the requester"),
]
IdentityMethod = Literal["in_person", "id_document", "known_contact", "email_confirmation", "other"]
ZIP = "application/zip"
GONE = {410: ResponseSpec(data_container=ErrorBody, description="The export has expired")}


class NewPrivacyRequest(msgspec.Struct, forbid_unknown_fields=True):
    request_type: RequestType
    details: Details | None = None  # in your own words, optional


class PublicPrivacyRequest(msgspec.Struct, forbid_unknown_fields=True):
    email: Email
    text: Details
    request_type: RequestType = RequestType.ACCESS


class IdentityBody(msgspec.Struct, forbid_unknown_fields=True):
    method: IdentityMethod


class ExtensionBody(msgspec.Struct, forbid_unknown_fields=True):
    due_date: date
    reason: Reason


class RefusalBody(msgspec.Struct, forbid_unknown_fields=True):
    reason: Reason


class CompletionBody(msgspec.Struct, forbid_unknown_fields=True):
    note: Details | None = None


class RectificationBody(msgspec.Struct, forbid_unknown_fields=True):
    """The corrected details; only those given change (null clears an optional one)."""

    name: Name | Unset = UNSET
    work_email: Email | Unset | None = UNSET
    phone: Phone | Unset | None = UNSET
    postal_address: PostalAddress | Unset | None = UNSET
    job_title: Name | Unset | None = UNSET
    employee_number: EmployeeNumber | Unset | None = UNSET
    hire_date: date | Unset | None = UNSET


class DeadlineView(msgspec.Struct):
    due_date: date
    original_due_date: date
    latest_extension_date: date | None  # null: this jurisdiction allows no extension
    days_left: int  # 0 on the due day, negative once overdue
    traffic_light: str  # green | amber | red
    overdue: bool


class IdentityView(msgspec.Struct):
    verified: bool
    verified_at: datetime | None
    method: str | None


class FulfilmentView(msgspec.Struct):
    state: str
    requested_at: datetime | None
    fulfilled_at: datetime | None
    attempts: int
    report: dict[str, Any] | None


class ExportView(msgspec.Struct):
    id: UUID
    schema_version: str
    created_at: datetime
    expires_at: datetime
    size_bytes: int
    sha256: str
    available: bool
    download: str | None


class EventView(msgspec.Struct):
    at: datetime
    action: str
    from_status: str | None
    to_status: str
    actor_role: str | None
    message: str | None


class SubjectView(msgspec.Struct):
    employee_id: UUID | None
    user_id: UUID | None
    name: str | None


class ProcessorInstructionView(msgspec.Struct):
    requested_at: datetime | None
    instruction_id: UUID | None


class PrivacyRequestSummary(msgspec.Struct):
    id: UUID
    request_type: str
    status: str
    channel: str
    subject_name: str | None
    received_at: datetime
    deadline: DeadlineView
    identity_verified: bool
    fulfilment_state: str


class PrivacyRequestView(msgspec.Struct):
    id: UUID
    request_type: str
    status: str
    channel: str
    subject: SubjectView
    contact_email: str | None
    details: str | None
    received_at: datetime
    deadline: DeadlineView
    identity: IdentityView
    extension_reason: str | None
    refusal_reason: str | None
    completion_note: str | None
    fulfilment: FulfilmentView
    export: ExportView | None
    processor_instruction: ProcessorInstructionView
    allowed_actions: list[str]
    events: list[EventView]
    created_at: datetime
    updated_at: datetime


class ControllerView(msgspec.Struct):
    name: str
    role: str = "controller"


class MessageView(msgspec.Struct):
    at: datetime
    text: str


class MyExportView(msgspec.Struct):
    available: bool
    expires_at: datetime
    download: str | None


class MyPrivacyRequestView(msgspec.Struct):
    """What the requester sees: who decides, by when, and every answer in words."""

    id: UUID
    request_type: str
    status: str
    controller: ControllerView
    explanation: str
    received_at: datetime
    due_date: date
    original_due_date: date
    identity_verified: bool
    extension_reason: str | None
    refusal_reason: str | None
    completion_note: str | None
    messages: list[MessageView]
    export: MyExportView | None


class PublicReceipt(msgspec.Struct):
    status: str
    reference: UUID
    message: str


def _deadline(request: PrivacyRequest, now: datetime) -> DeadlineView:
    d = service.deadline_of(request, now)
    return DeadlineView(d.due, d.original_due, d.latest_extension, d.days_left, d.light, d.overdue)


def _export_view(export: PrivacyExport | None, path: str, now: datetime) -> ExportView | None:
    if export is None:
        return None
    live = export.content is not None and export.expires_at > now
    return ExportView(
        export.id,
        export.schema_version,
        export.created_at,
        export.expires_at,
        export.size_bytes,
        export.sha256,
        live,
        path if live else None,
    )


async def _subject_name(session: AsyncSession, request: PrivacyRequest) -> str | None:
    if request.subject_employee_id is None:
        return None
    return await session.scalar(
        select(Employee.name).where(
            Employee.tenant_id == request.tenant_id, Employee.id == request.subject_employee_id
        )
    )


async def request_view(session: AsyncSession, request: PrivacyRequest) -> PrivacyRequestView:
    now = clock.now()
    events = await service.timeline(session, request.tenant_id, request.id, requester_view=False)
    export = await service.latest_export(session, request.tenant_id, request.id)
    return PrivacyRequestView(
        id=request.id,
        request_type=request.request_type,
        status=request.status,
        channel=request.channel,
        subject=SubjectView(
            request.subject_employee_id,
            request.subject_user_id,
            await _subject_name(session, request),
        ),
        contact_email=request.contact_email,
        details=request.details,
        received_at=request.received_at,
        deadline=_deadline(request, now),
        identity=IdentityView(
            request.identity_verified_at is not None,
            request.identity_verified_at,
            request.identity_method,
        ),
        extension_reason=request.extension_reason,
        refusal_reason=request.refusal_reason,
        completion_note=request.completion_note,
        fulfilment=FulfilmentView(
            request.fulfilment_state,
            request.fulfilment_requested_at,
            request.fulfilled_at,
            request.fulfilment_attempts,
            request.fulfilment_report,
        ),
        export=_export_view(export, f"/api/v1/privacy-requests/{request.id}/export", now),
        processor_instruction=ProcessorInstructionView(
            request.processor_instruction_requested_at, request.processor_instruction_id
        ),
        allowed_actions=[str(a) for a in allowed_actions(request.status)],
        events=[
            EventView(e.at, e.action, e.from_status, e.to_status, e.actor_role, e.message)
            for e in events
        ],
        created_at=request.created_at,
        updated_at=request.updated_at,
    )


async def my_view(session: AsyncSession, request: PrivacyRequest) -> MyPrivacyRequestView:
    now = clock.now()
    controller = await service.tenant_name(session, request.tenant_id)
    events = await service.timeline(session, request.tenant_id, request.id, requester_view=True)
    export = await service.latest_export(session, request.tenant_id, request.id)
    mine = None
    if export is not None:
        live = export.content is not None and export.expires_at > now
        path = f"/api/v1/me/privacy-requests/{request.id}/export"
        mine = MyExportView(live, export.expires_at, path if live else None)
    verified = request.identity_verified_at is not None
    return MyPrivacyRequestView(
        id=request.id,
        request_type=request.request_type,
        status=request.status,
        controller=ControllerView(controller),
        explanation=messages.filed_summary(controller, request.due_date, verified=verified),
        received_at=request.received_at,
        due_date=request.due_date,
        original_due_date=request.original_due_date,
        identity_verified=verified,
        extension_reason=request.extension_reason,
        refusal_reason=request.refusal_reason,
        completion_note=request.completion_note,
        messages=[MessageView(e.at, e.message or "") for e in events],
        export=mine,
    )


def _zip(export: PrivacyExport) -> Response[bytes]:
    assert export.content is not None
    return Response(
        export.content,
        media_type=ZIP,
        headers={
            "Content-Disposition": f'attachment; filename="personal-data-{export.request_id}.zip"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


def _by(actor: Actor) -> service.By:
    return service.By(actor.user_id, actor.role)


class MyPrivacyRequestsController(Controller):
    """The requester's own requests; nothing here takes another person's id."""

    path = "/api/v1/me/privacy-requests"
    tags = ["privacy requests"]

    @post(
        "/",
        opt=requires("my_privacy_requests", "create"),
        summary="File a privacy request about your own data (your employer decides it)",
        responses={
            HTTP_200_OK: ResponseSpec(
                data_container=MyPrivacyRequestView,
                description="Your open request of this type, which this filing joined",
            )
        },
    )
    async def file_request(
        self,
        data: JSONBody[NewPrivacyRequest],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> Response[MyPrivacyRequestView]:
        """201 with a new request; 200 with the open one of the same type it joined."""
        try:
            filed = await file_for_member(
                session,
                services.database,
                services.settings.privacy,
                services.audit,
                actor.require_tenant(),
                _by(actor),
                data.request_type,
                data.details,
                clock.now(),
            )
        except RateLimited as exc:
            raise too_many_requests(exc, "Too many privacy requests. Try again later.") from exc
        view = await my_view(session, filed.request)
        return Response(view, status_code=HTTP_200_OK if filed.joined else HTTP_201_CREATED)

    @get("/", opt=requires("my_privacy_requests", "read"), summary="Your privacy requests")
    async def list_mine(
        self,
        actor: CurrentActor,
        session: DbSession,
        page: RequestedPage,
    ) -> Page[MyPrivacyRequestView]:
        rows = await service.list_mine(session, actor.require_tenant(), actor.user_id, page)
        return make_page([await my_view(session, r) for r in rows], page)

    @get(
        "/{request_id:uuid}",
        opt=requires("my_privacy_requests", "read"),
        summary="One of your privacy requests, with every answer",
    )
    async def get_mine(
        self, request_id: FromPath[UUID], actor: CurrentActor, session: DbSession
    ) -> MyPrivacyRequestView:
        request = await service.my_request(
            session, actor.require_tenant(), actor.user_id, request_id
        )
        return await my_view(session, request)

    @get(
        "/{request_id:uuid}/export",
        opt=requires("my_privacy_requests", "read"),
        summary="Download your data (a zip: JSON and CSV) until the link expires",
        media_type=ZIP,
        responses=GONE,
    )
    async def download_mine(
        self, request_id: FromPath[UUID], actor: CurrentActor, session: DbSession
    ) -> Response[bytes]:
        request = await service.my_request(
            session, actor.require_tenant(), actor.user_id, request_id
        )
        return _zip(await service.downloadable(session, request, clock.now()))


class PrivacyRequestsController(Controller):
    """The client admin's queue: decide and fulfil, self-service."""

    path = "/api/v1/privacy-requests"
    tags = ["privacy requests"]

    @get(
        "/",
        opt=requires("privacy_requests", "read", personal_data=True),
        summary="The queue, nearest deadline first, with a traffic light",
    )
    async def queue(
        self,
        actor: CurrentActor,
        session: DbSession,
        page: RequestedPage,
        status: FromQuery[Status | None] = None,
        open_only: Annotated[
            bool, QueryParameter(name="open", required=False, description="Open requests only")
        ] = False,
        overdue: FromQuery[bool] = False,
    ) -> Page[PrivacyRequestSummary]:
        now = clock.now()
        rows = await service.list_queue(
            session,
            actor.require_tenant(),
            page,
            service.QueueFilter(status, open_only, overdue),
            now.date(),
        )
        items = [
            PrivacyRequestSummary(
                id=r.id,
                request_type=r.request_type,
                status=r.status,
                channel=r.channel,
                subject_name=await _subject_name(session, r),
                received_at=r.received_at,
                deadline=_deadline(r, now),
                identity_verified=r.identity_verified_at is not None,
                fulfilment_state=r.fulfilment_state,
            )
            for r in rows
        ]
        return make_page(items, page)

    @get(
        "/{request_id:uuid}",
        opt=requires("privacy_requests", "read", personal_data=True),
        summary="One request with its deadline, identity, fulfilment and timeline",
    )
    async def get_request(
        self, request_id: FromPath[UUID], actor: CurrentActor, session: DbSession
    ) -> PrivacyRequestView:
        request = await service.get_request(session, actor.require_tenant(), request_id)
        return await request_view(session, request)

    async def _decide(
        self, actor: Actor, session: AsyncSession, request_id: UUID
    ) -> PrivacyRequest:
        return await service.get_request(session, actor.require_tenant(), request_id, lock=True)

    @post(
        "/{request_id:uuid}/identity",
        opt=requires("privacy_requests", "decide"),
        summary="Record that the requester's identity is verified, and how",
        status_code=200,
    )
    async def verify_identity(
        self,
        request_id: FromPath[UUID],
        data: JSONBody[IdentityBody],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> PrivacyRequestView:
        request = await self._decide(actor, session, request_id)
        await service.verify_identity(
            session, services.audit, request, _by(actor), data.method, clock.now()
        )
        return await request_view(session, request)

    @post(
        "/{request_id:uuid}/extension",
        opt=requires("privacy_requests", "decide"),
        summary="Extend the deadline (a written reason, before the original due date)",
        status_code=200,
    )
    async def extend(
        self,
        request_id: FromPath[UUID],
        data: JSONBody[ExtensionBody],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> PrivacyRequestView:
        request = await self._decide(actor, session, request_id)
        await service.extend(
            session, services.audit, request, _by(actor), data.due_date, data.reason, clock.now()
        )
        return await request_view(session, request)

    @post(
        "/{request_id:uuid}/refusal",
        opt=requires("privacy_requests", "decide"),
        summary="Refuse the request (the requester is told the reason)",
        status_code=200,
    )
    async def refuse(
        self,
        request_id: FromPath[UUID],
        data: JSONBody[RefusalBody],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> PrivacyRequestView:
        request = await self._decide(actor, session, request_id)
        await service.refuse(session, services.audit, request, _by(actor), data.reason, clock.now())
        return await request_view(session, request)

    @post(
        "/{request_id:uuid}/completion",
        opt=requires("privacy_requests", "decide"),
        summary="Complete the request once it is carried out (the requester is told)",
        status_code=200,
    )
    async def complete(
        self,
        request_id: FromPath[UUID],
        data: JSONBody[CompletionBody],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> PrivacyRequestView:
        request = await self._decide(actor, session, request_id)
        await service.complete(session, services.audit, request, _by(actor), data.note, clock.now())
        return await request_view(session, request)

    @post(
        "/{request_id:uuid}/export",
        opt=requires("privacy_requests", "fulfil"),
        summary="Build the export of an access or portability request (a job)",
        status_code=HTTP_202_ACCEPTED,
    )
    async def build_export(
        self,
        request_id: FromPath[UUID],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> PrivacyRequestView:
        request = await self._decide(actor, session, request_id)
        await service.start_export(session, services.audit, request, _by(actor), clock.now())
        return await request_view(session, request)

    @get(
        "/{request_id:uuid}/export",
        opt=requires("privacy_requests", "read", personal_data=True),
        summary="Download the export (a zip: JSON and CSV) until it expires",
        media_type=ZIP,
        responses=GONE,
    )
    async def download(
        self, request_id: FromPath[UUID], actor: CurrentActor, session: DbSession
    ) -> Response[bytes]:
        request = await service.get_request(session, actor.require_tenant(), request_id)
        return _zip(await service.downloadable(session, request, clock.now()))

    @post(
        "/{request_id:uuid}/erasure",
        opt=requires("privacy_requests", "fulfil"),
        summary="Erase the subject's data (a job; the report says what was kept and why)",
        status_code=HTTP_202_ACCEPTED,
    )
    async def erase(
        self,
        request_id: FromPath[UUID],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> PrivacyRequestView:
        request = await self._decide(actor, session, request_id)
        await service.start_erasure(session, services.audit, request, _by(actor), clock.now())
        return await request_view(session, request)

    @post(
        "/{request_id:uuid}/rectification",
        opt=requires("privacy_requests", "fulfil"),
        summary="Correct the subject's details (audited)",
        status_code=200,
    )
    async def rectify(
        self,
        request_id: FromPath[UUID],
        data: JSONBody[RectificationBody],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> PrivacyRequestView:
        request = await self._decide(actor, session, request_id)
        await service.rectify(
            session, services.audit, request, _by(actor), given(data), clock.now()
        )
        return await request_view(session, request)

    @post(
        "/{request_id:uuid}/flags",
        opt=requires("privacy_requests", "fulfil"),
        summary="Restriction: freeze the data. Objection or consent withdrawal: no marketing, "
        "out of the directory",
        status_code=200,
    )
    async def apply_flags(
        self,
        request_id: FromPath[UUID],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> PrivacyRequestView:
        request = await self._decide(actor, session, request_id)
        await service.apply_flags(session, services.audit, request, _by(actor), clock.now())
        return await request_view(session, request)


class PublicPrivacyRequestsController(Controller):
    """Anyone, no login. One answer for every address: nothing tells whether it is known."""

    path = "/api/v1/public/privacy-requests"
    tags = ["privacy requests"]
    opt = PUBLIC

    @post(
        "/",
        summary="File a privacy request with your e-mail address (routed to the employers "
        "holding data about it)",
        status_code=HTTP_202_ACCEPTED,
    )
    async def file_public(
        self,
        data: JSONBody[PublicPrivacyRequest],
        request: Request[Any, Any, Any],
        services: AppServices,
    ) -> PublicReceipt:
        submission = intake.Submission(
            data.email,
            data.request_type,
            data.text,
            request.client.host if request.client else "unknown",
        )
        try:
            reference = await intake.submit(
                services.database, services.settings.privacy, submission, clock.now()
            )
        except RateLimited as exc:
            raise too_many_requests(exc, "Too many requests. Try again later.") from exc
        return PublicReceipt("received", reference, messages.public_received())
