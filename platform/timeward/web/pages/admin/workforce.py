"""The client admin's workforce pages: employees, users and roles, job sites and the
location setting. Each page calls the services and views of its API twin and declares a
Casbin permission of that twin (docs/web.md, "The client admin's workforce pages", says
which, and why the lists use the management permission rather than the API's read).

A form is posted as plain strings, turned into the API's own request struct (so every
rule on a field is the API's), and handed to the API's service. Input the struct or the
service refuses comes back as the same form, with the values typed and a message
naming the field, in the status the API would answer (400, 409, 422); another tenant's
id is a 404 page, like the API's 404.
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.exceptions import ValidationException
from litestar.params import FromPath, FromQuery
from sqlalchemy.ext.asyncio import AsyncSession

from tenants.employees import service as employees
from tenants.employees.models import Employee, EmployeeStatus
from tenants.employees.schemas import EmployeeChange, NewEmployee
from tenants.employees.views import employee_view
from tenants.privacy_requests import service as privacy
from tenants.privacy_requests.schemas import LiftBody
from tenants.settings import service as settings
from tenants.settings.location_change import change_location_policy
from tenants.settings.models import LocationMode
from tenants.settings.schemas import LocationSettings
from tenants.sites import service as sites
from tenants.sites.models import JobSite
from tenants.sites.schemas import NewSite, SiteChange
from tenants.sites.views import site_view
from timeward import clock
from timeward.auth.actor import Actor
from timeward.authz.enforcer import PolicyEnforcer
from timeward.authz.guard import requires
from timeward.fields import given
from timeward.identity import invitations
from timeward.identity import service as identity
from timeward.identity.models import PENDING, TenantRole, UserStatus
from timeward.identity.schemas import NewUser, UserChange
from timeward.identity.views import user_view
from timeward.paging import PageRequest, make_page
from timeward.services import Services
from timeward.web.dependencies import AppServices, CurrentActor, DbSession
from timeward.web.i18n import N_
from timeward.web.pages.admin.geofence_preview import preview
from timeward.web.pages.forms import (
    FORM_ERRORS,
    Problem,
    api_body,
    checked,
    optional,
    problem_of,
    read_form,
)
from timeward.web.pages.layout import (
    Form,
    FormData,
    page,
    page_options,
    redirect,
    render,
    viewer_for,
)
from timeward.web.pagination import RequestedPage

# The permissions of these pages (docs/web.md lists them with their API twins).
EMPLOYEE_LIST = page_options(requires("employee_contact", "read", personal_data=True))
EMPLOYEE_CREATE = page_options(requires("employees", "create", personal_data=True))
EMPLOYEE_UPDATE = page_options(requires("employees", "update", personal_data=True))
USERS_READ = page_options(requires("users", "read", personal_data=True))
SITES_MANAGE = page("sites", "update")

# The fields' names on the forms, for messages that name the field at fault.
FIELD_LABELS = {
    "name": N_("Name"),
    "work_email": N_("Work e-mail"),
    "phone": N_("Phone"),
    "postal_address": N_("Postal address"),
    "employee_number": N_("Employee number"),
    "job_title": N_("Job title"),
    "hire_date": N_("Hire date"),
    "user_id": N_("User account"),
    "site_id": N_("Site (shown in the colleague directory)"),
    "status": N_("Status"),
    "email": N_("E-mail"),
    "role": N_("Role"),
    "address": N_("Address"),
    "geofence": N_("Geofence"),
    "latitude": N_("Latitude"),
    "longitude": N_("Longitude"),
    "radius_m": N_("Radius in metres"),
    "location_mode": N_("Location mode"),
    "precise_location_days": N_("Days precise positions are kept"),
    "password": N_("Password"),
}


# ---------------------------------------------------------------------------- employees


class EmployeeForm(msgspec.Struct):
    """The employee form as posted: every field of the API's employee, as text."""

    name: str = ""
    work_email: str = ""
    phone: str = ""
    postal_address: str = ""
    employee_number: str = ""
    job_title: str = ""
    hire_date: str = ""
    user_id: str = ""
    site_id: str = ""
    status: str = EmployeeStatus.ACTIVE.value
    marketing_opt_in: str = ""
    directory_excluded: str = ""
    processing_restricted: str = ""

    @classmethod
    def of(cls, employee: Employee) -> EmployeeForm:
        return cls(
            name=employee.name,
            work_email=employee.work_email or "",
            phone=employee.phone or "",
            postal_address=employee.postal_address or "",
            employee_number=employee.employee_number or "",
            job_title=employee.job_title or "",
            hire_date=employee.hire_date.isoformat() if employee.hire_date else "",
            user_id=str(employee.user_id) if employee.user_id else "",
            site_id=str(employee.site_id) if employee.site_id else "",
            status=employee.status,
            marketing_opt_in="on" if employee.marketing_opt_in else "",
            directory_excluded="on" if employee.directory_excluded else "",
            processing_restricted="on" if employee.processing_restricted else "",
        )

    def values(self) -> dict[str, Any]:
        """The request body the API would receive (empty optional fields are null)."""
        return {
            "name": self.name,
            "work_email": optional(self.work_email),
            "phone": optional(self.phone),
            "postal_address": optional(self.postal_address),
            "employee_number": optional(self.employee_number),
            "job_title": optional(self.job_title),
            "hire_date": optional(self.hire_date),
            "user_id": optional(self.user_id),
            "site_id": optional(self.site_id),
            "marketing_opt_in": checked(self.marketing_opt_in),
            "directory_excluded": checked(self.directory_excluded),
            "processing_restricted": checked(self.processing_restricted),
        }


