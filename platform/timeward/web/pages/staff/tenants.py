"""Tenants (list, create with the first admin invited, suspend and reactivate), support
access (the grants staff hold, entering a tenant under one, its read-only pages) and the
staff team (invitations). Each page has the permission of its API twin
(``/api/v1/platform/tenants``, ``/platform/support-grants``, ``/platform/staff``,
``/api/v1/employees`` for the support reader) and calls the same services and views."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath

from tenants.employees import service as employees
from tenants.employees.views import employee_view, may_see_contact
from timeward.audit.log import AuditEntry
from timeward.auth.staff_sessions import set_support_tenant
from timeward.authz.guard import requires
from timeward.errors import NotFound
from timeward.identity import invitations, staff
from timeward.identity import service as identity
from timeward.identity.schemas import NewStaff, NewTenantRequest, StaffChangeBody, TenantChange
from timeward.identity.views import staff_member_view, tenant_view
from timeward.paging import PageRequest
from timeward.support import service as support
from timeward.support.views import grant_view
from timeward.web.dependencies import AppServices, CurrentActor, DbSession
from timeward.web.pages.forms import read_form
from timeward.web.pages.layout import Form, page, page_options, redirect
from timeward.web.pages.staff.layout import Field, staff_page, staff_viewer
from timeward.web.pagination import RequestedPage
from timeward.web.sessions import STAFF_SESSION_PREFIX

TENANTS_SHOWN = PageRequest(limit=200)


class TenantForm(msgspec.Struct):
    slug: Field = ""
    name: Field = ""
    country: Field = ""
    subdivision: Field = ""
    admin_email: Field = ""


class TenantStatusForm(msgspec.Struct):
    status: Field = ""


class EnterForm(msgspec.Struct):
    tenant_id: Field = ""


class StaffChangeForm(msgspec.Struct):
    role: Field = ""
    status: Field = ""


class StaffForm(msgspec.Struct):
    email: Field = ""
    role: Field = ""


def _session_id(token_id: str) -> UUID:
    """The staff session behind a page request (its actor's token id)."""
    if not token_id.startswith(STAFF_SESSION_PREFIX):
        raise NotFound()
    return UUID(token_id.removeprefix(STAFF_SESSION_PREFIX))


class StaffTenantPages(Controller):
    @get("/staff/tenants", opt=page("tenants", "read"), include_in_schema=False)
    async def tenants(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
        page: RequestedPage,
    ) -> Response[Any]:
        found = await identity.list_tenants(session, page)
        return staff_page(
            request,
            "staff/tenants.html",
            await staff_viewer(request, services, actor),
            tenants=[tenant_view(t) for t in found[: page.limit]],
            next_offset=page.offset + page.limit if len(found) > page.limit else None,
            limit=page.limit,
        )

    @post("/staff/tenants", opt=page("tenants", "create"), include_in_schema=False)
    async def create_tenant(
        self, data: Annotated[TenantForm, Form], actor: CurrentActor, services: AppServices
    ) -> Response[Any]:
        """The tenant, and its first client admin invited by e-mail (a single-use link)."""
        body = read_form(
            {
                "slug": data.slug.strip(),
                "name": data.name.strip(),
                "country": data.country.strip().upper(),
                "subdivision": data.subdivision.strip().upper() or None,
                "admin_email": data.admin_email.strip(),
            },
            NewTenantRequest,
        )
        await invitations.onboard_tenant(
            services.database,
            services.settings,
            services.audit,
            identity.NewTenant(body.slug, body.name, body.country, body.subdivision),
            body.admin_email,
            actor.acting,
        )
        return redirect("/staff/tenants", flash="tenant_created")

    @post(
        "/staff/tenants/{tenant_id:uuid}/status",
        opt=page("tenants", "update"),
        include_in_schema=False,
    )
    async def change_tenant(
        self,
        tenant_id: FromPath[UUID],
        data: Annotated[TenantStatusForm, Form],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> Response[Any]:
        """Suspend or reactivate."""
        body = read_form({"status": data.status}, TenantChange)
        await identity.set_tenant_status(
            session, services.audit, tenant_id, body.status, actor.acting
        )
        return redirect("/staff/tenants", flash="tenant_changed")

    @get("/staff/support", opt=page("platform_support_grants", "read"), include_in_schema=False)
    async def grants(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
        page: RequestedPage,
    ) -> Response[Any]:
        """Live grants of every tenant, first to expire first; those open to me can be entered."""
        grants = await support.live_grants(session, page)
        names = {t.id: t for t in await identity.list_tenants(session, TENANTS_SHOWN)}
        return staff_page(
            request,
            "staff/support.html",
            await staff_viewer(request, services, actor),
            grants=[
                {
                    "grant": grant_view(g),
                    "tenant": names.get(g.tenant_id),
                    "mine": g.staff_user_id in (None, actor.user_id),
                }
                for g in grants[: page.limit]
            ],
            next_offset=page.offset + page.limit if len(grants) > page.limit else None,
            limit=page.limit,
        )

    @post(
        "/staff/support/enter",
        opt=page("platform_support_grants", "read"),
        include_in_schema=False,
    )
    async def enter(
        self, data: Annotated[EnterForm, Form], actor: CurrentActor, services: AppServices
    ) -> Response[Any]:
        """Enter a tenant under its live grant: an explicit, audited step; its pages are
        then readable (and only readable) until the grant ends or the person leaves."""
        try:
            tenant_id = UUID(data.tenant_id.strip())
        except ValueError as exc:
            raise NotFound() from exc
        grant = await support.live_grant(services.database, tenant_id, actor.user_id)
        if grant is None:
            raise NotFound()
        await set_support_tenant(services.database, _session_id(actor.token_id), tenant_id)
        details = {"support_grant_id": str(grant.id), "via": "pages"}
        entry = AuditEntry.by(actor.acting, "support.entered", "support_grant", grant.id, details)
        await services.audit.record(services.database, tenant_id, entry)
        return redirect(f"/staff/support/{tenant_id}/employees", flash="support_entered")

    @post(
        "/staff/support/leave",
        opt=page("platform_support_grants", "read"),
        include_in_schema=False,
    )
    async def leave(self, actor: CurrentActor, services: AppServices) -> Response[Any]:
        await set_support_tenant(services.database, _session_id(actor.token_id), None)
        return redirect("/staff/support", flash="support_left")

    @get(
        "/staff/support/{tenant_id:uuid}/employees",
        opt=page_options(requires("employees", "read", personal_data=True)),
        include_in_schema=False,
    )
    async def tenant_employees(
        self,
        request: Request[Any, Any, Any],
        tenant_id: FromPath[UUID],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
        page: RequestedPage,
    ) -> Response[Any]:
        """The tenant's employees as its support grant lets staff read them (read-only; the
        read is audited on the tenant's chain like the API's)."""
        if actor.support_grant_id is None or actor.require_tenant() != tenant_id:
            raise NotFound()
        rows = await employees.list_employees(session, tenant_id, page, None)
        contact = may_see_contact(services.enforcer, actor)
        return staff_page(
            request,
            "staff/support_employees.html",
            await staff_viewer(request, services, actor),
            employees=[employee_view(e, with_contact=contact) for e in rows[: page.limit]],
            next_offset=page.offset + page.limit if len(rows) > page.limit else None,
            limit=page.limit,
            tenant_id=tenant_id,
        )

    @get("/staff/team", opt=page("staff", "read"), include_in_schema=False)
    async def team(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
        page: RequestedPage,
    ) -> Response[Any]:
        members = await staff.list_staff(session, page)
        return staff_page(
            request,
            "staff/team.html",
            await staff_viewer(request, services, actor),
            members=[staff_member_view(m) for m in members[: page.limit]],
            me=actor.user_id,
            next_offset=page.offset + page.limit if len(members) > page.limit else None,
            limit=page.limit,
        )

    @post("/staff/team/{user_id:uuid}", opt=page("staff", "update"), include_in_schema=False)
    async def change_member(
        self,
        user_id: FromPath[UUID],
        data: Annotated[StaffChangeForm, Form],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> Response[Any]:
        """A new platform role, or disable / enable; their sessions end at once."""
        body = read_form(
            {"role": data.role or None, "status": data.status or None}, StaffChangeBody
        )
        await staff.change_staff(
            session,
            services.audit,
            services.auth,
            user_id,
            staff.StaffChange(body.role, body.status),
            actor.acting,
        )
        return redirect("/staff/team", flash="staff_changed")

    @post("/staff/team", opt=page("staff", "create"), include_in_schema=False)
    async def invite(
        self, data: Annotated[StaffForm, Form], actor: CurrentActor, services: AppServices
    ) -> Response[Any]:
        """A platform identity of their own, invited by a single-use link they open."""
        body = read_form({"email": data.email.strip(), "role": data.role}, NewStaff)
        await invitations.invite_staff(
            services.database,
            services.settings,
            services.audit,
            invitations.Invitee(body.email, body.role),
            actor.acting,
        )
        return redirect("/staff/team", flash="staff_invited")
