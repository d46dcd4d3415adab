"""Executing an instruction: phases of small, committed steps; resumable and idempotent.

The instruction row is the source of truth. Its ``phase`` says what is next and
``instruction_progress`` what each table has had done, and both change in the same
transaction as the work itself: a deletion batch deletes at most ``batch_size`` rows and
adds their count to the table's progress in one transaction, after locking the
instruction row and checking it is still in processing. A worker killed between two
batches loses nothing; the next run continues from the recorded progress.

Phases by kind:

- ``return_data``: export → deliver → certify → conclude
- ``offboard_tenant``: export → deliver → await_delivery → grace → delete → finalise →
  certify → conclude
- ``delete_subject``: delete → audit_identity → certify → conclude

One run works for at most ``slice_seconds`` and then asks to be enqueued again, so long
deletions never hit a job time limit and tenants take turns. A run holds the
instruction's advisory lock (:mod:`timeward.instructions.locks`) throughout.
"""

from __future__ import annotations

import asyncio
import enum
import time
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import structlog
from sqlalchemy import select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from timeward import clock
from timeward.audit.log import AuditLog
from timeward.audit.service import pseudonymise_subject
from timeward.auth.keys import KeyRing
from timeward.crypto.data_keys import DataKeys
from timeward.datamap.catalog import Catalog, Table, deletion_order, load_catalog, tenant_tables
from timeward.datamap.deletion import (
    RowCounts,
    batch_delete,
    count_rows,
    not_referenced,
    renamed_subject_filter,
    user_condition,
)
from timeward.datamap.subject import subject_paths, user_linked_tables
from timeward.db.base import new_id
from timeward.db.session import Database, Scope
from timeward.identity.models import Membership, Tenant, TenantRole, TenantStatus, User, UserStatus
from timeward.instructions.certificate import CERTIFICATE_TYPE, sign
from timeward.instructions.export import Unsealing, build_export
from timeward.instructions.finalisers import (
    DATA_KEY_FINALISER,
    finaliser_tables,
    offboarding_finalisers,
)
from timeward.instructions.holds import (
    HeldSubject,
    HoldRef,
    HoldsInForce,
    exclusions,
    holds_in_force,
    resolve_subjects,
)
from timeward.instructions.locks import instruction_lock
from timeward.instructions.models import (
    DataExport,
    DeletionCertificate,
    Instruction,
    InstructionProgress,
)
from timeward.instructions.receipts import receipt_token
from timeward.instructions.records import By, change_status, load_for_update
from timeward.instructions.states import RUNNABLE, Kind, Status
from timeward.mail.models import EmailStatus, OutboundEmail
from timeward.mail.service import queue_email
from timeward.notifications.service import notify
from timeward.retention.policy import RetentionPolicy

log = structlog.get_logger("timeward.instructions")

MAX_ATTEMPTS = 5
DELIVERY_POLL_SECONDS = 10.0
DELIVERY_PATIENCE_SECONDS = 5.0
OWN_TABLES = frozenset(
    {
        "instructions",
        "instruction_events",
        "instruction_progress",
        "legal_holds",
        "deletion_certificates",
        "data_exports",
        "audit_events",
        "audit_chain_heads",
    }
)
# Not the client's data but the processor's records of handling it (the client reads its
# instructions through the API, which hides what a legal hold keeps from it).
EXPORT_EXCLUDED = frozenset(
    {
        "data_exports",
        "audit_chain_heads",
        "instructions",
        "instruction_events",
        "instruction_progress",
        "legal_holds",
        "deletion_certificates",
    }
)
USERS_STEP = "users"
AUDIT_TABLE = "audit_events"


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


# --- Running ------------------------------------------------------------------------


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


async def _withheld(database: Database, tenant_id: UUID, instruction_id: UUID) -> bool:
    async with database.transaction(Scope.PLATFORM, read_only=True) as session:
        return bool(
            await session.scalar(
                select(Instruction.withheld).where(
                    Instruction.tenant_id == tenant_id, Instruction.id == instruction_id
                )
            )
        )


