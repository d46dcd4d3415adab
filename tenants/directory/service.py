"""Who the directory lists, and an employee leaving or rejoining it.

Listed: the tenant's active employees who have not left the directory
(``directory_excluded``) and whose processing is not restricted (a restriction freezes
the data: showing it to colleagues is processing). ``directory_excluded`` is set by the
employee themselves here, by a client admin's edit, or by an upheld objection or a
consent withdrawal (`tenants.privacy_requests.service.apply_flags`).
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tenants.employees.models import Employee, EmployeeStatus
from tenants.employees.service import employee_for_user, ensure_writable
from tenants.settings.service import directory_setting
from timeward.acting import Acting
from timeward.audit.log import AuditEntry, AuditLog
from timeward.db.queries import fetch_page
from timeward.errors import NotFound
from timeward.paging import PageRequest


class DirectoryOff(NotFound):
    """The tenant has not switched the directory on: as if it did not exist."""

    def __init__(self) -> None:
        super().__init__("Colleague directory")
        self.detail = "Your employer has not switched on the colleague directory."
        self.args = (self.detail,)


async def list_directory(
    session: AsyncSession, tenant_id: UUID, page: PageRequest
) -> list[Employee]:
    """A page of the listed colleagues by name; ``DirectoryOff`` (404) when it is off."""
    if not (await directory_setting(session, tenant_id)).enabled:
        raise DirectoryOff()
    statement = (
        select(Employee)
        .where(
            Employee.tenant_id == tenant_id,
            Employee.status == EmployeeStatus.ACTIVE,
            Employee.directory_excluded.is_(False),
            Employee.processing_restricted.is_(False),
        )
        .order_by(Employee.name, Employee.id)
    )
    return await fetch_page(session, statement, page)


async def my_listing(session: AsyncSession, tenant_id: UUID, user_id: UUID) -> tuple[bool, bool]:
    """(listed, directory enabled) for the caller; 404 without an employee record."""
    employee = await employee_for_user(session, tenant_id, user_id)
    enabled = (await directory_setting(session, tenant_id)).enabled
    return not employee.directory_excluded, enabled


async def set_my_listing(
    session: AsyncSession,
    audit: AuditLog,
    tenant_id: UUID,
    by: Acting,
    listed: bool,
    now: datetime,
) -> tuple[bool, bool]:
    """The employee leaves (``listed`` false) or rejoins the directory, without a request.

    Leaving only reduces processing, so it is allowed on a restricted record too (like an
    upheld objection); rejoining is a change a restriction forbids (409). Audited as an
    edit of the employee, the field name only; a repeat is a no-op.
    """
    assert by.user_id is not None
    employee = await employee_for_user(session, tenant_id, by.user_id, lock=True)
    if listed:
        ensure_writable(employee, "your")
    if employee.directory_excluded == (not listed):
        return await my_listing(session, tenant_id, by.user_id)
    employee.directory_excluded, employee.updated_at = not listed, now
    entry = AuditEntry(
        "employee.updated",
        by.user_id,
        by.role,
        "employee",
        employee.id,
        details={"fields": ["directory_excluded"], "by": "self"},
    )
    await audit.append(session, tenant_id, entry)
    await session.flush()
    return await my_listing(session, tenant_id, by.user_id)
