"""Privacy requests over HTTP: the employee's own (``/me``), the client admin's queue and
decisions, and the public intake. Controllers only: parse, call the service, return the
view (:mod:`.views`); the bodies are in :mod:`.schemas`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.openapi import ResponseSpec
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_202_ACCEPTED
from sqlalchemy.ext.asyncio import AsyncSession

from tenants.employees.schemas import EmployeeView
from tenants.employees.views import employee_view
from tenants.privacy_requests import intake, messages, service
from tenants.privacy_requests.member_filing import file_for_member
from tenants.privacy_requests.models import RequestType
from tenants.privacy_requests.schemas import (
    CompletionBody,
    ErasurePreview,
    ExportPreview,
    ExtensionBody,
    IdentityBody,
    LiftBody,
    MyPrivacyRequestView,
    NewPrivacyRequest,
    PrivacyRequestSummary,
    PrivacyRequestView,
    PublicPrivacyRequest,
    PublicReceipt,
    RectificationBody,
    RefusalBody,
)
from tenants.privacy_requests.transitions import Status
from tenants.privacy_requests.views import (
    export_preview_view,
    my_view,
    my_views,
    queue_views,
    request_view,
)
from timeward import clock
from timeward.auth.actor import Actor
from timeward.auth.rate_limit import RateLimited
from timeward.authz.guard import PUBLIC, requires
from timeward.fields import given
from timeward.translations import ENGLISH, Translator
from timeward.web.dependencies import AppServices, CurrentActor, DbSession
from timeward.web.downloads import ZIP, zip_response
from timeward.web.errors import ErrorBody, too_many_requests
from timeward.web.pagination import Page, RequestedPage, make_page

GONE = {410: ResponseSpec(data_container=ErrorBody, description="The export has expired")}

# A decision or fulfilment step: (session, audit, request, by, *its arguments, now).
Step = Callable[..., Awaitable[object]]


async def decide(
    session: AsyncSession,
    services: AppServices,
    actor: Actor,
    request_id: UUID,
    step: Step,
    *arguments: object,
) -> PrivacyRequestView:
    """Lock the request, take the admin's step on it, and answer with its new view."""
    request = await service.get_request(session, actor.require_tenant(), request_id, lock=True)
    await step(session, services.audit, request, actor.acting, *arguments, clock.now())
    return await request_view(session, request)


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
                actor.acting,
                data.request_type,
                data.details,
                clock.now(),
                data.objection_target,
                service.Recipient(data.recipient.name, data.recipient.email)
                if data.recipient
                else None,
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
        return make_page(await my_views(session, rows), page)

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
        return zip_response(await service.downloadable(session, request, clock.now()))

    @post(
        "/{request_id:uuid}/transfer/confirmation",
        opt=requires("my_privacy_requests", "update"),
        summary="Confirm sending your export to the organisation you named (it is mailed an "
        "expiring link)",
        status_code=200,
        responses=GONE,
    )
    async def confirm_transfer(
        self,
        request_id: FromPath[UUID],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> MyPrivacyRequestView:
        return await transfer_step(session, services, actor, request_id, confirm=True)

    @post(
        "/{request_id:uuid}/transfer/cancellation",
        opt=requires("my_privacy_requests", "update"),
        summary="Cancel sending your export to the organisation you named (before confirming)",
        status_code=200,
    )
    async def cancel_transfer(
        self,
        request_id: FromPath[UUID],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> MyPrivacyRequestView:
        return await transfer_step(session, services, actor, request_id, confirm=False)


async def transfer_step(
    session: AsyncSession,
    services: AppServices,
    actor: Actor,
    request_id: UUID,
    *,
    confirm: bool,
    t: Translator = ENGLISH,
) -> MyPrivacyRequestView:
    """The requester confirms or cancels the transfer of their own request (the API and
    the page): anyone else's request is a 404."""
    tenant_id = actor.require_tenant()
    request = await service.my_request(session, tenant_id, actor.user_id, request_id, lock=True)
    if confirm:
        key = services.settings.resolve_master_key()
        await service.confirm_transfer(
            session, services.audit, request, actor.acting, key, clock.now()
        )
    else:
        await service.cancel_transfer(session, services.audit, request, actor.acting, clock.now())
    return await my_view(session, request, t)


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
        request_type: Annotated[
            RequestType | None,
            QueryParameter(name="type", required=False, description="One request type only"),
        ] = None,
    ) -> Page[PrivacyRequestSummary]:
        now = clock.now()
        rows = await service.list_queue(
            session,
            actor.require_tenant(),
            page,
            service.QueueFilter(status, open_only, overdue, request_type),
            now.date(),
        )
        return make_page(await queue_views(session, rows), page)

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
        return await decide(
            session, services, actor, request_id, service.verify_identity, data.method, data.note
        )

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
        return await decide(
            session, services, actor, request_id, service.extend, data.due_date, data.reason
        )

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
        return await decide(session, services, actor, request_id, service.refuse, data.reason)

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
        return await decide(session, services, actor, request_id, service.complete, data.note)

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
        return await decide(session, services, actor, request_id, service.start_export)

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
        return zip_response(await service.downloadable(session, request, clock.now()))

    @get(
        "/{request_id:uuid}/export-preview",
        opt=requires("privacy_requests", "read", personal_data=True),
        summary="What the export would hold now: tables and row counts (before building it)",
    )
    async def export_preview(
        self,
        request_id: FromPath[UUID],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> ExportPreview:
        request = await service.get_request(session, actor.require_tenant(), request_id)
        return export_preview_view(
            await service.export_preview(session, services.data_keys, request)
        )

    @get(
        "/{request_id:uuid}/erasure-preview",
        opt=requires("privacy_requests", "read", personal_data=True),
        summary="What the erasure would remove, anonymise and keep (with each basis), "
        "computed without changing anything",
    )
    async def erasure_preview(
        self,
        request_id: FromPath[UUID],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> ErasurePreview:
        request = await service.get_request(session, actor.require_tenant(), request_id)
        report = await service.erasure_preview(session, services.audit, request, clock.now())
        return ErasurePreview(report)

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
        return await decide(session, services, actor, request_id, service.start_erasure)

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
        return await decide(session, services, actor, request_id, service.rectify, given(data))

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
        return await decide(session, services, actor, request_id, service.apply_flags)

    @post(
        "/{request_id:uuid}/restriction-lift",
        opt=requires("privacy_requests", "fulfil"),
        summary="Lift the restriction the request set; the person is told first, with the "
        "reason (GDPR Art. 18(3))",
        status_code=200,
    )
    async def lift_restriction(
        self,
        request_id: FromPath[UUID],
        data: JSONBody[LiftBody],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> PrivacyRequestView:
        return await decide(
            session, services, actor, request_id, service.lift_restriction, data.reason
        )


class LocationLimitController(Controller):
    """Lifting the location limit an upheld objection set on an employee."""

    path = "/api/v1/employees"
    tags = ["privacy requests"]

    @post(
        "/{employee_id:uuid}/location-limit-lift",
        opt=requires("employees", "update"),
        summary="Lift the location limit an upheld objection set (the person is told the "
        "reason); the tenant's location mode applies to them again",
        status_code=200,
    )
    async def lift_location_limit(
        self,
        employee_id: FromPath[UUID],
        data: JSONBody[LiftBody],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> EmployeeView:
        employee = await service.lift_location_limit(
            session,
            services.audit,
            actor.require_tenant(),
            employee_id,
            actor.acting,
            data.reason,
            clock.now(),
        )
        return employee_view(employee, with_contact=True)


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