async def _accounts(
    request: Request[Any, Any, Any], session: AsyncSession, actor: Actor
) -> list[Any] | None:
    """The tenant's accepted user accounts an employee record may be linked to; None for
    a role that may not list users (the form then keeps the link as it is)."""
    enforcer: PolicyEnforcer = request.app.state.enforcer
    if not enforcer.allows(actor.role, actor.domain, "users", "read"):
        return None
    members = await identity.list_members(session, actor.require_tenant(), PageRequest(limit=200))
    return [user_view(member) for member in members if member.status != PENDING]


async def _employee_form(
    request: Request[Any, Any, Any],
    session: AsyncSession,
    actor: Actor,
    form: EmployeeForm,
    *,
    employee: Employee | None = None,
    problem: Problem | None = None,
) -> Response[Any]:
    return render(
        request,
        "admin/employee_form.html",
        viewer=await viewer_for(request, session, actor),
        form=form,
        employee=employee_view(employee, with_contact=True) if employee else None,
        accounts=await _accounts(request, session, actor),
        sites=await _sites_to_choose(session, actor.require_tenant(), employee),
        statuses=list(EmployeeStatus),
        problem=problem,
        labels=FIELD_LABELS,
        status_code=problem.status if problem else 200,
    )


async def _sites_to_choose(
    session: AsyncSession, tenant_id: UUID, employee: Employee | None
) -> list[JobSite]:
    """The active sites (the first 200 by name), and the employee's own if archived."""
    found = await sites.list_sites(session, tenant_id, PageRequest(limit=200), active=True)
    if employee is not None and employee.site_id not in {None, *(s.id for s in found)}:
        assert employee.site_id is not None
        found.append(await sites.get_site(session, tenant_id, employee.site_id))
    return found


def _status_filter(value: str) -> str:
    """The list's status filter: empty (any) or one of the statuses, else a 400 page."""
    if value and value not in set(EmployeeStatus):
        choices = ", ".join(EmployeeStatus)
        raise ValidationException(f"status must be empty or one of: {choices}.")
    return value


