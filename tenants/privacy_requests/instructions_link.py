"""The controller's erasure hands what it cannot reach to the processor as a
``delete_subject`` instruction, due before the subject request itself.

The app factory and the worker start-up call :func:`install`, so both processes have
the link installed.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tenants.employees.models import Employee
from tenants.privacy_requests.erasure import erase_with_tenant_policy
from tenants.privacy_requests.processor import ProcessorErasure, register_processor_instructions
from tenants.privacy_requests.subject import SubjectRef, subject_emails
from timeward import clock
from timeward.acting import Acting
from timeward.datamap.deletion import RowCounts
from timeward.instructions.service import (
    NewInstruction,
    create_instruction,
    update_subject_request_due,
)
from timeward.instructions.states import Kind
from timeward.jobs.runtime import job_audit

ERASURE_ROLE = "client_admin"  # only a client admin can order an erasure


class InstructionsLink:
    """Runs inside the erasure and reconciler jobs (the job runtime's audit log)."""

    async def create_subject_deletion(
        self, session: AsyncSession, erasure: ProcessorErasure
    ) -> UUID:
        spec = NewInstruction(
            kind=Kind.DELETE_SUBJECT,
            subject_id=erasure.employee_id,
            subject_user_id=erasure.user_id,
            subject_request_id=erasure.request_id,
            subject_request_due=erasure.due,
        )
        by = Acting(user_id=erasure.ordered_by or UUID(int=0), role=ERASURE_ROLE)
        instruction = await create_instruction(
            session, erasure.tenant_id, spec, by, audit=job_audit()
        )
        return instruction.id

    async def subject_request_due_changed(
        self, session: AsyncSession, tenant_id: UUID, instruction_id: UUID, due: date
    ) -> None:
        await update_subject_request_due(session, tenant_id, instruction_id, due)


async def erase_instruction_subject(
    session: AsyncSession,
    tenant_id: UUID,
    employee_id: UUID | None,
    user_id: UUID | None,
    *,
    keep_request: UUID | None,
    audit_key: bytes,
) -> list[RowCounts]:
    """A ``delete_subject`` instruction applies the controller's erasure to its subject, in
    the caller's tenant transaction (the executor's), so a person the controller never
    erased is erased all the same, by the same rules (policies/retention_bases.toml).

    ``keep_request``: the data-subject request the instruction carries out. Its erasure has
    already run; running it again changes no value but keeps the request's contact address
    (the answer is still to be sent) and the mail addressed to the requester.
    """
    if employee_id is None and user_id is not None:
        employee_id = await session.scalar(
            select(Employee.id).where(Employee.tenant_id == tenant_id, Employee.user_id == user_id)
        )
    subject = SubjectRef(tenant_id, employee_id, user_id)
    emails = () if keep_request is not None else await subject_emails(session, subject)
    erased = await erase_with_tenant_policy(
        session, subject, emails, audit_key=audit_key, now=clock.now(), keep_request=keep_request
    )
    return erased.row_counts()


def install() -> None:
    """Hand the controller's erasures to the processor in this process (idempotent)."""
    register_processor_instructions(InstructionsLink())
