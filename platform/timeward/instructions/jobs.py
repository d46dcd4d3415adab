"""Instruction jobs: execute one instruction (a slice at a time), reconcile, escalate, alert."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

import structlog

from timeward.audit.log import AuditLog
from timeward.auth.keys import KeyRing
from timeward.crypto.master_key import derive_key
from timeward.db.session import Database
from timeward.instructions import maintenance
from timeward.instructions.executor import (
    MAX_ATTEMPTS,
    ExecutionContext,
    ExecutionSettings,
    Outcome,
    mark_enqueued,
    run_instruction,
)
from timeward.jobs.registry import job
from timeward.jobs.runtime import job_database, job_settings
from timeward.retention.policy import default_policy

log = structlog.get_logger("timeward.instructions")


@dataclass
class _Shared:
    database: Database | None = None
    audit: AuditLog | None = None
    keys: KeyRing | None = None


_shared = _Shared()


def execution_context() -> ExecutionContext:
    """The worker's context: its database, the audit log and the signing key ring."""
    database, settings = job_database(), job_settings()
    master_key = settings.resolve_master_key()
    if _shared.database is not database or _shared.audit is None or _shared.keys is None:
        _shared.database = database
        _shared.audit = AuditLog(derive_key(master_key, "audit-identity"))
        _shared.keys = KeyRing(database, master_key)
    message_id = structlog.contextvars.get_contextvars().get("message_id")
    return ExecutionContext(
        database=database,
        audit=_shared.audit,
        keys=_shared.keys,
        master_key=master_key,
        policy=default_policy(),
        settings=ExecutionSettings(
            batch_size=settings.instruction_batch_size,
            slice_seconds=settings.instruction_slice_seconds,
            public_url=settings.public_url,
            issuer=settings.token_issuer,
        ),
        message_id=str(message_id) if message_id else None,
    )


@job(
    queue="instructions",
    max_retries=MAX_ATTEMPTS,
    min_backoff=10_000,
    max_backoff=600_000,
    time_limit=30 * 60_000,
)
async def execute_instruction(tenant_id: str, instruction_id: str) -> None:
    """Run one slice; enqueue the next when there is more (or something to wait for)."""
    ctx = execution_context()
    tenant, instruction = UUID(tenant_id), UUID(instruction_id)
    result = await run_instruction(ctx, tenant, instruction)
    if result.outcome in (Outcome.CONTINUE, Outcome.WAIT):
        await mark_enqueued(ctx.database, tenant, instruction, result.delay_seconds)
        execute_instruction.send_with_options(
            args=(tenant_id, instruction_id), delay=int(result.delay_seconds * 1000) or None
        )
    log.info("instruction.run", instruction_id=instruction_id, outcome=str(result.outcome))


@job(queue="maintenance", max_retries=0)
async def reconcile_instructions() -> None:
    """Re-enqueue instructions a lost message or a dead worker left without a live job."""
    await maintenance.reconcile(job_database(), execute_instruction)


@job(queue="maintenance", max_retries=0)
async def escalate_instructions() -> None:
    """Flag instructions nearing their due date or overdue, and alert platform staff."""
    ctx = execution_context()
    await maintenance.escalate(ctx.database, ctx.audit, alert_staff)


@job(queue="mail", max_retries=5, min_backoff=30_000, max_backoff=600_000)
async def alert_staff(instruction_id: str, level: str) -> None:
    sent = await maintenance.send_staff_alert(
        job_database(), job_settings().smtp, UUID(instruction_id), level
    )
    log.info("instruction.staff_alerted", instruction_id=instruction_id, recipients=sent)
