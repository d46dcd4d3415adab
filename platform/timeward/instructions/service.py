"""Client instructions to the processor: creation, reading, status changes, the staff queue.

Public entry point for other features (the privacy-request flow creates ``delete_subject``
instructions itself)::

    instruction = await create_instruction(
        session,            # the caller's tenant-scoped transaction
        tenant_id,
        NewInstruction(Kind.DELETE_SUBJECT, subject_id=employee_id,
                       subject_user_id=user_id_or_None,
                       subject_request_id=request.id,
                       subject_request_due=request.due_on),
        Requester(client_admin_user_id, "client_admin"),
        audit=services.audit,
    )

It is received and scheduled in the caller's transaction; the executor is enqueued once
that transaction commits. When the subject request's due date changes (an extension),
call :func:`update_subject_request_due`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from uuid import UUID

from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import undefer

from timeward import clock
from timeward.acting import Acting
from timeward.audit.log import AuditLog
from timeward.datamap.catalog import load_catalog
from timeward.datamap.subject import SUBJECT_ROOT, USER_COLUMN
from timeward.db.base import new_id
from timeward.db.session import Database, Scope
from timeward.deadlines import instruction_due, instruction_escalation
from timeward.errors import Conflict, Gone, InvalidInput, NotFound
from timeward.identity.models import Membership, Tenant
from timeward.instructions.due import tenant_calendar
from timeward.instructions.holds import HoldsInForce, hold_ref, with_both_ids
from timeward.instructions.jobs import execute_instruction
from timeward.instructions.models import (
    DataExport,
    DeletionCertificate,
    Instruction,
    InstructionEvent,
    InstructionProgress,
    LegalHold,
)
from timeward.instructions.receipts import check_receipt_token
from timeward.instructions.records import By, change_status, load_for_update, record_event, require
from timeward.instructions.states import (
    OPEN,
    Kind,
    Party,
    Status,
)
from timeward.jobs.after_commit import enqueue_after_commit
from timeward.support.service import revoke_all_for_offboarding

CLIENT_ADMIN = "client_admin"
OFFBOARDING_GRACE = timedelta(days=7)


@dataclass(frozen=True)
class NewInstruction:
    kind: Kind
    subject_id: UUID | None = None
    subject_user_id: UUID | None = None
    subject_request_id: UUID | None = None
    subject_request_due: date | None = None
    confirm_slug: str | None = None  # offboarding: the tenant's slug, typed back


@dataclass(frozen=True)
class Requester:
    """The client admin giving the instruction (recorded with the role they held)."""

    user_id: UUID
    role: str


@dataclass(frozen=True)
class QueueItem:
    instruction: Instruction
    tenant_slug: str
    tenant_name: str
    business_days_left: int
    escalation: str


def _validate(spec: NewInstruction, by: Requester) -> None:
    if by.role != CLIENT_ADMIN:
        raise InvalidInput("Only a client admin can instruct the processor.")
    has_subject = spec.subject_id is not None or spec.subject_user_id is not None
    if (spec.kind == Kind.DELETE_SUBJECT) != has_subject:
        raise InvalidInput("delete_subject names a subject; the other kinds name none.")
    if (spec.subject_request_id is None) != (spec.subject_request_due is None):
        raise InvalidInput("A subject request is given with its due date.")
    if spec.subject_request_id is not None and spec.kind != Kind.DELETE_SUBJECT:
        raise InvalidInput("Only delete_subject carries out a data-subject request.")


async def _tenant(session: AsyncSession, tenant_id: UUID) -> Tenant:
    tenant = await session.get(Tenant, tenant_id)
    if tenant is None:
        raise NotFound("Tenant")
    return tenant


def _check_confirmation(spec: NewInstruction, tenant: Tenant) -> None:
    """Offboarding deletes everything: the client admin types the tenant's slug back."""
    if spec.kind == Kind.OFFBOARD_TENANT and spec.confirm_slug != tenant.slug:
        raise InvalidInput.on_field(
            "confirm_slug",
            "offboarding deletes all of this tenant's data: give the tenant's slug to confirm",
        )


