"""Claiming and driving an instruction through its phases; failures and re-enqueueing.

``PHASE_STEPS`` maps each phase to its step; tests replace entries in it (the one seam)."""

from __future__ import annotations

import time
from datetime import timedelta
from uuid import UUID

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from timeward import clock
from timeward.acting import SYSTEM
from timeward.db.session import Database, Scope
from timeward.instructions.executor.conclusion import certify, conclude
from timeward.instructions.executor.deletion import audit_identity, delete_data, finalise
from timeward.instructions.executor.delivery import await_delivery, deliver, export_data, grace
from timeward.instructions.executor.job import (
    MAX_ATTEMPTS,
    PHASES,
    ExecutionContext,
    Job,
    Outcome,
    PermanentFailure,
    Phase,
    RunResult,
    Stop,
    is_withheld,
    log,
    status_transaction,
)
from timeward.instructions.executor.notices import announce_outcome
from timeward.instructions.locks import instruction_lock
from timeward.instructions.models import Instruction, InstructionProgress
from timeward.instructions.records import change_status
from timeward.instructions.states import RUNNABLE, Kind, Status


async def run_instruction(
    ctx: ExecutionContext, tenant_id: UUID, instruction_id: UUID
) -> RunResult:
    """Do as much of the instruction as fits in one slice. Raises to let Dramatiq retry."""
    async with instruction_lock(ctx.database, instruction_id) as locked:
        if not locked:
            log.info("instruction.busy", instruction_id=str(instruction_id))
            return RunResult(Outcome.BUSY)
        claimed = await _claim(ctx, tenant_id, instruction_id)
        if not isinstance(claimed, Job):
            return claimed
        try:
            return await _drive(claimed)
        except Stop:
            return RunResult(Outcome.NOTHING)
        except PermanentFailure as exc:
            await record_failure(ctx, tenant_id, instruction_id, exc, reason=str(exc))
            return RunResult(Outcome.FINISHED)
        except Exception as exc:
            if await record_failure(ctx, tenant_id, instruction_id, exc):
                return RunResult(Outcome.FINISHED)
            raise


async def _claim(ctx: ExecutionContext, tenant_id: UUID, instruction_id: UUID) -> Job | RunResult:
    disclosed = not await is_withheld(ctx.database, tenant_id, instruction_id)
    now = clock.now()
    async with status_transaction(ctx.database, tenant_id, instruction_id, disclosed=disclosed) as (
        session,
        instruction,
    ):
        if instruction is None or instruction.status not in RUNNABLE:
            return RunResult(Outcome.NOTHING)
        if instruction.not_before is not None and instruction.not_before > now:
            return RunResult(Outcome.WAIT, (instruction.not_before - now).total_seconds())
        kind = Kind(instruction.kind)
        if instruction.status == Status.SCHEDULED:
            if instruction.phase == Phase.DONE:  # run again after a legal hold was released
                instruction.phase = Phase.DELETE
                await _reset_held_progress(session, instruction)
            elif instruction.phase is None:
                instruction.phase = PHASES[kind][0]
            await change_status(
                session,
                ctx.audit,
                instruction,
                Status.IN_PROCESSING,
                SYSTEM,
                None,
                disclosed=disclosed,
            )
        if ctx.message_id and ctx.message_id not in instruction.job_ids:
            instruction.job_ids = [*instruction.job_ids, ctx.message_id]
        instruction.not_before = None
        return Job(
            ctx,
            tenant_id,
            instruction_id,
            kind,
            instruction.subject_id,
            instruction.subject_user_id,
            time.monotonic() + ctx.settings.slice_seconds,
        )


async def _reset_held_progress(session: AsyncSession, instruction: Instruction) -> None:
    await session.execute(
        update(InstructionProgress)
        .where(
            InstructionProgress.tenant_id == instruction.tenant_id,
            InstructionProgress.instruction_id == instruction.id,
            InstructionProgress.held.is_(True),
        )
        .values(done=False, held=False, retained=0, basis=None)
    )


async def _drive(job: Job) -> RunResult:
    phases = PHASES[job.kind]
    while True:
        async with job.step() as (_session, instruction):
            phase = Phase(instruction.phase or phases[0])
        if phase == Phase.DONE:
            return RunResult(Outcome.FINISHED)
        result = await PHASE_STEPS[phase](job)
        if result is not None:
            return result
        async with job.step() as (_session, instruction):
            if instruction.phase == phase:
                following = phases.index(phase) + 1
                instruction.phase = phases[following] if following < len(phases) else Phase.DONE
        if job.out_of_time():
            return RunResult(Outcome.CONTINUE)


async def record_failure(
    ctx: ExecutionContext,
    tenant_id: UUID,
    instruction_id: UUID,
    error: BaseException,
    *,
    reason: str | None = None,
) -> bool:
    """Count a failed attempt; the last one (or a permanent failure) fails the instruction.

    Returns True when nothing should be retried. Only the exception's type is stored.
    """
    disclosed = not await is_withheld(ctx.database, tenant_id, instruction_id)
    async with status_transaction(ctx.database, tenant_id, instruction_id, disclosed=disclosed) as (
        session,
        instruction,
    ):
        if instruction is None or instruction.status != Status.IN_PROCESSING:
            return True
        instruction.attempts += 1
        instruction.last_error = type(error).__name__[:200]
        log.warning(
            "instruction.attempt_failed",
            instruction_id=str(instruction_id),
            phase=instruction.phase,
            attempts=instruction.attempts,
            error=instruction.last_error,
            # A permanent failure's message is ours (table names, missing settings).
            detail=str(error) if isinstance(error, PermanentFailure) else None,
        )
        if reason is None and instruction.attempts < MAX_ATTEMPTS:
            return False
        why = reason or (
            f"stopped after {instruction.attempts} failed attempts ({instruction.last_error}); "
            "platform staff can retry it from where it stopped"
        )
        await change_status(
            session, ctx.audit, instruction, Status.FAILED, SYSTEM, why, disclosed=disclosed
        )
        if disclosed:
            await announce_outcome(session, ctx, instruction)
        return True


async def mark_enqueued(
    database: Database, tenant_id: UUID, instruction_id: UUID, delay_seconds: float
) -> None:
    """Record that a follow-up message is on its way (the reconciler leaves it alone)."""
    now = clock.now()
    async with database.transaction(Scope.PLATFORM) as session:
        await session.execute(
            update(Instruction)
            .where(Instruction.tenant_id == tenant_id, Instruction.id == instruction_id)
            .values(
                enqueued_at=now,
                not_before=now + timedelta(seconds=delay_seconds) if delay_seconds else None,
            )
        )


PHASE_STEPS = {
    Phase.EXPORT: export_data,
    Phase.DELIVER: deliver,
    Phase.AWAIT_DELIVERY: await_delivery,
    Phase.GRACE: grace,
    Phase.DELETE: delete_data,
    Phase.AUDIT_IDENTITY: audit_identity,
    Phase.FINALISE: finalise,
    Phase.CERTIFY: certify,
    Phase.CONCLUDE: conclude,
}
