"""The signed-in employee's pages: home with the clock button, my time (any week), my
data, my privacy requests, notifications. Each page is guarded by the same permission as
its API twin and calls the same services; another person's or tenant's id is a 404 page."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from tenants.directory import service as directory
from tenants.directory.views import directory_entries
from tenants.employees.models import Employee
from tenants.employees.service import employee_for_user
from tenants.locations.service import Coordinates
from tenants.privacy_requests import service as privacy
from tenants.privacy_requests.member_filing import file_for_member
from tenants.privacy_requests.models import ObjectionTarget, RequestType
from tenants.privacy_requests.routes import transfer_step
from tenants.privacy_requests.schemas import RecipientBody
from tenants.privacy_requests.views import my_view, my_views
from tenants.settings.models import LocationMode
from tenants.settings.service import describe, directory_setting, employee_location_policy
from tenants.sites.service import get_site
from tenants.time import clocking
from tenants.time import service as time
from tenants.time.models import ClockKind
from tenants.time.periods import Period, parse_week, today
from tenants.time.schemas import LocationInput
from timeward import clock
from timeward.auth.actor import Actor
from timeward.auth.rate_limit import RateLimited
from timeward.authz.enforcer import PolicyEnforcer
from timeward.errors import InvalidInput, NotFound
from timeward.notifications.service import list_for_user, mark_read
from timeward.paging import PageRequest, make_page
from timeward.web.dependencies import AppServices, CurrentActor, DbSession
from timeward.web.downloads import zip_response
from timeward.web.errors import too_many_requests
from timeward.web.i18n import N_
from timeward.web.pages.layout import (
    Form,
    page,
    page_translator,
    redirect,
    render,
    viewer_for,
)
from timeward.web.pagination import RequestedPage

REQUEST_TYPES = {
    RequestType.ACCESS: N_("Access: a copy of the personal data your employer holds about you."),
    RequestType.RECTIFICATION: N_(
        "Rectification: correct data that is wrong (say what to correct)."
    ),
    RequestType.ERASURE: N_("Erasure: delete your data, except what the law requires to keep."),
    RequestType.RESTRICTION: N_(
        "Restriction: freeze your data (no changes) while a question is open."
    ),
    RequestType.PORTABILITY: N_("Portability: your data in a machine-readable file to take along."),
    RequestType.OBJECTION: N_(
        "Objection: object to a use of your data based on legitimate interest."
    ),
    RequestType.CONSENT_WITHDRAWAL: N_("Withdrawal of consent: stop a use you had agreed to."),
}
Coordinate = Annotated[str, msgspec.Meta(max_length=32)]


class ClockForm(msgspec.Struct):
    action: Annotated[str, msgspec.Meta(pattern="^(in|out)$")]
    latitude: Coordinate = ""
    longitude: Coordinate = ""
    accuracy: Coordinate = ""


class ListingForm(msgspec.Struct):
    listed: Annotated[str, msgspec.Meta(pattern="^(yes|no)$")]


# What an objection may name; "" (the first choice) names nothing in particular.
OBJECTION_TARGETS = {
    "": N_("Marketing and the company directory (no particular one)"),
    ObjectionTarget.LOCATION: N_("The use of my location when I clock in or out"),
    ObjectionTarget.DIRECTORY: N_("Being listed in the company directory"),
    ObjectionTarget.MARKETING: N_("The use of my data for marketing"),
}


class RequestForm(msgspec.Struct):
    request_type: RequestType
    details: Annotated[str, msgspec.Meta(max_length=4000)] = ""
    objection_target: Annotated[str, msgspec.Meta(pattern="^(|location|directory|marketing)$")] = ""
    recipient_name: Annotated[str, msgspec.Meta(max_length=200)] = ""
    recipient_email: Annotated[str, msgspec.Meta(max_length=320)] = ""

    def recipient(self) -> privacy.Recipient | None:
        """Portability only (the form sends the fields with every type), checked by the
        API's own rules; both empty: none."""
        if self.request_type is not RequestType.PORTABILITY:
            return None
        name, email = self.recipient_name.strip(), self.recipient_email.strip()
        if not (name or email):
            return None
        try:
            body = msgspec.convert({"name": name, "email": email}, RecipientBody)
        except msgspec.ValidationError as exc:
            raise InvalidInput.on_field("recipient", str(exc)) from exc
        return privacy.Recipient(body.name, body.email)


async def _employee(session: AsyncSession, actor: Actor, *, lock: bool = False) -> Employee | None:
    try:
        return await employee_for_user(session, actor.require_tenant(), actor.user_id, lock=lock)
    except NotFound:
        return None


def _position(form: ClockForm) -> Coordinates | None:
    """The browser's position, checked by the API's own rules; none if it sent none."""
    if not (form.latitude and form.longitude):
        return None
    raw = {"latitude": form.latitude, "longitude": form.longitude}
    if form.accuracy:
        raw["accuracy"] = form.accuracy
    try:
        position = msgspec.convert(raw, LocationInput, strict=False)
    except msgspec.ValidationError as exc:
        raise InvalidInput.on_field("location", str(exc)) from exc
    return Coordinates(position.latitude, position.longitude, position.accuracy)


