"""Platform staff changing instructions: pause, resume, retry, reject, cancel; bulk retry;
placing and releasing legal holds, and running again what a released hold kept back."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from timeward.acting import SYSTEM, Acting
from timeward.audit.log import PLATFORM_CHAIN, AuditEntry, AuditLog
from timeward.db.session import Database, Scope
from timeward.errors import InvalidInput
from timeward.instructions.holds import (
    HoldsInForce,
    NewHold,
    hold_ref,
    place_hold,
    release_hold,
    with_both_ids,
)
from timeward.instructions.instructing import schedule
from timeward.instructions.models import Instruction, LegalHold
from timeward.instructions.queries import tenant_of
from timeward.instructions.records import change_status, load_for_update, require
from timeward.instructions.states import Kind, Status


async def staff_change_status(
    database: Database,
    audit: AuditLog,
    instruction_id: UUID,
    target: Status,
    by: Acting,
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
    by: Acting,
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
            await schedule(session, audit, instruction, SYSTEM, "legal hold released")
        rescheduled.append(instruction_id)
    return rescheduled


def _person(by: Acting) -> UUID:
    """Legal holds are placed and released by a named platform admin, never by a job."""
    if by.user_id is None:
        raise InvalidInput("A legal hold is placed and released by a person.")
    return by.user_id


async def place_legal_hold(
    session: AsyncSession, database: Database, audit: AuditLog, spec: NewHold, by: Acting
) -> LegalHold:
    """Platform scope (``session``); audited on the platform's chain, and on the tenant's
    when the client may be told of the hold."""
    hold = await place_hold(session, spec, _person(by))
    details = {"tenant_id": str(hold.tenant_id), "scope": hold.scope}
    await audit.append(
        session,
        PLATFORM_CHAIN,
        AuditEntry(
            "legal_hold.placed", by.user_id, by.role, "legal_hold", hold.id, details=details
        ),
    )
    if hold.client_may_be_told:
        entry = AuditEntry(
            "legal_hold.placed",
            by.user_id,
            by.role,
            "legal_hold",
            hold.id,
            details={"scope": hold.scope},
        )
        await audit.record(database, hold.tenant_id, entry)
    return hold


async def release_legal_hold(
    database: Database, audit: AuditLog, hold_id: UUID, by: Acting, reason: str
) -> LegalHold:
    """Release a hold (audited like its placing); the instructions it kept back run again."""
    released_by = _person(by)
    async with database.transaction(Scope.PLATFORM) as session:
        hold = await release_hold(session, hold_id, released_by, reason)
        await audit.append(
            session,
            PLATFORM_CHAIN,
            AuditEntry(
                "legal_hold.released",
                by.user_id,
                by.role,
                "legal_hold",
                hold.id,
                details={"tenant_id": str(hold.tenant_id)},
            ),
        )
    if hold.client_may_be_told:
        entry = AuditEntry("legal_hold.released", by.user_id, by.role, "legal_hold", hold.id)
        await audit.record(database, hold.tenant_id, entry)
    await reschedule_after_release(database, audit, hold)
    return hold
