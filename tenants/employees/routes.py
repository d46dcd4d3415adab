"""Client admins manage employees; managers read them (without contact details).

Controllers only: parse, call the service, return the view (`employees.views`).
"""

from __future__ import annotations

from uuid import UUID

import msgspec
from litestar import Controller, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody

from tenants.employees import service
from tenants.employees.models import EmployeeStatus
from tenants.employees.schemas import EmployeeChange, EmployeeView, NewEmployee
from tenants.employees.views import employee_view, may_see_contact
from timeward.authz.guard import requires
from timeward.fields import given
from timeward.web.dependencies import AppServices, CurrentActor, DbSession
from timeward.web.pagination import Page, RequestedPage, make_page


class EmployeesController(Controller):
    path = "/api/v1/employees"
    tags = ["employees"]

    @get(
        "/", opt=requires("employees", "read", personal_data=True), summary="The tenant's employees"
    )
    async def list_employees(
        self,
        actor: CurrentActor,
        session: DbSession,
        page: RequestedPage,
        services: AppServices,
        status: FromQuery[EmployeeStatus | None] = None,
        q: FromQuery[str | None] = None,
    ) -> Page[EmployeeView]:
        """``q`` finds part of the name, employee number or work e-mail (any case)."""
        search = service.search_term(q)
        rows = await service.list_employees(session, actor.require_tenant(), page, status, search)
        contact = may_see_contact(services.enforcer, actor)
        return make_page([employee_view(e, with_contact=contact) for e in rows], page)

    @post("/", opt=requires("employees", "create"), summary="Add an employee")
    async def create_employee(
        self,
        data: JSONBody[NewEmployee],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> EmployeeView:
        employee = await service.add_employee(
            session,
            services.audit,
            actor.require_tenant(),
            msgspec.structs.asdict(data),
            actor.acting,
        )
        return employee_view(employee, with_contact=True)

    @get(
        "/{employee_id:uuid}",
        opt=requires("employees", "read", personal_data=True),
        summary="One employee",
    )
    async def get_employee(
        self,
        employee_id: FromPath[UUID],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> EmployeeView:
        employee = await service.get_employee(session, actor.require_tenant(), employee_id)
        return employee_view(employee, with_contact=may_see_contact(services.enforcer, actor))

    @patch(
        "/{employee_id:uuid}",
        opt=requires("employees", "update"),
        summary="Change an employee (refused while processing is restricted, "
        "except lifting the restriction)",
    )
    async def change_employee(
        self,
        employee_id: FromPath[UUID],
        data: JSONBody[EmployeeChange],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> EmployeeView:
        employee = await service.change_employee(
            session, services.audit, actor.require_tenant(), employee_id, given(data), actor.acting
        )
        return employee_view(employee, with_contact=True)