class EmployeeAdminPages(Controller):
    @get("/admin/employees", opt=EMPLOYEE_LIST, include_in_schema=False)
    async def employees(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        session: DbSession,
        page: RequestedPage,
        q: FromQuery[str] = "",
        status: FromQuery[str] = "",  # the form's "any" sends it empty
    ) -> Response[Any]:
        search = employees.search_term(q)
        status = _status_filter(status)
        rows = await employees.list_employees(
            session,
            actor.require_tenant(),
            page,
            EmployeeStatus(status) if status else None,
            search,
        )
        listed = make_page([employee_view(row, with_contact=True) for row in rows], page)
        return render(
            request,
            "admin/employees.html",
            viewer=await viewer_for(request, session, actor),
            listed=listed,
            search=search or "",
            status=status,
            statuses=list(EmployeeStatus),
        )

    @get("/admin/employees/new", opt=EMPLOYEE_CREATE, include_in_schema=False)
    async def new_employee(
        self, request: Request[Any, Any, Any], actor: CurrentActor, session: DbSession
    ) -> Response[Any]:
        return await _employee_form(request, session, actor, EmployeeForm())

    @post("/admin/employees", opt=EMPLOYEE_CREATE, include_in_schema=False)
    async def create_employee(
        self,
        request: Request[Any, Any, Any],
        data: Annotated[EmployeeForm, Form],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> Response[Any]:
        try:
            async with session.begin_nested():  # a refusal leaves nothing behind
                new = read_form(data.values(), NewEmployee)
                employee = await employees.add_employee(
                    session,
                    services.audit,
                    actor.require_tenant(),
                    msgspec.structs.asdict(new),
                    actor.acting,
                )
        except FORM_ERRORS as exc:
            problem = problem_of(exc)
            return await _employee_form(request, session, actor, data, problem=problem)
        return redirect(f"/admin/employees/{employee.id}", flash="employee_created")

    @get("/admin/employees/{employee_id:uuid}", opt=EMPLOYEE_UPDATE, include_in_schema=False)
    async def edit_employee(
        self,
        request: Request[Any, Any, Any],
        employee_id: FromPath[UUID],
        actor: CurrentActor,
        session: DbSession,
    ) -> Response[Any]:
        employee = await employees.get_employee(session, actor.require_tenant(), employee_id)
        return await _employee_form(
            request, session, actor, EmployeeForm.of(employee), employee=employee
        )

    @post("/admin/employees/{employee_id:uuid}", opt=EMPLOYEE_UPDATE, include_in_schema=False)
    async def save_employee(
        self,
        request: Request[Any, Any, Any],
        employee_id: FromPath[UUID],
        data: Annotated[EmployeeForm, Form],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> Response[Any]:
        """The whole record as the API's PATCH: what did not change is not touched, so a
        restricted record may only have its restriction lifted (the service decides)."""
        return await _change_employee(
            request, session, services, actor, employee_id, data, {"status": data.status}
        )

    @post(
        "/admin/employees/{employee_id:uuid}/deactivate",
        opt=EMPLOYEE_UPDATE,
        include_in_schema=False,
    )
    async def deactivate_employee(
        self,
        request: Request[Any, Any, Any],
        employee_id: FromPath[UUID],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> Response[Any]:
        return await _change_employee(
            request, session, services, actor, employee_id, None, {"status": EmployeeStatus.LEFT}
        )

    @post(
        "/admin/employees/{employee_id:uuid}/location-limit-lift",
        opt=EMPLOYEE_UPDATE,
        include_in_schema=False,
    )
    async def lift_location_limit(
        self,
        employee_id: FromPath[UUID],
        data: FormData,
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> Response[Any]:
        """As ``POST /api/v1/employees/{id}/location-limit-lift``, read by its body struct."""
        body = api_body(data, LiftBody)
        await privacy.lift_location_limit(
            session,
            services.audit,
            actor.require_tenant(),
            employee_id,
            actor.acting,
            body.reason,
            clock.now(),
        )
        return redirect(f"/admin/employees/{employee_id}", flash="location_limit_lifted")


async def _change_employee(
    request: Request[Any, Any, Any],
    session: AsyncSession,
    services: Services,
    actor: Actor,
    employee_id: UUID,
    form: EmployeeForm | None,
    extra: dict[str, Any],
) -> Response[Any]:
    """``change_employee`` with the form's values (or only ``extra``, for a button); a
    refusal shows the record's form again with the message and what was typed."""
    tenant_id = actor.require_tenant()
    try:
        async with session.begin_nested():  # a refusal leaves nothing behind
            values = {**(form.values() if form else {}), **extra}
            change = read_form(values, EmployeeChange)
            await employees.change_employee(
                session, services.audit, tenant_id, employee_id, given(change), actor.acting
            )
    except FORM_ERRORS as exc:
        problem = problem_of(exc)
        employee = await employees.get_employee(session, tenant_id, employee_id)
        shown = form or EmployeeForm.of(employee)
        return await _employee_form(
            request, session, actor, shown, employee=employee, problem=problem
        )
    flash = "employee_saved" if form else "employee_deactivated"
    return redirect(f"/admin/employees/{employee_id}", flash=flash)


# ------------------------------------------------------------------------------- users


class InviteForm(msgspec.Struct):
    email: str = ""
    role: str = TenantRole.EMPLOYEE.value


class MemberForm(msgspec.Struct):
    role: str = ""
    status: str = ""


async def _users_page(
    request: Request[Any, Any, Any],
    session: AsyncSession,
    actor: Actor,
    page_request: PageRequest,
    *,
    invite: InviteForm | None = None,
    problem: Problem | None = None,
) -> Response[Any]:
    members = await identity.list_members(session, actor.require_tenant(), page_request)
    return render(
        request,
        "admin/users.html",
        viewer=await viewer_for(request, session, actor),
        listed=make_page([user_view(member) for member in members], page_request),
        invite=invite or InviteForm(),
        roles=list(TenantRole),
        myself=actor.user_id,
        problem=problem,
        labels=FIELD_LABELS,
        status_code=problem.status if problem else 200,
    )


class UserAdminPages(Controller):
    @get("/admin/users", opt=USERS_READ, include_in_schema=False)
    async def users(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        session: DbSession,
        page: RequestedPage,
    ) -> Response[Any]:
        return await _users_page(request, session, actor, page)

    @post("/admin/users", opt=page("users", "create"), include_in_schema=False)
    async def invite_user(
        self,
        request: Request[Any, Any, Any],
        data: Annotated[InviteForm, Form],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> Response[Any]:
        """The API's invitation: a pending account and a single-use link by e-mail."""
        try:
            async with session.begin_nested():  # a refusal leaves nothing behind
                invitee = read_form({"email": data.email.strip(), "role": data.role}, NewUser)
                await invitations.invite_member(
                    services.database,
                    services.settings,
                    services.audit,
                    session,
                    actor.require_tenant(),
                    invitations.Invitee(invitee.email, invitee.role),
                    actor.acting,
                )
        except FORM_ERRORS as exc:
            problem = problem_of(exc)
            return await _users_page(
                request, session, actor, PageRequest(), invite=data, problem=problem
            )
        return redirect("/admin/users", flash="user_invited")

    @post("/admin/users/{user_id:uuid}", opt=page("users", "update"), include_in_schema=False)
    async def change_user(
        self,
        request: Request[Any, Any, Any],
        user_id: FromPath[UUID],
        data: Annotated[MemberForm, Form],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> Response[Any]:
        """A new role or status, as the API's PATCH (the person's sessions end)."""
        try:
            async with session.begin_nested():  # a refusal leaves nothing behind
                raw = {"role": optional(data.role), "status": optional(data.status)}
                change = read_form(raw, UserChange)
                await identity.change_member(
                    session,
                    services.audit,
                    services.auth,
                    actor.require_tenant(),
                    user_id,
                    identity.MemberChange(change.role, change.status),
                    actor.acting,
                )
        except FORM_ERRORS as exc:
            problem = problem_of(exc)
            return await _users_page(request, session, actor, PageRequest(), problem=problem)
        if change.role is not None:
            flash = "role_changed"
        else:
            flash = "user_disabled" if change.status == UserStatus.DISABLED else "user_enabled"
        return redirect("/admin/users", flash=flash)


# ------------------------------------------------------------------------------- sites


class SiteForm(msgspec.Struct):
    name: str = ""
    address: str = ""
    latitude: str = ""
    longitude: str = ""
    radius_m: str = ""
    active: str = "on"

    @classmethod
    def of(cls, site: JobSite) -> SiteForm:
        def text(value: float | int | None) -> str:
            return "" if value is None else f"{value:g}"

        return cls(
            name=site.name,
            address=site.address or "",
            latitude=text(site.geofence_latitude),
            longitude=text(site.geofence_longitude),
            radius_m=text(site.geofence_radius_m),
            active="on" if site.active else "",
        )

    def values(self) -> dict[str, Any]:
        """The API's body: no geofence when its three fields are empty."""
        fence = {"latitude": self.latitude, "longitude": self.longitude, "radius_m": self.radius_m}
        given_fence = {key: value.strip() for key, value in fence.items() if value.strip()}
        return {
            "name": self.name,
            "address": optional(self.address),
            "geofence": given_fence or None,
        }


async def _site_form(
    request: Request[Any, Any, Any],
    session: AsyncSession,
    actor: Actor,
    form: SiteForm,
    *,
    site: JobSite | None = None,
    problem: Problem | None = None,
) -> Response[Any]:
    tenant_id = actor.require_tenant()
    drawing = None
    policy = await settings.location_policy(session, tenant_id)
    shows_preview = policy.mode is not LocationMode.OFF
    if site is not None and shows_preview:
        others = await sites.list_sites(session, tenant_id, PageRequest(limit=200), None)
        drawing = preview(site, others)
    return render(
        request,
        "admin/site_form.html",
        viewer=await viewer_for(request, session, actor),
        form=form,
        site=site_view(site) if site else None,
        preview=drawing,
        shows_preview=shows_preview,
        problem=problem,
        labels=FIELD_LABELS,
        status_code=problem.status if problem else 200,
    )


class SiteAdminPages(Controller):
    @get("/admin/sites", opt=SITES_MANAGE, include_in_schema=False)
    async def sites(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        session: DbSession,
        page: RequestedPage,
    ) -> Response[Any]:
        rows = await sites.list_sites(session, actor.require_tenant(), page, None)
        return render(
            request,
            "admin/sites.html",
            viewer=await viewer_for(request, session, actor),
            listed=make_page([site_view(row) for row in rows], page),
        )

    @get("/admin/sites/new", opt=page("sites", "create"), include_in_schema=False)
    async def new_site(
        self, request: Request[Any, Any, Any], actor: CurrentActor, session: DbSession
    ) -> Response[Any]:
        return await _site_form(request, session, actor, SiteForm())

    @post("/admin/sites", opt=page("sites", "create"), include_in_schema=False)
    async def create_site(
        self,
        request: Request[Any, Any, Any],
        data: Annotated[SiteForm, Form],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> Response[Any]:
        try:
            async with session.begin_nested():  # a refusal leaves nothing behind
                new = read_form(data.values(), NewSite)
                site = await sites.add_site(
                    session,
                    services.audit,
                    actor.require_tenant(),
                    msgspec.structs.asdict(new),
                    actor.acting,
                )
        except FORM_ERRORS as exc:
            problem = problem_of(exc)
            return await _site_form(request, session, actor, data, problem=problem)
        return redirect(f"/admin/sites/{site.id}", flash="site_created")

    @get("/admin/sites/{site_id:uuid}", opt=SITES_MANAGE, include_in_schema=False)
    async def edit_site(
        self,
        request: Request[Any, Any, Any],
        site_id: FromPath[UUID],
        actor: CurrentActor,
        session: DbSession,
    ) -> Response[Any]:
        site = await sites.get_site(session, actor.require_tenant(), site_id)
        return await _site_form(request, session, actor, SiteForm.of(site), site=site)

    @post("/admin/sites/{site_id:uuid}", opt=SITES_MANAGE, include_in_schema=False)
    async def save_site(
        self,
        request: Request[Any, Any, Any],
        site_id: FromPath[UUID],
        data: Annotated[SiteForm, Form],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> Response[Any]:
        tenant_id = actor.require_tenant()
        try:
            async with session.begin_nested():  # a refusal leaves nothing behind
                change = read_form({**data.values(), "active": checked(data.active)}, SiteChange)
                await sites.change_site(
                    session, services.audit, tenant_id, site_id, given(change), actor.acting
                )
        except FORM_ERRORS as exc:
            problem = problem_of(exc)
            site = await sites.get_site(session, tenant_id, site_id)
            return await _site_form(request, session, actor, data, site=site, problem=problem)
        return redirect(f"/admin/sites/{site_id}", flash="site_saved")


# -------------------------------------------------------------------- location setting


class LocationForm(msgspec.Struct):
    location_mode: str = ""
    precise_location_days: str = ""


async def _location_page(
    request: Request[Any, Any, Any],
    session: AsyncSession,
    actor: Actor,
    *,
    form: LocationForm | None = None,
    problem: Problem | None = None,
    reduced: int = 0,
) -> Response[Any]:
    policy = await settings.location_policy(session, actor.require_tenant())
    shown = form or LocationForm(policy.mode.value, str(policy.precise_days))
    return render(
        request,
        "admin/location.html",
        viewer=await viewer_for(request, session, actor),
        policy=policy,
        explanation=settings.describe(policy),
        # what employees would read under each mode, with the retention in force
        choices=[
            (mode, settings.describe(settings.LocationPolicy(mode, policy.precise_days)))
            for mode in LocationMode
        ],
        form=shown,
        reduced=reduced,
        problem=problem,
        labels=FIELD_LABELS,
        directory=await settings.directory_setting(session, actor.require_tenant()),
        status_code=problem.status if problem else 200,
    )


class LocationAdminPages(Controller):
    @get("/admin/settings/location", opt=page("settings", "read"), include_in_schema=False)
    async def location(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        session: DbSession,
        reduced: FromQuery[int] = 0,
    ) -> Response[Any]:
        return await _location_page(request, session, actor, reduced=max(reduced, 0))

    @post("/admin/settings/location", opt=page("settings", "update"), include_in_schema=False)
    async def save_location(
        self,
        request: Request[Any, Any, Any],
        data: Annotated[LocationForm, Form],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> Response[Any]:
        """The API's PUT; the stored positions the new setting no longer allows are
        dropped at once, and the page says how many."""
        try:
            async with session.begin_nested():  # a refusal leaves nothing behind
                raw = {
                    "location_mode": data.location_mode,
                    "precise_location_days": optional(data.precise_location_days.strip()),
                }
                chosen = read_form(raw, LocationSettings)
                change = await change_location_policy(
                    session,
                    services.audit,
                    actor.require_tenant(),
                    chosen.location_mode,
                    chosen.precise_location_days,
                    actor.acting,
                )
        except FORM_ERRORS as exc:
            problem = problem_of(exc)
            return await _location_page(request, session, actor, form=data, problem=problem)
        target = "/admin/settings/location"
        if change.coordinates_reduced:
            target += f"?reduced={change.coordinates_reduced}"
        return redirect(target, flash="location_saved")

    @post("/admin/settings/directory", opt=page("settings", "update"), include_in_schema=False)
    async def save_directory(
        self,
        data: Annotated[DirectoryForm, Form],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> Response[Any]:
        """The API's ``PUT /api/v1/settings/directory``, on the same page as the location."""
        enabled = data.enabled == "on"
        await settings.set_directory_enabled(
            session, services.audit, actor.require_tenant(), enabled, actor.acting, clock.now()
        )
        return redirect("/admin/settings/location", flash="directory_saved")


class DirectoryForm(msgspec.Struct):
    enabled: Annotated[str, msgspec.Meta(pattern="^(on|off)$")]


# What web/site.py registers.
WORKFORCE_PAGES = (EmployeeAdminPages, UserAdminPages, SiteAdminPages, LocationAdminPages)
