"""The controller's erasure hands what it cannot reach to the processor as a
``delete_subject`` instruction, due before the subject request itself.

Imported by the app and the worker, so both processes have the link installed.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from tenants.privacy_requests.processor import ProcessorErasure, register_processor_instructions
from timeward.instructions.service import (
    NewInstruction,
    Requester,
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
        by = Requester(user_id=erasure.ordered_by or UUID(int=0), role=ERASURE_ROLE)
        instruction = await create_instruction(
            session, erasure.tenant_id, spec, by, audit=job_audit()
        )
        return instruction.id

    async def subject_request_due_changed(
        self, session: AsyncSession, tenant_id: UUID, instruction_id: UUID, due: date
    ) -> None:
        await update_subject_request_due(session, tenant_id, instruction_id, due)


register_processor_instructions(InstructionsLink())