async def _subject_account(
    session: AsyncSession, tenant_id: UUID, spec: NewInstruction
) -> UUID | None:
    """The login account of the subject, recorded at receipt: the subject's own row (and
    with it the link) may be erased before the instruction runs."""
    catalog = await load_catalog(session)
    root = catalog.get(SUBJECT_ROOT)
    if root is None or USER_COLUMN not in root.columns:
        return None
    found = await session.scalar(
        text(f'SELECT "{USER_COLUMN}" FROM "{SUBJECT_ROOT}" WHERE tenant_id = :t AND id = :s'),
        {"t": tenant_id, "s": spec.subject_id},
    )
    return found if isinstance(found, UUID) else None


async def _check_subject(session: AsyncSession, tenant_id: UUID, spec: NewInstruction) -> None:
    """A client's delete_subject names an employee and/or a member of this tenant (422 naming
    the field otherwise; another tenant's rows are invisible here, like nobody's)."""
    if spec.subject_id is not None:
        account = await session.execute(
            text(f'SELECT "{USER_COLUMN}" FROM "{SUBJECT_ROOT}" WHERE tenant_id = :t AND id = :s'),
            {"t": tenant_id, "s": spec.subject_id},
        )
        row = account.first()
        if row is None:
            raise InvalidInput.on_field("subject_id", "no employee of this company has this id")
        if spec.subject_user_id is not None and row[0] not in (None, spec.subject_user_id):
            raise InvalidInput.on_field("subject_user_id", "is not that employee's login account")
    if spec.subject_user_id is not None:
        member = await session.scalar(
            select(Membership.user_id).where(
                Membership.tenant_id == tenant_id, Membership.user_id == spec.subject_user_id
            )
        )
        if member is None:
            raise InvalidInput.on_field("subject_user_id", "no member of this company has this id")


async def create_instruction(
    session: AsyncSession,
    tenant_id: UUID,
    spec: NewInstruction,
    by: Requester,
    *,
    audit: AuditLog,
    received_at: datetime | None = None,
    offboarding_grace: timedelta = OFFBOARDING_GRACE,
) -> Instruction:
    """Record a client instruction (received), compute its due date and schedule it.

    An offboarding needs ``spec.confirm_slug`` equal to the tenant's slug; its deletion
    starts ``offboarding_grace`` after receipt (the data is returned at once).

    ``session`` is the caller's tenant-scoped transaction; the job starts after it commits.
    Raises ``InvalidInput`` (422) for an inconsistent instruction and ``Conflict`` (409)
    when the tenant already has an open offboarding.
    """
    _validate(spec, by)
    tenant = await _tenant(session, tenant_id)
    _check_confirmation(spec, tenant)
    if spec.subject_request_id is None:  # the erasure's own link names an erased subject
        await _check_subject(session, tenant_id, spec)
    if spec.subject_id is not None and spec.subject_user_id is None:
        spec = replace(spec, subject_user_id=await _subject_account(session, tenant_id, spec))
    received = received_at or clock.now()
    due = instruction_due(
        received, tenant_calendar(tenant), subject_request_due=spec.subject_request_due
    )
    instruction = Instruction(
        tenant_id=tenant_id,
        id=new_id(),
        kind=spec.kind,
        status=Status.RECEIVED,
        subject_id=spec.subject_id,
        subject_user_id=spec.subject_user_id,
        subject_request_id=spec.subject_request_id,
        subject_request_due=spec.subject_request_due,
        requested_by=by.user_id,
        requested_by_role=by.role,
        received_at=received,
        due_on=due,
        job_ids=[],
        delivery_email_ids=[],
        deletion_starts_at=(
            received + offboarding_grace if spec.kind == Kind.OFFBOARD_TENANT else None
        ),
    )
    try:
        async with session.begin_nested():
            session.add(instruction)
            await session.flush()
    except IntegrityError as exc:
        raise Conflict("This tenant already has an offboarding instruction in progress.") from exc
    if spec.kind == Kind.OFFBOARD_TENANT:
        await revoke_all_for_offboarding(session, audit, tenant_id, Acting(by.user_id, by.role))
    client = By(Party.CLIENT, by.role, by.user_id)
    await record_event(session, audit, instruction, None, client, None)
    await schedule(session, audit, instruction, By.system())
    return instruction


