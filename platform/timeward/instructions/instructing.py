"""Giving an instruction: a client admin (or the erasure flow) instructs the processor;
the client withdraws one; a subject request's new due date moves the instruction's.

Public entry point for other features (the privacy-request flow creates ``delete_subject``
instructions itself)::

    instruction = await create_instruction(
        session,            # the caller's tenant-scoped transaction
        tenant_id,
        NewInstruction(Kind.DELETE_SUBJECT, subject_id=employee_id,
                       subject_user_id=user_id_or_None,
                       subject_request_id=request.id,
                       subject_request_due=request.due_on),
        Acting(client_admin_user_id, "client_admin"),
        audit=services.audit,
    )

It is received and scheduled in the caller's transaction; the executor is enqueued once
that transaction commits. When the subject request's due date changes (an extension),
call :func:`update_subject_request_due`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from uuid import UUID

from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from timeward import clock
from timeward.acting import MACHINE_ROLE, SYSTEM, Acting
from timeward.audit.log import AuditLog
from timeward.datamap.catalog import load_catalog
from timeward.datamap.subject import SUBJECT_ROOT, USER_COLUMN
from timeward.db.base import new_id
from timeward.deadlines import instruction_due
from timeward.errors import Conflict, InvalidInput, NotFound
from timeward.identity.models import Membership, Tenant
from timeward.instructions.due import tenant_calendar
from timeward.instructions.models import Instruction
from timeward.instructions.records import change_status, record_event, require
from timeward.instructions.states import Kind, Status
from timeward.jobs.after_commit import start_after_commit
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


def _validate(spec: NewInstruction, by: Acting) -> UUID:
    """Check the instruction is consistent; returns the id of the client admin giving it."""
    if by.user_id is None or by.role not in (CLIENT_ADMIN, MACHINE_ROLE):
        raise InvalidInput(
            "Only a client admin (or its machine client) can instruct the processor."
        )
    has_subject = spec.subject_id is not None or spec.subject_user_id is not None
    if (spec.kind == Kind.DELETE_SUBJECT) != has_subject:
        raise InvalidInput("delete_subject names a subject; the other kinds name none.")
    if (spec.subject_request_id is None) != (spec.subject_request_due is None):
        raise InvalidInput("A subject request is given with its due date.")
    if spec.subject_request_id is not None and spec.kind != Kind.DELETE_SUBJECT:
        raise InvalidInput("Only delete_subject carries out a data-subject request.")
    return by.user_id


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


@dataclass(frozen=True)
class Preview:
    """What giving an instruction now would do: its due date in the tenant's calendar,
    for offboarding when deletion starts and the slug to type back."""

    kind: Kind
    received_at: datetime
    due_on: date
    deletion_starts_at: datetime | None
    tenant_slug: str


def _timing(
    spec: NewInstruction, tenant: Tenant, received: datetime, offboarding_grace: timedelta
) -> tuple[date, datetime | None]:
    """The due date (tenant's holiday calendar) and, for offboarding, the deletion start."""
    due = instruction_due(
        received, tenant_calendar(tenant), subject_request_due=spec.subject_request_due
    )
    starts = received + offboarding_grace if spec.kind == Kind.OFFBOARD_TENANT else None
    return due, starts


async def _checked(
    session: AsyncSession, tenant_id: UUID, spec: NewInstruction, by: Acting
) -> tuple[UUID, Tenant]:
    """The requester and the tenant, once the instruction is consistent and names a subject
    of this tenant (the erasure's own link names an erased subject: not checked)."""
    requester = _validate(spec, by)
    tenant = await _tenant(session, tenant_id)
    if spec.subject_request_id is None:
        await _check_subject(session, tenant_id, spec)
    return requester, tenant


async def preview_instruction(
    session: AsyncSession,
    tenant_id: UUID,
    spec: NewInstruction,
    by: Acting,
    *,
    offboarding_grace: timedelta = OFFBOARDING_GRACE,
) -> Preview:
    """The confirmation before :func:`create_instruction`: the same checks (but not the
    typed-back slug, which the confirmation asks for) and the same dates, nothing written."""
    _, tenant = await _checked(session, tenant_id, spec, by)
    received = clock.now()
    due, starts = _timing(spec, tenant, received, offboarding_grace)
    return Preview(spec.kind, received, due, starts, tenant.slug)


async def create_instruction(
    session: AsyncSession,
    tenant_id: UUID,
    spec: NewInstruction,
    by: Acting,
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
    requester, tenant = await _checked(session, tenant_id, spec, by)
    _check_confirmation(spec, tenant)
    if spec.subject_id is not None and spec.subject_user_id is None:
        spec = replace(spec, subject_user_id=await _subject_account(session, tenant_id, spec))
    received = received_at or clock.now()
    due, deletion_starts_at = _timing(spec, tenant, received, offboarding_grace)
    instruction = Instruction(
        tenant_id=tenant_id,
        id=new_id(),
        kind=spec.kind,
        status=Status.RECEIVED,
        subject_id=spec.subject_id,
        subject_user_id=spec.subject_user_id,
        subject_request_id=spec.subject_request_id,
        subject_request_due=spec.subject_request_due,
        requested_by=requester,
        requested_by_role=by.role,
        received_at=received,
        due_on=due,
        job_ids=[],
        delivery_email_ids=[],
        deletion_starts_at=deletion_starts_at,
    )
    try:
        async with session.begin_nested():
            session.add(instruction)
            await session.flush()
    except IntegrityError as exc:
        raise Conflict("This tenant already has an offboarding instruction in progress.") from exc
    if spec.kind == Kind.OFFBOARD_TENANT:
        await revoke_all_for_offboarding(session, audit, tenant_id, by)
    await record_event(session, audit, instruction, None, by, None)
    await schedule(session, audit, instruction, SYSTEM)
    return instruction


async def schedule(
    session: AsyncSession,
    audit: AuditLog,
    instruction: Instruction,
    by: Acting,
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
        start_after_commit(
            session, "execute_instruction", str(instruction.tenant_id), str(instruction.id)
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


async def cancel_by_client(
    session: AsyncSession,
    audit: AuditLog,
    tenant_id: UUID,
    instruction_id: UUID,
    by: Acting,
    reason: str,
) -> Instruction:
    instruction = await require(session, tenant_id, instruction_id)
    await change_status(session, audit, instruction, Status.CANCELED, by, reason)
    return instruction
