"""The seam to the processor: erasure in places the tenant cannot reach itself.

An erasure deletes everything the tenant's own data reaches. Copies in backups, logs
and derived stores are the processor's: the client must instruct Timeward
(docs/architecture.md, Flow B) to delete them, with the request's due date, so the
processor's deadline is derived from the employer's. The instructions feature is built
separately; this module is the one place where the two meet.

:func:`request_processor_erasure` always records the need on the request
(``processor_instruction_requested_at``), in the erasure's own transaction, and then
calls the registered :class:`ProcessorInstructions` (if any) in that same transaction,
storing the instruction id it returns (``processor_instruction_id``). With nothing
registered the need stays recorded and visible in the queue; the reconciler
(``reconcile_privacy_requests``) passes every recorded-but-not-created need to the
implementation once one is registered. Wiring it is documented in
docs/privacy-requests.md ("The processor seam").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol
from uuid import UUID

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tenants.privacy_requests.models import PrivacyRequest
from tenants.privacy_requests.subject import SubjectRef
from timeward import clock

log = structlog.get_logger("timeward.privacy_requests")


@dataclass(frozen=True)
class ProcessorErasure:
    """What the processor needs: ids only (the person's values are already gone)."""

    tenant_id: UUID
    request_id: UUID  # the data-subject request this instruction carries out
    employee_id: UUID | None  # the (now anonymised) employee record
    user_id: UUID | None  # the login account the person had in this tenant
    due: date  # the request's current due date (instructions.instruction_due's input)
    ordered_by: UUID | None = None  # the client admin who ordered the erasure


class ProcessorInstructions(Protocol):
    """Implemented by the client-instructions feature (a ``delete_subject`` instruction)."""

    async def create_subject_deletion(
        self, session: AsyncSession, erasure: ProcessorErasure
    ) -> UUID:
        """Create the instruction in the caller's tenant transaction; return its id.
        Called once per request (the returned id is stored and never asked again)."""
        ...

    async def subject_request_due_changed(
        self, session: AsyncSession, tenant_id: UUID, instruction_id: UUID, due: date
    ) -> None:
        """The request's deadline was extended: recompute the instruction's due date."""
        ...


@dataclass
class _Registry:
    instructions: ProcessorInstructions | None = None


_registry = _Registry()


def register_processor_instructions(implementation: ProcessorInstructions | None) -> None:
    """Install (or with None remove) the implementation, in every process (API and worker)."""
    _registry.instructions = implementation


def processor_instructions() -> ProcessorInstructions | None:
    return _registry.instructions


async def request_processor_erasure(
    session: AsyncSession, tenant_id: UUID, subject: SubjectRef, request_id: UUID, due: date
) -> UUID | None:
    """Record that the processor must erase the subject's copies; create the instruction
    when an implementation is registered. Idempotent; runs in the caller's transaction."""
    request = await session.scalar(
        select(PrivacyRequest)
        .where(PrivacyRequest.tenant_id == tenant_id, PrivacyRequest.id == request_id)
        .with_for_update()
        .execution_options(populate_existing=True)  # a concurrent run may have created it
    )
    if request is None:
        return None
    if request.processor_instruction_id is not None:
        return request.processor_instruction_id
    if request.processor_instruction_requested_at is None:
        request.processor_instruction_requested_at = clock.now()
    implementation = _registry.instructions
    if implementation is None:
        log.info("privacy_request.processor_instruction_pending", request_id=str(request_id))
        return None
    erasure = ProcessorErasure(
        tenant_id, request_id, subject.employee_id, subject.user_id, due, request.fulfilment_by
    )
    instruction_id = await implementation.create_subject_deletion(session, erasure)
    request.processor_instruction_id = instruction_id
    log.info(
        "privacy_request.processor_instruction_created",
        request_id=str(request_id),
        instruction_id=str(instruction_id),
    )
    return instruction_id


async def processor_due_changed(session: AsyncSession, request: PrivacyRequest) -> None:
    """After an extension: the processor's deadline follows the request's."""
    implementation = _registry.instructions
    if implementation is not None and request.processor_instruction_id is not None:
        await implementation.subject_request_due_changed(
            session, request.tenant_id, request.processor_instruction_id, request.due_date
        )


async def pending_processor_erasures(session: AsyncSession, tenant_id: UUID) -> list[UUID]:
    """Requests whose processor erasure is recorded but not yet created as an instruction."""
    rows = await session.scalars(
        select(PrivacyRequest.id).where(
            PrivacyRequest.tenant_id == tenant_id,
            PrivacyRequest.processor_instruction_requested_at.is_not(None),
            PrivacyRequest.processor_instruction_id.is_(None),
        )
    )
    return list(rows.all())
