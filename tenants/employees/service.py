"""Employees of one tenant. Every query filters on the tenant explicitly (RLS is the
backstop); another tenant's employee is simply not found."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol
from uuid import UUID

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from tenants.employees.models import Employee, EmployeeStatus
from tenants.sites.service import referenced_site
from timeward import clock
from timeward.acting import Acting
from timeward.audit.log import AuditEntry, AuditLog
from timeward.db.queries import fetch_page, one_or_not_found
from timeward.errors import Conflict, InvalidInput
from timeward.identity.models import PENDING, Membership
from timeward.paging import PageRequest

EDITABLE_FIELDS = frozenset(
    {
        "user_id",
        "name",
        "work_email",
        "phone",
        "postal_address",
        "employee_number",
        "job_title",
        "hire_date",
        "site_id",
        "status",
        "marketing_opt_in",
        "directory_excluded",
        "processing_restricted",
    }
)
RESTRICTION_FIELD = "processing_restricted"


def restricted_conflict(whose: str = "this employee's") -> Conflict:
    return Conflict(
        f"Processing of {whose} data is restricted: it can be read but not changed until "
        "the restriction is lifted.",
        reason="processing_restricted",
    )


class Restrictable(Protocol):
    """What the restriction check reads of an employee (the model or a fetched row)."""

    @property
    def processing_restricted(self) -> bool: ...


def ensure_writable(employee: Restrictable, whose: str = "this employee's") -> None:
    """Refuse any write touching a restricted employee's data (reads stay allowed)."""
    if employee.processing_restricted:
        raise restricted_conflict(whose)


async def get_employee(
    session: AsyncSession, tenant_id: UUID, employee_id: UUID, *, lock: bool = False
) -> Employee:
    statement = select(Employee).where(Employee.tenant_id == tenant_id, Employee.id == employee_id)
    return await one_or_not_found(session, statement, "Employee", lock=lock)


EMPLOYEE_RECORD = "Employee record for your account"  # what the 404 names


async def employee_for_user(
    session: AsyncSession, tenant_id: UUID, user_id: UUID, *, lock: bool = False
) -> Employee:
    """The caller's own employee record; 404 when their account is not linked to one."""
    statement = select(Employee).where(Employee.tenant_id == tenant_id, Employee.user_id == user_id)
    return await one_or_not_found(session, statement, EMPLOYEE_RECORD, lock=lock)


SEARCH_MAX_LENGTH = 200


def search_term(value: str | None, key: str = "q") -> str | None:
    """A search as typed: blank is none; longer than 200 characters or holding a NUL
    character is a 422 naming ``key`` (the API's ``q``, the page's search box)."""
    term = (value or "").strip()
    if len(term) > SEARCH_MAX_LENGTH or "\x00" in term:
        message = f"a search of at most {SEARCH_MAX_LENGTH} characters, without NUL"
        raise InvalidInput.on_field(key, message, source="query")
    return term or None