@asynccontextmanager
async def _status_tx(
    database: Database, tenant_id: UUID, instruction_id: UUID, *, disclosed: bool
) -> AsyncIterator[tuple[AsyncSession, Instruction | None]]:
    """Status changes the client may be told of are audited in its chain (tenant scope);
    the others in the platform's (platform scope)."""
    scope, tenant = (Scope.TENANT, tenant_id) if disclosed else (Scope.PLATFORM, None)
    async with database.transaction(scope, tenant) as session:
        yield session, await load_for_update(session, tenant_id, instruction_id)


async def _claim(ctx: ExecutionContext, tenant_id: UUID, instruction_id: UUID) -> Job | RunResult:
    disclosed = not await _withheld(ctx.database, tenant_id, instruction_id)
    now = clock.now()
    async with _status_tx(ctx.database, tenant_id, instruction_id, disclosed=disclosed) as (
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
                By.system(),
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
    disclosed = not await _withheld(ctx.database, tenant_id, instruction_id)
    async with _status_tx(ctx.database, tenant_id, instruction_id, disclosed=disclosed) as (
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
            session, ctx.audit, instruction, Status.FAILED, By.system(), why, disclosed=disclosed
        )
        if disclosed:
            await _announce_outcome(session, ctx, instruction)
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


# --- Progress -----------------------------------------------------------------------


async def _ensure_progress(job: Job, tables: Iterable[str]) -> None:
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


async def _progress(session: AsyncSession, job: Job, table: str) -> InstructionProgress:
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


def _describe(holds: Iterable[HoldRef]) -> str:
    return "; ".join(h.describe() for h in holds)


# --- Export and delivery ------------------------------------------------------------


async def _set_tenant_status(database: Database, tenant_id: UUID, status: TenantStatus) -> None:
    async with database.transaction(Scope.PLATFORM) as session:
        tenant = await session.get(Tenant, tenant_id)
        if tenant is not None and tenant.status != TenantStatus.DELETED:
            tenant.status = status


async def _export(job: Job) -> RunResult | None:
    async with job.step() as (_session, instruction):
        if instruction.export_id is not None:
            return None
    async with job.database.transaction(Scope.TENANT, job.tenant_id, read_only=True) as session:
        catalog = await load_catalog(session)
        excluded = EXPORT_EXCLUDED | finaliser_tables()
        tables = [t.name for t in tenant_tables(catalog) if t.name not in excluded]
        built = await build_export(
            session,
            catalog,
            job.tenant_id,
            tables,
            instruction_id=job.instruction_id,
            unsealing=_unsealing(job),
        )
    await _ensure_progress(job, sorted(built.row_counts))
    async with job.step() as (session, instruction):
        if instruction.export_id is not None:
            return None
        now = clock.now()
        export = DataExport(
            tenant_id=job.tenant_id,
            instruction_id=job.instruction_id,
            created_at=now,
            expires_at=now + timedelta(days=job.ctx.policy.instructions.export_days),
            content=built.content,
            sha256=built.sha256,
            size_bytes=len(built.content),
            row_counts=built.row_counts,
        )
        session.add(export)
        await session.flush()
        instruction.export_id = export.id
        for table, count in built.row_counts.items():
            (await _progress(session, job, table)).exported = count
    log.info(
        "instruction.exported",
        instruction_id=str(job.instruction_id),
        tables=len(built.row_counts),
        bytes=len(built.content),
    )
    return None


def _unsealing(job: Job) -> Unsealing:
    """The controller side's openers of sealed columns (clock-event locations)."""
    from tenants.locations.service import SEALED

    return Unsealing(DataKeys(job.ctx.master_key), SEALED)


def receipt_links(ctx: ExecutionContext, instruction_id: UUID) -> dict[str, str]:
    token = receipt_token(ctx.master_key, instruction_id)
    base = f"{ctx.settings.public_url.rstrip('/')}/api/v1/public/instructions/"
    return {
        name: f"{base}{instruction_id}{suffix}?token={token}"
        for name, suffix in (("status", ""), ("export", "/export"), ("certificate", "/certificate"))
    }


async def _client_admins(session: AsyncSession, tenant_id: UUID) -> list[tuple[UUID, str]]:
    rows = await session.execute(
        select(Membership.user_id, User.email)
        .join(User, User.id == Membership.user_id)
        .where(
            Membership.tenant_id == tenant_id,
            Membership.role == TenantRole.CLIENT_ADMIN,
            Membership.status == UserStatus.ACTIVE,
            User.status == UserStatus.ACTIVE,
        )
        .order_by(Membership.user_id)
    )
    return [(user_id, email) for user_id, email in rows.all()]


@dataclass(frozen=True)
class Notice:
    kind: str
    title: str
    body: str


async def _tell_client_admins(
    session: AsyncSession, tenant_id: UUID, admins: list[tuple[UUID, str]], notice: Notice
) -> list[UUID]:
    """In the app and by e-mail (the outbox: sent by a background job after commit) to
    each client admin; returns the e-mails' ids."""
    await notify(
        session,
        tenant_id,
        [user_id for user_id, _ in admins],
        notice.kind,
        notice.title,
        notice.body,
    )
    return [
        await queue_email(session, tenant_id, email, f"Timeward: {notice.title}", notice.body)
        for _, email in admins
    ]


KIND_NAMES = {
    Kind.DELETE_SUBJECT: "deletion of a person's data",
    Kind.RETURN_DATA: "return of your data",
    Kind.OFFBOARD_TENANT: "offboarding of your company",
}


def outcome_notice(public_url: str, instruction: Instruction, links: dict[str, str]) -> Notice:
    """What every client admin is told when an instruction ends (only outcomes the client
    may know of: a result withheld under a confidential hold is never announced)."""
    base = f"{public_url.rstrip('/')}/api/v1/instructions/{instruction.id}"
    # after offboarding the client's access is closed: only the receipt link still works
    certificate = (
        links["certificate"]
        if instruction.kind == Kind.OFFBOARD_TENANT
        else f"{base}/certificate.html"
    )
    what = (
        f"Your instruction ({KIND_NAMES[Kind(instruction.kind)]}, {instruction.id}), "
        f"received {instruction.received_at:%Y-%m-%d %H:%M} UTC,"
    )
    status = Status(instruction.status)
    if status == Status.COMPLETED:
        return Notice(
            "instruction.completed",
            "Instruction completed",
            f"{what} is completed.\n\nThe signed certificate:\n{certificate}\n",
        )
    if status == Status.PARTIALLY_COMPLETED:
        return Notice(
            "instruction.partially_completed",
            "Instruction partially completed",
            f"{what} is partially completed: {instruction.status_reason}.\n\nWhat was kept "
            f"and why is in the signed certificate:\n{certificate}\n\nIt is completed once "
            "the hold ends; you will be told.\n",
        )
    return Notice(
        "instruction.failed",
        "Instruction failed",
        f"{what} could not be completed: {instruction.status_reason}.\n\nNothing done so far "
        "is undone; platform staff can retry it from where it stopped. Its status:\n"
        f"{links['status'] if instruction.kind == Kind.OFFBOARD_TENANT else base}\n",
    )


async def _announce_outcome(
    session: AsyncSession, ctx: ExecutionContext, instruction: Instruction
) -> None:
    """Tell the client admins how the instruction ended (in the caller's tenant-scoped
    transaction, so the notice exists exactly when the outcome does)."""
    admins = await _client_admins(session, instruction.tenant_id)
    if not admins:  # an offboarding that deleted them: the certificate is at the receipt link
        return
    links = receipt_links(ctx, instruction.id)
    notice = outcome_notice(ctx.settings.public_url, instruction, links)
    await _tell_client_admins(session, instruction.tenant_id, admins, notice)


async def _deliver(job: Job) -> RunResult | None:
    links = receipt_links(job.ctx, job.instruction_id)
    async with job.step() as (session, instruction):
        if instruction.delivery_email_ids:
            return None
        admins = await _client_admins(session, job.tenant_id)
        if not admins:
            raise PermanentFailure("no active client admin to deliver the returned data to")
        export = await session.get(DataExport, (job.tenant_id, instruction.export_id))
        assert export is not None
        expires = f"{export.expires_at:%Y-%m-%d %H:%M} UTC"
        offboarding = job.kind == Kind.OFFBOARD_TENANT
        title = "Your data is ready to download"
        body = (
            f"As you instructed ({job.kind}, instruction {job.instruction_id}), your data is "
            f"ready: a zip with one JSON and one CSV file per table "
            f"(SHA-256 {export.sha256}).\n\nDownload it until {expires}:\n{links['export']}\n\n"
            f"Status of the instruction: {links['status']}\n"
        )
        if offboarding:
            body += _offboarding_notice(instruction, links)
        instruction.delivery_email_ids = await _tell_client_admins(
            session, job.tenant_id, admins, Notice("instruction.export_ready", title, body)
        )
    log.info("instruction.delivered", instruction_id=str(job.instruction_id), notices=len(admins))
    return None


def _offboarding_notice(instruction: Instruction, links: dict[str, str]) -> str:
    starts = instruction.deletion_starts_at or instruction.received_at
    return (
        f"\nDeletion starts at {starts:%Y-%m-%d %H:%M} UTC (the grace period). Until then "
        "your account stays open and a client admin can cancel the offboarding: "
        f"POST /api/v1/instructions/{instruction.id}/cancel with a reason. This download "
        "holds your data as of the instruction; ask for a return of data (return_data) if "
        "you need a newer copy before deletion starts. When the grace period ends, access "
        "closes, every record of your company is deleted and its data key destroyed; the "
        f"signed deletion certificate will then be at:\n{links['certificate']}\n"
    )


async def _grace(job: Job) -> RunResult | None:
    """An offboarding deletes nothing before its grace period ends: until then it waits as
    ``scheduled`` (a client admin may cancel) and the reconciler picks it up again at
    ``deletion_starts_at``. Then the tenant's access closes and deletion starts."""
    now = clock.now()
    async with job.step() as (session, instruction):
        starts = instruction.deletion_starts_at
        if starts is not None and starts > now:
            reason = (
                f"grace period: deletion starts at {starts:%Y-%m-%d %H:%M} UTC "
                "unless a client admin cancels"
            )
            await change_status(
                session, job.ctx.audit, instruction, Status.SCHEDULED, By.system(), reason
            )
            instruction.not_before = starts
            log.info("instruction.grace_period", instruction_id=str(job.instruction_id))
            return RunResult(Outcome.NOTHING)
    await _set_tenant_status(job.database, job.tenant_id, TenantStatus.OFFBOARDING)
    return None


async def _await_delivery(job: Job) -> RunResult | None:
    """Deletion starts only once the notice that the data is ready has left the outbox.
    Mail is usually out within a second: poll briefly, then come back later."""
    patience = time.monotonic() + DELIVERY_PATIENCE_SECONDS
    while True:
        async with job.step() as (session, instruction):
            statuses = list(
                (
                    await session.scalars(
                        select(OutboundEmail.status).where(
                            OutboundEmail.tenant_id == job.tenant_id,
                            OutboundEmail.id.in_(instruction.delivery_email_ids),
                        )
                    )
                ).all()
            )
        if EmailStatus.PENDING not in statuses:
            break
        if time.monotonic() > min(patience, job.deadline):
            return RunResult(Outcome.WAIT, DELIVERY_POLL_SECONDS)
        await asyncio.sleep(0.2)
    if EmailStatus.SENT not in statuses:
        raise PermanentFailure("the notice that the returned data is ready could not be sent")
    return None


# --- Deletion -----------------------------------------------------------------------


@dataclass(frozen=True)
class TableStep:
    table: str
    action: str  # "delete", "retain", "users"
    basis: str | None = None


def _check_policy(policy: RetentionPolicy) -> None:
    missing = OWN_TABLES - set(policy.instructions.retained_tables)
    if missing:
        raise PermanentFailure(
            f"policies/retention.toml must list {sorted(missing)} as retained tables"
        )


def plan(catalog: Catalog, job: Job) -> list[TableStep]:
    """What the delete phase does to each table, in an order that never breaks a key.

    A delete_subject instruction "erases" every table holding rows about the subject: the
    controller's erasure rules (policies/retention_bases.toml) applied to that subject
    (:func:`_erase_subject`), or, under a legal hold, the subject's rows counted as kept.
    """
    _check_policy(job.ctx.policy)
    retained = job.ctx.policy.instructions.retained_tables
    owned = finaliser_tables()
    order = deletion_order(tenant_tables(catalog))
    steps: list[TableStep] = []
    if job.kind == Kind.OFFBOARD_TENANT:
        for name in order:
            if name in retained:
                steps.append(TableStep(name, "retain", retained[name]))
            elif name not in owned:
                if name == "memberships":
                    steps.append(TableStep(USERS_STEP, "users"))
                steps.append(TableStep(name, "delete"))
        return steps
    paths = subject_paths(catalog) if job.subject_id else {}
    linked = user_linked_tables(catalog, exclude=set(paths)) if job.subject_user_id else []
    reached = (set(paths) | set(linked)) - set(retained) - owned
    return [TableStep(name, "erase") for name in order if name in reached]


@dataclass(frozen=True)
class Conditions:
    scope: list[str]  # the rows the instruction is about
    keep: list[str]  # rows that stay (legal holds, still referenced)
    params: dict[str, Any]


def _conditions(
    catalog: Catalog,
    table: Table,
    job: Job,
    held: list[HeldSubject],
) -> Conditions:
    params: dict[str, Any] = {"tenant_id": job.tenant_id, "batch": job.batch}
    paths = subject_paths(catalog)
    scope: list[str] = []
    keep: list[str] = []
    if job.kind == Kind.DELETE_SUBJECT:
        if table.name in paths and job.subject_id is not None:
            scope.append(renamed_subject_filter(paths[table.name], "s"))
            params["root_id_s"] = job.subject_id
        else:
            scope.append(user_condition("subject_user"))
            params["subject_user"] = job.subject_user_id
        keep.extend(not_referenced(catalog, table))
    else:
        held_keep, held_params = exclusions(catalog, table, held)
        keep.extend(held_keep)
        params.update(held_params)
    return Conditions(scope, keep, params)


async def _count(
    session: AsyncSession, table: Table, where: list[str], params: dict[str, Any]
) -> int:
    return int(await session.scalar(text(count_rows(table, where)), params) or 0)


async def _delete(job: Job) -> RunResult | None:
    async with job.database.transaction(Scope.TENANT, job.tenant_id, read_only=True) as session:
        catalog = await load_catalog(session)
    steps = plan(catalog, job)
    if job.kind == Kind.DELETE_SUBJECT and not job.covering(
        await holds_in_force(job.database, job.tenant_id)
    ):
        return await _erase_subject(job, [s.table for s in steps])
    await _check_privileges(job, [s.table for s in steps if s.action == "delete"])
    await _ensure_progress(job, [s.table for s in steps])
    for step in steps:
        async with job.step() as (session, _instruction):
            if (await _progress(session, job, step.table)).done:
                continue
        if step.action == "retain":
            result = await _retain_table(job, catalog, step)
        elif step.action == "users":
            result = await _forget_users(job, catalog)
        else:  # "delete", or "erase" under a legal hold: the subject's rows counted as kept
            result = await _delete_table(job, catalog, catalog[step.table])
        if result is not None:
            return result
    return None


async def _erase_subject(job: Job, tables: list[str]) -> RunResult | None:
    """The subject's rows deleted or irreversibly anonymised by the controller's erasure
    rules, in one transaction that also records, per table, how many of THAT subject's
    rows were removed, anonymised or kept (and why); then the login identity is removed
    when no other employer uses it. Both parts are idempotent."""
    from tenants.privacy_requests.instructions_link import erase_instruction_subject

    await _ensure_progress(job, tables)
    async with job.step() as (session, instruction):
        if not all([(await _progress(session, job, t)).done for t in tables]):
            outcomes = await erase_instruction_subject(
                session,
                job.tenant_id,
                job.subject_id,
                job.subject_user_id,
                keep_request=instruction.subject_request_id,
                audit_key=job.ctx.audit.key,
            )
            await _record_outcomes(session, job, tables, outcomes)
    if job.subject_user_id is not None:
        from tenants.privacy_requests.identity import remove_login_identity

        await remove_login_identity(job.database, job.subject_user_id, job.tenant_id)
    return None


async def _record_outcomes(
    session: AsyncSession, job: Job, tables: list[str], outcomes: list[RowCounts]
) -> None:
    extra = [o.table for o in outcomes if o.table not in tables]
    rows = [
        {
            "tenant_id": job.tenant_id,
            "instruction_id": job.instruction_id,
            "table_name": name,
            "position": len(tables) + n,
        }
        for n, name in enumerate(extra)
    ]
    if rows:
        await session.execute(insert(InstructionProgress).values(rows).on_conflict_do_nothing())
    for outcome in outcomes:
        progress = await _progress(session, job, outcome.table)
        progress.removed, progress.anonymised = outcome.removed, outcome.anonymised
        progress.retained, progress.basis = outcome.retained, outcome.basis
    for name in [*tables, *extra]:
        (await _progress(session, job, name)).done = True


async def _check_privileges(job: Job, tables: list[str]) -> None:
    """A table the application role may not delete from must be listed as retained (with its
    basis) in policies/retention.toml: say so at once rather than retrying."""
    async with job.database.transaction(Scope.TENANT, job.tenant_id, read_only=True) as session:
        refused = [
            table
            for table in tables
            if not await session.scalar(
                text("select has_table_privilege(current_user, :t, 'DELETE')"), {"t": table}
            )
        ]
    if refused:
        raise PermanentFailure(
            f"tables {refused} cannot be deleted by the application role and are not listed "
            "as retained in policies/retention.toml"
        )


async def _retain_table(job: Job, catalog: Catalog, step: TableStep) -> RunResult | None:
    async with job.step() as (session, _instruction):
        progress = await _progress(session, job, step.table)
        table = catalog[step.table]
        progress.retained = await _count(session, table, [], {"tenant_id": job.tenant_id})
        progress.basis, progress.done = step.basis, True
    return None


async def _delete_table(job: Job, catalog: Catalog, table: Table) -> RunResult | None:
    while True:
        if job.out_of_time():
            return RunResult(Outcome.CONTINUE)
        holds = await holds_in_force(job.database, job.tenant_id)
        covering = job.covering(holds)
        async with job.step() as (session, _instruction):
            progress = await _progress(session, job, table.name)
            held = (
                await resolve_subjects(session, catalog, job.tenant_id, holds)
                if job.kind == Kind.OFFBOARD_TENANT
                else []
            )
            where = _conditions(catalog, table, job, held)
            if covering:
                progress.retained = await _count(session, table, where.scope, where.params)
                progress.basis, progress.held, progress.done = _describe(covering), True, True
                return None
            result = await session.execute(
                text(batch_delete(table, where.scope + where.keep)), where.params
            )
            removed = int(result.rowcount)  # type: ignore[attr-defined]
            progress.removed += removed
            if removed < job.batch:
                if await _count(session, table, where.scope + where.keep, where.params):
                    continue  # rows changed under the batch (new ctid): take them next time
                remaining = await _count(session, table, where.scope, where.params)
                progress.retained, progress.done = remaining, True
                if remaining and held:
                    progress.basis, progress.held = _describe(holds.subjects), True
                elif remaining:
                    progress.basis = "still referenced by records outside this instruction's scope"
                return None


async def _forget_users(job: Job, catalog: Catalog) -> RunResult | None:
    """Login identities whose only tenant this is: user, refresh tokens, membership."""
    while True:
        if job.out_of_time():
            return RunResult(Outcome.CONTINUE)
        holds = await holds_in_force(job.database, job.tenant_id)
        async with job.step() as (session, _instruction):
            users = await _progress(session, job, USERS_STEP)
            if job.covering(holds):
                users.basis, users.held, users.done = _describe(holds.tenant_wide), True, True
                return None
            keep = [
                u for _, u in await resolve_subjects(session, catalog, job.tenant_id, holds) if u
            ]
            keep += await _referenced_members(session, catalog, job.tenant_id)
            forgotten = int(
                await session.scalar(
                    text("select forget_tenant_only_users(:batch, CAST(:keep AS uuid[]))"),
                    {"batch": job.batch, "keep": keep},
                )
                or 0
            )
            users.removed += forgotten
            (await _progress(session, job, "memberships")).removed += forgotten
            if forgotten < job.batch:
                users.done = True
                if keep:
                    users.basis = "accounts of people whose records are kept under a legal hold"
                return None


async def _referenced_members(
    session: AsyncSession, catalog: Catalog, tenant_id: UUID
) -> list[UUID]:
    """Members still referenced by rows that stay (held rows): their membership must stay."""
    members: set[UUID] = set()
    for table in catalog.values():
        for fk in table.foreign_keys:
            if fk.target != "memberships" or "user_id" not in fk.target_columns:
                continue
            column = fk.columns[fk.target_columns.index("user_id")]
            rows = await session.scalars(
                text(
                    f'SELECT DISTINCT "{column}" FROM "{table.name}" '
                    f'WHERE tenant_id = :t AND "{column}" IS NOT NULL'
                ),
                {"t": tenant_id},
            )
            members.update(rows.all())
    return sorted(members)


async def _audit_identity(job: Job) -> RunResult | None:
    """The subject's identifiers in the audit log become a keyed pseudonym."""
    holds = await holds_in_force(job.database, job.tenant_id)
    await _ensure_progress(job, [AUDIT_TABLE])
    async with job.step() as (session, _instruction):
        progress = await _progress(session, job, AUDIT_TABLE)
        if progress.done:
            return None
        ids = [i for i in (job.subject_id, job.subject_user_id) if i is not None]
        covering = job.covering(holds)
        if covering:
            progress.retained = int(
                await session.scalar(
                    text(
                        "SELECT count(*) FROM audit_events WHERE tenant_id = :t AND "
                        "(actor_id = ANY(CAST(:ids AS uuid[])) "
                        "OR subject_id = ANY(CAST(:ids AS uuid[])))"
                    ),
                    {"t": job.tenant_id, "ids": ids},
                )
                or 0
            )
            progress.basis, progress.held, progress.done = _describe(covering), True, True
            return None
        changed = 0
        for subject in ids:
            changed += await pseudonymise_subject(
                session, job.ctx.audit.key, job.tenant_id, subject
            )
        progress.anonymised = changed
        progress.basis = (
            "events kept for accountability (GDPR Art. 5(2)); the subject's identifiers "
            "replaced by a keyed pseudonym, the hash chain still verifies"
        )
        progress.done = True
    return None


async def _finalise(job: Job) -> RunResult | None:
    """Last of all: destroy the tenant's data key (unless a legal hold needs it)."""
    finalisers = offboarding_finalisers()
    names = [f.tables[0] if f.tables else f.name for f in finalisers]
    await _ensure_progress(job, names)
    holds = await holds_in_force(job.database, job.tenant_id)
    for finaliser, name in zip(finalisers, names, strict=True):
        async with job.step() as (session, instruction):
            progress = await _progress(session, job, name)
            if progress.done:
                continue
            if holds:
                progress.held, progress.done = True, True
                progress.basis = (
                    f"{finaliser.name} kept: data under legal hold is encrypted with it "
                    f"({_describe(holds.holds)})"
                )
                continue
            progress.removed = await finaliser.run(session, job.tenant_id)
            progress.basis = finaliser.description
            progress.done = True
            if finaliser.name == DATA_KEY_FINALISER:
                instruction.data_key_destroyed_at = clock.now()
            log.info("instruction.finalised", instruction_id=str(job.instruction_id), step=name)
    return None


# --- Certificate and conclusion -------------------------------------------------------


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value else None


async def _certify(job: Job) -> RunResult | None:
    holds = await holds_in_force(job.database, job.tenant_id)
    async with job.step() as (session, instruction):
        if instruction.phase != Phase.CERTIFY:
            return None
        rows = list(
            (
                await session.scalars(
                    select(InstructionProgress)
                    .where(
                        InstructionProgress.tenant_id == job.tenant_id,
                        InstructionProgress.instruction_id == job.instruction_id,
                    )
                    .order_by(InstructionProgress.position, InstructionProgress.table_name)
                )
            ).all()
        )
        tenant = await session.get(Tenant, job.tenant_id)
        assert tenant is not None
        export = (
            await session.get(DataExport, (job.tenant_id, instruction.export_id))
            if instruction.export_id
            else None
        )
        held = any(r.held for r in rows)
        kept_by = job.in_scope(holds) if held else ()
        withheld = any(not h.disclosed for h in kept_by)
        now = clock.now()
        certificate_id = new_id()
        payload: dict[str, Any] = {
            "type": CERTIFICATE_TYPE,
            "id": str(certificate_id),
            "issuer": job.ctx.settings.issuer,
            "issued_at": now.isoformat(),
            "tenant": {"id": str(tenant.id), "slug": tenant.slug, "name": tenant.name},
            "instruction": {
                "id": str(instruction.id),
                "kind": instruction.kind,
                "received_at": _iso(instruction.received_at),
                "due_on": instruction.due_on.isoformat(),
                "requested_by": str(instruction.requested_by),
                "requested_by_role": instruction.requested_by_role,
                "subject_request_id": (
                    str(instruction.subject_request_id) if instruction.subject_request_id else None
                ),
            },
            "scope": {
                "kind": "subject" if job.kind == Kind.DELETE_SUBJECT else "tenant",
                "subject_id": str(job.subject_id) if job.subject_id else None,
                "subject_user_id": str(job.subject_user_id) if job.subject_user_id else None,
            },
            "outcome": str(Status.PARTIALLY_COMPLETED if held else Status.COMPLETED),
            "tables": [
                {
                    "table": r.table_name,
                    "removed": r.removed,
                    "anonymised": r.anonymised,
                    "retained": r.retained,
                    "exported": r.exported,
                    "basis": r.basis,
                    "legal_hold": r.held,
                }
                for r in rows
            ],
            "legal_holds": [
                {"id": str(h.id), "reference": h.reference, "basis": h.basis} for h in kept_by
            ],
            "export": (
                {"id": str(export.id), "sha256": export.sha256, "bytes": export.size_bytes}
                if export
                else None
            ),
            "data_key": _iso(instruction.data_key_destroyed_at),
            "execution": {
                "started_at": _iso(instruction.started_at),
                "finished_at": now.isoformat(),
                "job_ids": list(instruction.job_ids),
            },
        }
        kid, token, signed = await sign(job.ctx.keys, payload)
        session.add(
            DeletionCertificate(
                tenant_id=job.tenant_id,
                id=certificate_id,
                instruction_id=job.instruction_id,
                issued_at=now,
                kid=kid,
                payload=signed,
                jws=token,
                client_visible=not withheld,
            )
        )
        instruction.certificate_id = certificate_id
        instruction.withheld = withheld
        instruction.phase = Phase.CONCLUDE  # in this transaction: one certificate per run
    return None


async def _conclude(job: Job) -> RunResult | None:
    holds = await holds_in_force(job.database, job.tenant_id)
    disclosed = not await _withheld(job.database, job.tenant_id, job.instruction_id)
    async with _status_tx(job.database, job.tenant_id, job.instruction_id, disclosed=disclosed) as (
        session,
        instruction,
    ):
        if instruction is None or instruction.status != Status.IN_PROCESSING:
            raise Stop()
        held = bool(
            await session.scalar(
                select(InstructionProgress.table_name)
                .where(
                    InstructionProgress.tenant_id == job.tenant_id,
                    InstructionProgress.instruction_id == job.instruction_id,
                    InstructionProgress.held.is_(True),
                )
                .limit(1)
            )
        )
        if held:
            reason = "data retained under legal hold: " + (
                _describe(h for h in job.in_scope(holds) if h.disclosed)
                if disclosed
                else "a legal obligation"
            )
            target = Status.PARTIALLY_COMPLETED
        else:
            reason, target = None, Status.COMPLETED
        instruction.phase = Phase.DONE
        await change_status(
            session, job.ctx.audit, instruction, target, By.system(), reason, disclosed=disclosed
        )
        if disclosed:
            await _announce_outcome(session, job.ctx, instruction)
    if job.kind == Kind.OFFBOARD_TENANT and target == Status.COMPLETED:
        await _set_tenant_status(job.database, job.tenant_id, TenantStatus.DELETED)
    log.info("instruction.concluded", instruction_id=str(job.instruction_id), status=str(target))
    return RunResult(Outcome.FINISHED)


PHASE_STEPS = {
    Phase.EXPORT: _export,
    Phase.DELIVER: _deliver,
    Phase.AWAIT_DELIVERY: _await_delivery,
    Phase.GRACE: _grace,
    Phase.DELETE: _delete,
    Phase.AUDIT_IDENTITY: _audit_identity,
    Phase.FINALISE: _finalise,
    Phase.CERTIFY: _certify,
    Phase.CONCLUDE: _conclude,
}