class EmployeePages(Controller):
    @get("/home", opt=page("me", "read"), include_in_schema=False)
    async def home(
        self, request: Request[Any, Any, Any], actor: CurrentActor, session: DbSession
    ) -> Response[Any]:
        tenant_id = actor.require_tenant()
        employee = await _employee(session, actor)
        limit = employee.location_limit if employee else None
        policy = await employee_location_policy(session, tenant_id, limit)
        last = (
            await clocking.last_clock_event(session, tenant_id, employee.id) if employee else None
        )
        clocked_in = last is not None and last.kind == ClockKind.IN
        site_id = (last.site_id or last.matched_site_id) if last and clocked_in else None
        site = await get_site(session, tenant_id, site_id) if site_id else None
        enforcer: PolicyEnforcer = request.app.state.enforcer
        queue = None  # the privacy-request queue's counts, for roles that may read it
        if enforcer.allows(actor.role, actor.domain, "privacy_requests", "read"):
            queue = await privacy.queue_counts(session, tenant_id, clock.now().date())
        viewer = await viewer_for(request, session, actor)
        return render(
            request,
            "home.html",
            queue=queue,
            viewer=viewer,
            employee=employee,
            clocked_in=clocked_in,
            since=last.at if clocked_in and last else None,
            site=site,
            explanation=describe(policy, page_translator(request, viewer)),
            asks_position=policy.mode is not LocationMode.OFF,
        )

    @post("/home/clock", opt=page("clock", "create"), include_in_schema=False)
    async def clock_in_or_out(
        self,
        data: Annotated[ClockForm, Form],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> Response[Any]:
        kind = ClockKind.IN if data.action == "in" else ClockKind.OUT
        await clocking.clock_for_user(
            session,
            services.data_keys,
            actor.require_tenant(),
            actor.user_id,
            kind,
            clocking.ClockRequest(location=_position(data)),
        )
        return redirect("/home", flash="clocked_in" if kind is ClockKind.IN else "clocked_out")

    @get("/my/time", opt=page("me_time", "read"), include_in_schema=False)
    async def my_time(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        session: DbSession,
        week_of: Annotated[str | None, QueryParameter(name="week")] = None,
    ) -> Response[Any]:
        tenant_id = actor.require_tenant()
        employee = await _employee(session, actor)
        viewer = await viewer_for(request, session, actor)
        # The timesheets' week, cut at Monday midnight in the tenant's zone; a ``week`` that
        # is not a Monday is the same 422 the timesheets give.
        this_week = Period.week_of(today(viewer.time_zone), viewer.time_zone)
        week = this_week if week_of is None else Period.week_of(parse_week(week_of), this_week.zone)
        entries = []
        if employee is not None:
            entries = await time.list_time_entries(
                session,
                tenant_id,
                PageRequest(limit=200),
                time.EntryFilter(employee.id, week.range),
            )
        total = sum(entry.duration_seconds for entry in entries)
        return render(
            request,
            "my_time.html",
            viewer=viewer,
            employee=employee,
            week_start=week.first_day,
            is_this_week=week == this_week,
            previous_week=week.previous().key,
            next_week=week.following().key if week.first_day < this_week.first_day else None,
            entries=entries,
            total_hours=f"{total / 3600:.2f}",
        )

    @get("/my/data", opt=page("me", "read"), include_in_schema=False)
    async def my_data(
        self, request: Request[Any, Any, Any], actor: CurrentActor, session: DbSession
    ) -> Response[Any]:
        """What the employer holds about me, as my employee record shows it."""
        tenant_id = actor.require_tenant()
        employee = await _employee(session, actor)
        limit = employee.location_limit if employee else None
        policy = await employee_location_policy(session, tenant_id, limit)
        viewer = await viewer_for(request, session, actor)
        return render(
            request,
            "my_data.html",
            viewer=viewer,
            employee=employee,
            location_mode=policy.mode,
            explanation=describe(policy, page_translator(request, viewer)),
            directory_enabled=(await directory_setting(session, tenant_id)).enabled,
        )

    @post("/my/data/directory", opt=page("me_directory", "update"), include_in_schema=False)
    async def set_listing(
        self,
        data: Annotated[ListingForm, Form],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> Response[Any]:
        """Leave the colleague directory or rejoin it, as ``PUT /api/v1/me/directory``."""
        listed = data.listed == "yes"
        await directory.set_my_listing(
            session, services.audit, actor.require_tenant(), actor.acting, listed, clock.now()
        )
        return redirect("/my/data", flash="directory_joined" if listed else "directory_left")

    @get("/my/directory", opt=page("directory", "read"), include_in_schema=False)
    async def colleagues(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        session: DbSession,
        page: RequestedPage,  # the dependency's name (shadows layout.page in here only)
    ) -> Response[Any]:
        """The colleague directory, as ``GET /api/v1/directory`` (a 404 page while off)."""
        tenant_id = actor.require_tenant()
        rows = await directory.list_directory(session, tenant_id, page)
        return render(
            request,
            "my_directory.html",
            viewer=await viewer_for(request, session, actor),
            listed=make_page(await directory_entries(session, tenant_id, rows), page),
        )

    @get("/my/privacy-requests", opt=page("my_privacy_requests", "read"), include_in_schema=False)
    async def my_requests(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        session: DbSession,
        chosen: Annotated[RequestType | None, QueryParameter(name="type")] = None,
    ) -> Response[Any]:
        rows = await privacy.list_mine(
            session, actor.require_tenant(), actor.user_id, PageRequest(limit=100)
        )
        viewer = await viewer_for(request, session, actor)
        return render(
            request,
            "my_requests.html",
            viewer=viewer,
            requests=await my_views(session, rows, page_translator(request, viewer)),
            request_types=REQUEST_TYPES,
            objection_targets=OBJECTION_TARGETS,
            chosen=chosen or RequestType.ACCESS,
        )

    @post(
        "/my/privacy-requests", opt=page("my_privacy_requests", "create"), include_in_schema=False
    )
    async def file_request(
        self,
        data: Annotated[RequestForm, Form],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> Response[Any]:
        details = data.details.strip() or None
        try:
            filed = await file_for_member(
                session,
                services.database,
                services.settings.privacy,
                services.audit,
                actor.require_tenant(),
                actor.acting,
                data.request_type,
                details,
                clock.now(),
                # the form sends its select with every type: it counts for an objection only
                ObjectionTarget(data.objection_target)
                if data.objection_target and data.request_type is RequestType.OBJECTION
                else None,
                data.recipient(),
            )
        except RateLimited as exc:
            raise too_many_requests(exc, "Too many privacy requests. Try again later.") from exc
        flash = "request_joined" if filed.joined else "request_filed"
        return redirect(f"/my/privacy-requests/{filed.request.id}", flash=flash)

    @get(
        "/my/privacy-requests/{request_id:uuid}",
        opt=page("my_privacy_requests", "read"),
        include_in_schema=False,
    )
    async def my_request(
        self,
        request: Request[Any, Any, Any],
        request_id: FromPath[UUID],
        actor: CurrentActor,
        session: DbSession,
    ) -> Response[Any]:
        row = await privacy.my_request(session, actor.require_tenant(), actor.user_id, request_id)
        viewer = await viewer_for(request, session, actor)
        view = await my_view(session, row, page_translator(request, viewer))
        return render(
            request,
            "my_request.html",
            viewer=viewer,
            item=view,
            days_left=privacy.deadline_of(row, clock.now()).days_left,
        )

    @get(
        "/my/privacy-requests/{request_id:uuid}/export",
        opt=page("my_privacy_requests", "read"),
        include_in_schema=False,
    )
    async def download_export(
        self, request_id: FromPath[UUID], actor: CurrentActor, session: DbSession
    ) -> Response[bytes]:
        """The delivered export while its link lives (404 before, a 410 page after)."""
        row = await privacy.my_request(session, actor.require_tenant(), actor.user_id, request_id)
        return zip_response(await privacy.downloadable(session, row, clock.now()))

    @post(
        "/my/privacy-requests/{request_id:uuid}/transfer/confirm",
        opt=page("my_privacy_requests", "update"),
        include_in_schema=False,
    )
    async def confirm_transfer(
        self,
        request_id: FromPath[UUID],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> Response[Any]:
        """As ``POST /api/v1/me/privacy-requests/{id}/transfer/confirmation``."""
        await transfer_step(session, services, actor, request_id, confirm=True)
        return redirect(f"/my/privacy-requests/{request_id}", flash="transfer_confirmed")

    @post(
        "/my/privacy-requests/{request_id:uuid}/transfer/cancel",
        opt=page("my_privacy_requests", "update"),
        include_in_schema=False,
    )
    async def cancel_transfer(
        self,
        request_id: FromPath[UUID],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> Response[Any]:
        """As ``POST /api/v1/me/privacy-requests/{id}/transfer/cancellation``."""
        await transfer_step(session, services, actor, request_id, confirm=False)
        return redirect(f"/my/privacy-requests/{request_id}", flash="transfer_cancelled")

    @get("/my/notifications", opt=page("my_notifications", "read"), include_in_schema=False)
    async def notifications(
        self, request: Request[Any, Any, Any], actor: CurrentActor, session: DbSession
    ) -> Response[Any]:
        rows = await list_for_user(session, actor.require_tenant(), actor.user_id)
        return render(
            request,
            "notifications.html",
            viewer=await viewer_for(request, session, actor),
            notifications=rows,
        )

    @post(
        "/my/notifications/{notification_id:uuid}/read",
        opt=page("my_notifications", "update"),
        include_in_schema=False,
    )
    async def read_notification(
        self, notification_id: FromPath[UUID], actor: CurrentActor, session: DbSession
    ) -> Response[Any]:
        if not await mark_read(session, actor.require_tenant(), actor.user_id, notification_id):
            raise NotFound("Notification")
        return redirect("/my/notifications", flash="notification_read")