async def schedule(
    session: AsyncSession,
    audit: AuditLog,
    instruction: Instruction,
    by: By,
    reason: str | None = None,
) -> None:
    """Move to scheduled and start the executor after commit."""
    await change_status(
        session,
        audit,
        instruction,
        Status.SCHEDULED,
        by,
        reason,
        disclosed=not instruction.withheld,
    )
    if instruction.status == Status.SCHEDULED:
        enqueue_after_commit(
            session, execute_instruction, str(instruction.tenant_id), str(instruction.id)
        )


async def update_subject_request_due(
    session: AsyncSession,
    tenant_id: UUID,
    instruction_id: UUID,
    subject_request_due: date,
) -> Instruction:
    """Recompute the due date after the subject request's due date changed (an extension)."""
    instruction = await require(session, tenant_id, instruction_id)
    if instruction.subject_request_id is None:
        raise Conflict("This instruction does not carry out a data-subject request.")
    tenant = await _tenant(session, tenant_id)
    instruction.subject_request_due = subject_request_due
    instruction.due_on = instruction_due(
        instruction.received_at, tenant_calendar(tenant), subject_request_due=subject_request_due
    )
    await session.flush()
    return instruction


async def get_instruction(
    session: AsyncSession, tenant_id: UUID, instruction_id: UUID
) -> Instruction:
    instruction = await session.scalar(
        select(Instruction).where(
            Instruction.tenant_id == tenant_id, Instruction.id == instruction_id
        )
    )
    if instruction is None:
        raise NotFound("Instruction")
    return instruction


async def list_instructions(
    session: AsyncSession, tenant_id: UUID, limit: int, offset: int
) -> list[Instruction]:
    rows = await session.scalars(
        select(Instruction)
        .where(Instruction.tenant_id == tenant_id)
        .order_by(Instruction.received_at.desc(), Instruction.id)
        .limit(limit)
        .offset(offset)
    )
    return list(rows.all())


async def history(
    session: AsyncSession, tenant_id: UUID, instruction_id: UUID, *, client_view: bool
) -> list[InstructionEvent]:
    query = (
        select(InstructionEvent)
        .where(
            InstructionEvent.tenant_id == tenant_id,
            InstructionEvent.instruction_id == instruction_id,
        )
        .order_by(InstructionEvent.at, InstructionEvent.id)
    )
    if client_view:
        query = query.where(InstructionEvent.disclosed.is_(True))
    return list((await session.scalars(query)).all())


async def progress(
    session: AsyncSession, tenant_id: UUID, instruction_id: UUID
) -> list[InstructionProgress]:
    rows = await session.scalars(
        select(InstructionProgress)
        .where(
            InstructionProgress.tenant_id == tenant_id,
            InstructionProgress.instruction_id == instruction_id,
        )
        .order_by(InstructionProgress.position)
    )
    return list(rows.all())


def client_status(instruction: Instruction) -> Status:
    """What the client is shown: a result withheld under an undisclosed legal hold shows
    as still in processing (the processor may not tell it more)."""
    status = Status(instruction.status)
    if instruction.withheld and status in (Status.PARTIALLY_COMPLETED, Status.SCHEDULED):
        return Status.IN_PROCESSING
    return status


async def cancel_by_client(
    session: AsyncSession,
    audit: AuditLog,
    tenant_id: UUID,
    instruction_id: UUID,
    by: Requester,
    reason: str,
) -> Instruction:
    instruction = await require(session, tenant_id, instruction_id)
    await change_status(
        session, audit, instruction, Status.CANCELED, By(Party.CLIENT, by.role, by.user_id), reason
    )
    return instruction


