"""How employee rows become the structs the API returns, with or without contact details."""

from __future__ import annotations

from tenants.employees.models import Employee
from tenants.employees.schemas import ContactView, EmployeeView
from timeward.auth.actor import Actor
from timeward.authz.enforcer import PolicyEnforcer


def may_see_contact(enforcer: PolicyEnforcer, actor: Actor) -> bool:
    return enforcer.allows_actor(actor, "employee_contact", "read")


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
        site_id=employee.site_id,
        status=employee.status,
        marketing_opt_in=employee.marketing_opt_in,
        directory_excluded=employee.directory_excluded,
        processing_restricted=employee.processing_restricted,
        location_limit=employee.location_limit,
        location_limit_lifted_at=employee.location_limit_lifted_at,
        contact=contact,
        created_at=employee.created_at,
        updated_at=employee.updated_at,
    )
