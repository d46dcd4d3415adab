"""One run of an instruction: its context, its outcome, and the helpers every phase shares
(the locked step transaction, per-table progress rows, the status transaction)."""

from __future__ import annotations

import enum
import time
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from uuid import UUID

import structlog
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from timeward import clock
from timeward.audit.log import AuditLog
from timeward.auth.keys import KeyRing
from timeward.db.session import Database, Scope
from timeward.identity.models import Tenant, TenantStatus
from timeward.instructions.holds import HoldRef, HoldsInForce
from timeward.instructions.models import Instruction, InstructionProgress
from timeward.instructions.records import load_for_update
from timeward.instructions.states import Kind, Status
from timeward.retention.policy import RetentionPolicy

log = structlog.get_logger("timeward.instructions")

MAX_ATTEMPTS = 5


class Phase(enum.StrEnum):
    EXPORT = "export"
    DELIVER = "deliver"
    AWAIT_DELIVERY = "await_delivery"
    GRACE = "grace"
    DELETE = "delete"
    AUDIT_IDENTITY = "audit_identity"
    FINALISE = "finalise"
    CERTIFY = "certify"
    CONCLUDE = "conclude"
    DONE = "done"


PHASES: dict[Kind, tuple[Phase, ...]] = {
    Kind.RETURN_DATA: (Phase.EXPORT, Phase.DELIVER, Phase.CERTIFY, Phase.CONCLUDE),
    Kind.OFFBOARD_TENANT: (
        Phase.EXPORT,
        Phase.DELIVER,
        Phase.AWAIT_DELIVERY,
        Phase.GRACE,
        Phase.DELETE,
        Phase.FINALISE,
        Phase.CERTIFY,
        Phase.CONCLUDE,
    ),
    Kind.DELETE_SUBJECT: (Phase.DELETE, Phase.AUDIT_IDENTITY, Phase.CERTIFY, Phase.CONCLUDE),
}


class Outcome(enum.StrEnum):
    FINISHED = "finished"  # concluded (completed, partially completed or failed)
    CONTINUE = "continue"  # out of time for this run: enqueue again
    WAIT = "wait"  # waiting for something else (mail delivery): enqueue with a delay
    BUSY = "busy"  # another live job holds the instruction
    NOTHING = "nothing"  # not runnable (paused, canceled, done, missing)


@dataclass(frozen=True)
class RunResult:
    outcome: Outcome
    delay_seconds: float = 0.0


@dataclass(frozen=True)
class ExecutionSettings:
    batch_size: int = 1000
    slice_seconds: float = 30.0
    public_url: str = "http://127.0.0.1:8000"
    issuer: str = "timeward"


@dataclass(frozen=True)
class ExecutionContext:
    database: Database
    audit: AuditLog
    keys: KeyRing
    master_key: bytes
    policy: RetentionPolicy
    settings: ExecutionSettings = field(default_factory=ExecutionSettings)
    message_id: str | None = None


class Stop(Exception):
    """The instruction left ``in_processing`` under us (paused, say): stop quietly."""


class PermanentFailure(Exception):
    """Retrying cannot help; the instruction fails at once with this reason."""


@dataclass
class Job:
    ctx: ExecutionContext
    tenant_id: UUID
    instruction_id: UUID
    kind: Kind
    subject_id: UUID | None
    subject_user_id: UUID | None
    deadline: float

    @property
    def database(self) -> Database:
        return self.ctx.database

    @property
    def batch(self) -> int:
        return self.ctx.settings.batch_size

    def out_of_time(self) -> bool:
        return time.monotonic() > self.deadline

    @asynccontextmanager
    async def step(self) -> AsyncIterator[tuple[AsyncSession, Instruction]]:
        """A tenant-scoped transaction with the instruction locked and still in processing."""
        async with self.database.transaction(Scope.TENANT, self.tenant_id) as session:
            instruction = await load_for_update(session, self.tenant_id, self.instruction_id)
            if instruction is None or instruction.status != Status.IN_PROCESSING:
                raise Stop()
            instruction.updated_at = clock.now()  # the heartbeat of every batch
            yield session, instruction

    def covering(self, holds: HoldsInForce) -> tuple[HoldRef, ...]:
        """Holds that keep this instruction's whole scope."""
        if self.kind == Kind.DELETE_SUBJECT:
            return holds.covering_subject(self.subject_id, self.subject_user_id)
        return holds.tenant_wide

    def in_scope(self, holds: HoldsInForce) -> tuple[HoldRef, ...]:
        """Holds that can keep rows of this instruction: for a subject, those covering it;
        for the tenant, every hold. Only these are named in its result and certificate."""
        return self.covering(holds) if self.kind == Kind.DELETE_SUBJECT else holds.holds


async def is_withheld(database: Database, tenant_id: UUID, instruction_id: UUID) -> bool:
    async with database.transaction(Scope.PLATFORM, read_only=True) as session:
        return bool(
            await session.scalar(
                select(Instruction.withheld).where(
                    Instruction.tenant_id == tenant_id, Instruction.id == instruction_id
                )
            )
        )


@asynccontextmanager
async def status_transaction(
    database: Database, tenant_id: UUID, instruction_id: UUID, *, disclosed: bool
) -> AsyncIterator[tuple[AsyncSession, Instruction | None]]:
    """Status changes the client may be told of are audited in its chain (tenant scope);
    the others in the platform's (platform scope)."""
    scope, tenant = (Scope.TENANT, tenant_id) if disclosed else (Scope.PLATFORM, None)
    async with database.transaction(scope, tenant) as session:
        yield session, await load_for_update(session, tenant_id, instruction_id)


async def ensure_progress(job: Job, tables: Iterable[str]) -> None:
    rows = [
        {
            "tenant_id": job.tenant_id,
            "instruction_id": job.instruction_id,
            "table_name": name,
            "position": position,
        }
        for position, name in enumerate(tables)
    ]
    if not rows:
        return
    async with job.step() as (session, _instruction):
        await session.execute(insert(InstructionProgress).values(rows).on_conflict_do_nothing())


async def progress_row(session: AsyncSession, job: Job, table: str) -> InstructionProgress:
    row = await session.scalar(
        select(InstructionProgress)
        .where(
            InstructionProgress.tenant_id == job.tenant_id,
            InstructionProgress.instruction_id == job.instruction_id,
            InstructionProgress.table_name == table,
        )
        .execution_options(populate_existing=True)
    )
    assert row is not None, f"no progress row for {table}"
    return row


def describe_holds(holds: Iterable[HoldRef]) -> str:
    return "; ".join(h.describe() for h in holds)


async def set_tenant_status(database: Database, tenant_id: UUID, status: TenantStatus) -> None:
    async with database.transaction(Scope.PLATFORM) as session:
        tenant = await session.get(Tenant, tenant_id)
        if tenant is not None and tenant.status != TenantStatus.DELETED:
            tenant.status = status