async def latest_certificate(
    session: AsyncSession, tenant_id: UUID, instruction_id: UUID
) -> DeletionCertificate:
    """The newest certificate visible in this scope (RLS hides withheld ones from tenants)."""
    certificate = await session.scalar(
        select(DeletionCertificate)
        .where(
            DeletionCertificate.tenant_id == tenant_id,
            DeletionCertificate.instruction_id == instruction_id,
        )
        .order_by(DeletionCertificate.issued_at.desc())
        .limit(1)
    )
    if certificate is None:
        raise NotFound("Certificate")
    return certificate


# --- Platform staff -----------------------------------------------------------------


async def queue(
    session: AsyncSession,
    now: datetime,
    *,
    statuses: Sequence[Status] = tuple(OPEN),
    limit: int = 50,
    offset: int = 0,
    instruction_id: UUID | None = None,
) -> list[QueueItem]:
    """Platform scope: open instructions of every tenant, earliest due first."""
    query = (
        select(Instruction, Tenant)
        .join(Tenant, Tenant.id == Instruction.tenant_id)
        .where(Instruction.status.in_([str(s) for s in statuses]))
        .order_by(Instruction.due_on, Instruction.received_at, Instruction.id)
        .limit(limit)
        .offset(offset)
    )
    if instruction_id is not None:
        query = query.where(Instruction.id == instruction_id)
    rows = await session.execute(query)
    items = []
    for instruction, tenant in rows.all():
        calendar = tenant_calendar(tenant)
        items.append(
            QueueItem(
                instruction,
                tenant.slug,
                tenant.name,
                calendar.business_days_left(instruction.due_on, now),
                str(instruction_escalation(instruction.due_on, now, calendar)),
            )
        )
    return items


async def tenant_of(database: Database, instruction_id: UUID) -> UUID:
    """Platform scope: which tenant an instruction belongs to (ids are unique)."""
    async with database.transaction(Scope.PLATFORM, read_only=True) as session:
        tenant_id = await session.scalar(
            select(Instruction.tenant_id).where(Instruction.id == instruction_id)
        )
    if tenant_id is None:
        raise NotFound("Instruction")
    return tenant_id


async def staff_change_status(
    database: Database,
    audit: AuditLog,
    instruction_id: UUID,
    target: Status,
    by: By,
    reason: str | None,
) -> Instruction:
    """Pause, resume, retry, reject or cancel. Audited in the tenant's chain, or in the
    platform's while the result is withheld from the client (an undisclosed legal hold)."""
    tenant_id = await tenant_of(database, instruction_id)
    async with database.transaction(Scope.PLATFORM, read_only=True) as session:
        withheld = bool(
            await session.scalar(
                select(Instruction.withheld).where(Instruction.id == instruction_id)
            )
        )
    scope, scoped_tenant = (Scope.PLATFORM, None) if withheld else (Scope.TENANT, tenant_id)
    async with database.transaction(scope, scoped_tenant) as session:
        instruction = await require(session, tenant_id, instruction_id)
        if target == Status.SCHEDULED:
            if Status(instruction.status) == Status.FAILED:
                instruction.attempts = 0  # a retry starts a fresh budget, from where it failed
            await schedule(session, audit, instruction, by, reason)
        else:
            await change_status(
                session, audit, instruction, target, by, reason, disclosed=not instruction.withheld
            )
        return instruction


async def retry_failed(
    database: Database,
    audit: AuditLog,
    by: By,
    instruction_ids: Sequence[UUID] | None = None,
) -> list[UUID]:
    """Re-process failed instructions (the given ones, or all), each from where it failed."""
    async with database.transaction(Scope.PLATFORM, read_only=True) as session:
        query = select(Instruction.id).where(Instruction.status == Status.FAILED)
        if instruction_ids is not None:
            query = query.where(Instruction.id.in_(list(instruction_ids)))
        failed = list((await session.scalars(query.order_by(Instruction.due_on))).all())
    retried = []
    for instruction_id in failed:
        await staff_change_status(
            database, audit, instruction_id, Status.SCHEDULED, by, "retry after failure"
        )
        retried.append(instruction_id)
    return retried


