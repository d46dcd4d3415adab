"""Client admins manage employees; managers read them (without contact details)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Controller, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody

from tenants.employees import service
from tenants.employees.models import Employee, EmployeeStatus
from timeward.audit.log import AuditEntry
from timeward.auth.actor import Actor
from timeward.authz.guard import requires
from timeward.services import Services
from timeward.web.dependencies import AppServices, CurrentActor, DbSession
from timeward.web.pagination import (
    Page,
    RequestedPage,
    make_page,
)
from timeward.web.schemas import UNSET, Email, Name, Unset, given

Phone = Annotated[
    str,
    msgspec.Meta(pattern=r"^\+?[0-9][0-9 ()./-]{2,38}$", max_length=40, description="Phone number"),
]
PostalAddress = Annotated[str, msgspec.Meta(min_length=1, max_length=500)]
EmployeeNumber = Annotated[str, msgspec.Meta(min_length=1, max_length=40)]


class NewEmployee(msgspec.Struct, forbid_unknown_fields=True):
    name: Name
    work_email: Email | None = None
    phone: Phone | None = None
    postal_address: PostalAddress | None = None
    employee_number: EmployeeNumber | None = None
    job_title: Name | None = None
    hire_date: date | None = None
    user_id: UUID | None = None
    marketing_opt_in: bool = False
    directory_excluded: bool = False
    processing_restricted: bool = False


class EmployeeChange(msgspec.Struct, forbid_unknown_fields=True):
    """Only the fields given change; null clears an optional field."""

    name: Name | Unset = UNSET
    work_email: Email | Unset | None = UNSET
    phone: Phone | Unset | None = UNSET
    postal_address: PostalAddress | Unset | None = UNSET
    employee_number: EmployeeNumber | Unset | None = UNSET
    job_title: Name | Unset | None = UNSET
    hire_date: date | Unset | None = UNSET
    user_id: UUID | Unset | None = UNSET
    status: EmployeeStatus | Unset = UNSET
    marketing_opt_in: bool | Unset = UNSET
    directory_excluded: bool | Unset = UNSET
    processing_restricted: bool | Unset = UNSET


class ContactView(msgspec.Struct):
    work_email: str | None
    phone: str | None
    postal_address: str | None


class EmployeeView(msgspec.Struct):
    id: UUID
    user_id: UUID | None
    name: str
    employee_number: str | None
    job_title: str | None
    hire_date: date | None
    status: str
    marketing_opt_in: bool
    directory_excluded: bool
    processing_restricted: bool
    contact: ContactView | None  # null when the caller's role may not see contact details
    created_at: datetime
    updated_at: datetime


def employee_view(employee: Employee, *, with_contact: bool) -> EmployeeView:
    contact = (
        ContactView(employee.work_email, employee.phone, employee.postal_address)
        if with_contact
        else None
    )
    return EmployeeView(
        id=employee.id,
        user_id=employee.user_id,
        name=employee.name,
        employee_number=employee.employee_number,
        job_title=employee.job_title,
        hire_date=employee.hire_date,
        status=employee.status,
        marketing_opt_in=employee.marketing_opt_in,
        directory_excluded=employee.directory_excluded,
        processing_restricted=employee.processing_restricted,
        contact=contact,
        created_at=employee.created_at,
        updated_at=employee.updated_at,
    )


def may_see_contact(services: Services, actor: Actor) -> bool:
    return services.enforcer.allows(actor.role, actor.domain, "employee_contact", "read")


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
    ) -> Page[EmployeeView]:
        rows = await service.list_employees(session, actor.require_tenant(), page, status)
        contact = may_see_contact(services, actor)
        return make_page([employee_view(e, with_contact=contact) for e in rows], page)

    @post("/", opt=requires("employees", "create"), summary="Add an employee")
    async def create_employee(
        self,
        data: JSONBody[NewEmployee],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> EmployeeView:
        tenant_id = actor.require_tenant()
        employee = await service.create_employee(session, tenant_id, msgspec.structs.asdict(data))
        await services.audit.append(
            session,
            tenant_id,
            AuditEntry("employee.created", actor.user_id, actor.role, "employee", employee.id),
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
        return employee_view(employee, with_contact=may_see_contact(services, actor))

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
        tenant_id = actor.require_tenant()
        employee, changed = await service.update_employee(
            session, tenant_id, employee_id, given(data)
        )
        if changed:
            action = "employee.updated"
            if changed == [service.RESTRICTION_FIELD]:
                lifted = not employee.processing_restricted
                action = "employee.restriction_lifted" if lifted else "employee.restriction_set"
            await services.audit.append(
                session,
                tenant_id,
                AuditEntry(
                    action,
                    actor.user_id,
                    actor.role,
                    "employee",
                    employee.id,
                    details={"fields": changed},
                ),
            )
        return employee_view(employee, with_contact=True)