def _contains(text: str) -> str:
    """A LIKE pattern matching ``text`` anywhere, its own wildcards taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def list_employees(
    session: AsyncSession,
    tenant_id: UUID,
    page: PageRequest,
    status: EmployeeStatus | None,
    search: str | None = None,
) -> list[Employee]:
    """A page of the tenant's employees by name; ``search`` matches part of the name,
    employee number or work e-mail, case-insensitively."""
    statement = select(Employee).where(Employee.tenant_id == tenant_id)
    if status is not None:
        statement = statement.where(Employee.status == status)
    if search:
        pattern = _contains(search)
        statement = statement.where(
            or_(
                Employee.name.ilike(pattern, escape="\\"),
                Employee.employee_number.ilike(pattern, escape="\\"),
                Employee.work_email.ilike(pattern, escape="\\"),
            )
        )
    return await fetch_page(session, statement.order_by(Employee.name, Employee.id), page)


async def _check_references(
    session: AsyncSession, tenant_id: UUID, values: Mapping[str, Any], employee_id: UUID | None
) -> None:
    user_id = values.get("user_id")
    if user_id is not None:
        member = await session.scalar(
            select(Membership.user_id).where(
                Membership.tenant_id == tenant_id,
                Membership.user_id == user_id,
                Membership.status != PENDING,  # a pending invitee's id is not the tenant's to use
            )
        )
        if member is None:
            raise InvalidInput.on_field("user_id", "no user account with this id in your company")
        taken = await session.scalar(
            select(Employee.id).where(Employee.tenant_id == tenant_id, Employee.user_id == user_id)
        )
        if taken is not None and taken != employee_id:
            raise Conflict("This user account is already linked to another employee.")
    site_id = values.get("site_id")
    if site_id is not None:
        await referenced_site(session, tenant_id, site_id)
    number = values.get("employee_number")
    if number is not None:
        taken = await session.scalar(
            select(Employee.id).where(
                Employee.tenant_id == tenant_id, Employee.employee_number == number
            )
        )
        if taken is not None and taken != employee_id:
            raise Conflict("Another employee already has this employee number.")


async def create_employee(
    session: AsyncSession, tenant_id: UUID, values: Mapping[str, Any]
) -> Employee:
    unknown = set(values) - EDITABLE_FIELDS
    assert not unknown, unknown
    await _check_references(session, tenant_id, values, None)
    employee = Employee(tenant_id=tenant_id, **values)
    session.add(employee)
    await session.flush()
    await session.refresh(employee)
    return employee


async def update_employee(
    session: AsyncSession, tenant_id: UUID, employee_id: UUID, changes: Mapping[str, Any]
) -> tuple[Employee, list[str]]:
    """Apply the given changes; returns the employee and the names of the fields that changed.

    While processing is restricted, the only change allowed is lifting (or
    re-stating) the restriction itself.
    """
    unknown = set(changes) - EDITABLE_FIELDS
    assert not unknown, unknown
    employee = await get_employee(session, tenant_id, employee_id, lock=True)
    changed = [name for name, value in changes.items() if getattr(employee, name) != value]
    if employee.processing_restricted and set(changed) - {RESTRICTION_FIELD}:
        raise restricted_conflict()
    if not changed:
        return employee, []
    await _check_references(
        session, tenant_id, {k: changes[k] for k in changed}, employee_id=employee.id
    )
    for name in changed:
        setattr(employee, name, changes[name])
    employee.updated_at = clock.now()
    await session.flush()
    return employee, sorted(changed)


def _audit_entry(action: str, employee: Employee, by: Acting, **details: Any) -> AuditEntry:
    return AuditEntry(action, by.user_id, by.role, "employee", employee.id, details=dict(details))


async def add_employee(
    session: AsyncSession, audit: AuditLog, tenant_id: UUID, values: Mapping[str, Any], by: Acting
) -> Employee:
    """A new employee of the tenant, audited."""
    employee = await create_employee(session, tenant_id, values)
    await audit.append(session, tenant_id, _audit_entry("employee.created", employee, by))
    return employee


def _change_action(employee: Employee, changed: list[str]) -> str:
    """Setting or lifting a restriction is its own event; any other change is an update."""
    if changed != [RESTRICTION_FIELD]:
        return "employee.updated"
    lifted = not employee.processing_restricted
    return "employee.restriction_lifted" if lifted else "employee.restriction_set"


async def change_employee(
    session: AsyncSession,
    audit: AuditLog,
    tenant_id: UUID,
    employee_id: UUID,
    changes: Mapping[str, Any],
    by: Acting,
) -> Employee:
    """Apply the given changes (``update_employee``) and audit the fields that changed."""
    employee, changed = await update_employee(session, tenant_id, employee_id, changes)
    if changed:
        entry = _audit_entry(_change_action(employee, changed), employee, by, fields=changed)
        await audit.append(session, tenant_id, entry)
    return employee
