"""Status changes of an instruction: checked against the table, recorded, audited.

Every change goes through :func:`change_status` in a *tenant-scoped* transaction: it
checks the transition table, writes an ``instruction_events`` row and appends an audit
event. A change the client may not be told about (a legal hold it may not know of) is
recorded as undisclosed and audited on the platform's own chain instead of the tenant's.
Who changes it is a :class:`timeward.acting.Acting`; the party of the state machine
follows from its role (:func:`timeward.instructions.states.party_of`).
"""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from timeward import clock
from timeward.acting import Acting
from timeward.audit.log import PLATFORM_CHAIN, AuditEntry, AuditLog
from timeward.errors import NotFound
from timeward.instructions.models import Instruction, InstructionEvent
from timeward.instructions.states import Status, check_transition, open_dsr_status, party_of
from timeward.webhooks.events import emit


async def load_for_update(
    session: AsyncSession, tenant_id: UUID, instruction_id: UUID, *, skip_locked: bool = False
) -> Instruction | None:
    return await session.scalar(
        select(Instruction)
        .where(Instruction.tenant_id == tenant_id, Instruction.id == instruction_id)
        .with_for_update(skip_locked=skip_locked)
        .execution_options(populate_existing=True)
    )


async def require(session: AsyncSession, tenant_id: UUID, instruction_id: UUID) -> Instruction:
    instruction = await load_for_update(session, tenant_id, instruction_id)
    if instruction is None:
        raise NotFound("Instruction")
    return instruction


async def record_event(
    session: AsyncSession,
    audit: AuditLog,
    instruction: Instruction,
    previous: Status | None,
    by: Acting,
    reason: str | None,
    *,
    disclosed: bool = True,
) -> None:
    session.add(
        InstructionEvent(
            tenant_id=instruction.tenant_id,
            instruction_id=instruction.id,
            at=clock.now(),
            from_status=previous,
            to_status=instruction.status,
            actor_id=by.user_id,
            actor_role=by.role,
            reason=reason,
            disclosed=disclosed,
        )
    )
    action = "instruction.received" if previous is None else "instruction.status_changed"
    details = {"kind": instruction.kind, "from": previous, "to": instruction.status}
    entry = AuditEntry(action, by.user_id, by.role, "instruction", instruction.id, details=details)
    if disclosed:
        await audit.append(session, instruction.tenant_id, entry)
        await emit(
            session,
            instruction.tenant_id,
            "instruction.status_changed",
            _event(instruction, previous),
        )
    else:
        platform_entry = AuditEntry(
            action,
            by.user_id,
            by.role,
            "instruction",
            instruction.id,
            details={**details, "tenant_id": str(instruction.tenant_id), "withheld": True},
        )
        await audit.append(session, PLATFORM_CHAIN, platform_entry)
    await session.flush()


def _event(instruction: Instruction, previous: Status | None) -> dict[str, object]:
    """What a webhook says of an instruction: ids, kind, statuses, dates (no subject)."""
    return {
        "instruction_id": instruction.id,
        "kind": instruction.kind,
        "status": instruction.status,
        "previous_status": previous,
        "opendsr_status": open_dsr_status(Status(instruction.status)),
        "previous_opendsr_status": open_dsr_status(previous) if previous else None,
        "due_on": instruction.due_on,
        "subject_request_id": instruction.subject_request_id,
    }


async def change_status(
    session: AsyncSession,
    audit: AuditLog,
    instruction: Instruction,
    target: Status,
    by: Acting,
    reason: str | None = None,
    *,
    disclosed: bool = True,
) -> None:
    """Move the (locked) instruction to ``target`` or raise ``IllegalTransition`` (409)."""
    current = Status(instruction.status)
    check_transition(current, target, party_of(by), reason)
    now = clock.now()
    instruction.status = target
    instruction.status_reason = reason
    if target == Status.SCHEDULED:
        instruction.enqueued_at, instruction.not_before = now, None
        instruction.finished_at = None
    if target == Status.IN_PROCESSING and instruction.started_at is None:
        instruction.started_at = now
    if target in (Status.COMPLETED, Status.PARTIALLY_COMPLETED, Status.FAILED):
        instruction.finished_at = now
    if target in (Status.CANCELED, Status.REJECTED):
        instruction.finished_at = now
    await record_event(session, audit, instruction, current, by, reason, disclosed=disclosed)