async def reschedule_after_release(
    database: Database, audit: AuditLog, released: LegalHold
) -> list[UUID]:
    """After a hold is released: the partially completed instructions it covered run again,
    so what the hold kept back can now be deleted (a hold on another subject leaves a
    subject's instruction alone). A change the client may be told of is audited in the
    tenant's chain; one withheld from it, in the platform's."""
    tenant_id = released.tenant_id
    [hold] = (await with_both_ids(database, tenant_id, HoldsInForce((hold_ref(released),)))).holds
    async with database.transaction(Scope.PLATFORM, read_only=True) as session:
        rows = await session.execute(
            select(
                Instruction.id,
                Instruction.withheld,
                Instruction.kind,
                Instruction.subject_id,
                Instruction.subject_user_id,
            ).where(
                Instruction.tenant_id == tenant_id,
                Instruction.status == Status.PARTIALLY_COMPLETED,
            )
        )
        found = [
            (instruction_id, withheld)
            for instruction_id, withheld, kind, subject_id, user_id in rows.all()
            if kind != Kind.DELETE_SUBJECT or hold.covers(subject_id, user_id)
        ]
    rescheduled = []
    for instruction_id, withheld in found:
        scope = Scope.PLATFORM if withheld else Scope.TENANT
        async with database.transaction(scope, None if withheld else tenant_id) as session:
            instruction = await load_for_update(session, tenant_id, instruction_id)
            if instruction is None or instruction.status != Status.PARTIALLY_COMPLETED:
                continue
            await schedule(session, audit, instruction, By.system(), "legal hold released")
        rescheduled.append(instruction_id)
    return rescheduled


# --- Returned data and public receipts --------------------------------------------------


async def export_for_download(
    session: AsyncSession, tenant_id: UUID, instruction_id: UUID
) -> DataExport:
    """The instruction's export with its content (tenant scope); counts the download."""
    instruction = await get_instruction(session, tenant_id, instruction_id)
    if instruction.export_id is None:
        raise NotFound("Export")
    export = await session.scalar(
        select(DataExport)
        .options(undefer(DataExport.content))
        .where(DataExport.tenant_id == tenant_id, DataExport.id == instruction.export_id)
    )
    if export is not None and export.deleted_reason is not None:
        raise Gone(export.deleted_reason, reason="withdrawn")
    if export is None or export.content is None or export.expires_at <= clock.now():
        raise Gone("The returned data has expired and was deleted.", reason="expired")
    export.downloads += 1
    return export


async def instruction_by_receipt(
    database: Database, master_key: bytes, instruction_id: UUID, token: str, lifetime: timedelta
) -> Instruction:
    """Platform scope, for the public receipt links; a wrong token is indistinguishable
    from an unknown instruction. A link works while the instruction is open and for
    ``lifetime`` after it finished; then it is gone (410)."""
    if not check_receipt_token(master_key, instruction_id, token):
        raise NotFound("Instruction")
    async with database.transaction(Scope.PLATFORM, read_only=True) as session:
        instruction = await session.scalar(
            select(Instruction).where(Instruction.id == instruction_id)
        )
    if instruction is None:
        raise NotFound("Instruction")
    if instruction.finished_at is not None:
        expired = instruction.finished_at + lifetime
        if expired <= clock.now():
            raise Gone(
                f"This receipt link expired on {expired.date().isoformat()}, "
                f"{lifetime.days} days after the instruction finished."
            )
    return instruction


async def visible_certificate(
    database: Database, instruction: Instruction, *, client: bool
) -> DeletionCertificate:
    """The newest certificate; for the client only one it may be shown."""
    async with database.transaction(Scope.PLATFORM, read_only=True) as session:
        query = (
            select(DeletionCertificate)
            .where(
                DeletionCertificate.tenant_id == instruction.tenant_id,
                DeletionCertificate.instruction_id == instruction.id,
            )
            .order_by(DeletionCertificate.issued_at.desc())
            .limit(1)
        )
        if client:
            query = query.where(DeletionCertificate.client_visible.is_(True))
        certificate = await session.scalar(query)
    if certificate is None:
        raise NotFound("Certificate")
    return certificate
