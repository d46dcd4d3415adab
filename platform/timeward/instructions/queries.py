"""Reading instructions: one or a page of a tenant's, their history, progress and
certificate; the platform queue across tenants."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from timeward.db.queries import fetch_page
from timeward.db.session import Database, Scope
from timeward.deadlines import instruction_escalation
from timeward.errors import NotFound
from timeward.identity.models import Tenant
from timeward.instructions.due import tenant_calendar
from timeward.instructions.models import (
    DeletionCertificate,
    Instruction,
    InstructionEvent,
    InstructionProgress,
    LegalHold,
)
from timeward.instructions.states import OPEN, Status
from timeward.paging import PageRequest

FIRST_PAGE = PageRequest()


@dataclass(frozen=True)
class QueueItem:
    instruction: Instruction
    tenant_slug: str
    tenant_name: str
    business_days_left: int
    escalation: str


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
    session: AsyncSession, tenant_id: UUID, page: PageRequest
) -> list[Instruction]:
    """Newest first; ``page.fetch`` rows (one more than a page: is there another?)."""
    return await fetch_page(
        session,
        select(Instruction)
        .where(Instruction.tenant_id == tenant_id)
        .order_by(Instruction.received_at.desc(), Instruction.id),
        page,
    )


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


async def progress_by_instruction(
    session: AsyncSession, tenant_id: UUID, instruction_ids: Sequence[UUID]
) -> dict[UUID, list[InstructionProgress]]:
    """The per-table progress of several instructions in one query (for a list)."""
    found: dict[UUID, list[InstructionProgress]] = {i: [] for i in instruction_ids}
    if not instruction_ids:
        return found
    rows = await session.scalars(
        select(InstructionProgress)
        .where(
            InstructionProgress.tenant_id == tenant_id,
            InstructionProgress.instruction_id.in_(list(instruction_ids)),
        )
        .order_by(InstructionProgress.instruction_id, InstructionProgress.position)
    )
    for row in rows.all():
        found[row.instruction_id].append(row)
    return found


def client_status(instruction: Instruction) -> Status:
    """What the client is shown: a result withheld under an undisclosed legal hold shows
    as still in processing (the processor may not tell it more)."""
    status = Status(instruction.status)
    if instruction.withheld and status in (Status.PARTIALLY_COMPLETED, Status.SCHEDULED):
        return Status.IN_PROCESSING
    return status


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


async def queue(
    session: AsyncSession,
    now: datetime,
    *,
    statuses: Sequence[Status] = tuple(OPEN),
    page: PageRequest = FIRST_PAGE,
    instruction_id: UUID | None = None,
) -> list[QueueItem]:
    """Platform scope: open instructions of every tenant, earliest due first (``page.fetch``
    rows: one more than a page tells whether another follows)."""
    query = (
        select(Instruction, Tenant)
        .join(Tenant, Tenant.id == Instruction.tenant_id)
        .where(Instruction.status.in_([str(s) for s in statuses]))
        .order_by(Instruction.due_on, Instruction.received_at, Instruction.id)
        .limit(page.fetch)
        .offset(page.offset)
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


async def staff_queue_item(database: Database, now: datetime, instruction_id: UUID) -> QueueItem:
    """Platform scope: one instruction as the queue shows it, whatever its status."""
    async with database.transaction(Scope.PLATFORM, read_only=True) as session:
        items = await queue(session, now, statuses=tuple(Status), instruction_id=instruction_id)
    if not items:
        raise NotFound("Instruction")
    return items[0]


@dataclass(frozen=True)
class Detail:
    """An instruction with its status history and per-table progress."""

    instruction: Instruction
    history: list[InstructionEvent]
    progress: list[InstructionProgress]


async def detail(
    session: AsyncSession, tenant_id: UUID, instruction_id: UUID, *, client_view: bool
) -> Detail:
    """The client's view hides the history it may not be told of."""
    return Detail(
        await get_instruction(session, tenant_id, instruction_id),
        await history(session, tenant_id, instruction_id, client_view=client_view),
        await progress(session, tenant_id, instruction_id),
    )


async def staff_detail(database: Database, instruction_id: UUID) -> Detail:
    """Platform scope: any tenant's instruction, its full history and progress."""
    tenant_id = await tenant_of(database, instruction_id)
    async with database.transaction(Scope.PLATFORM, read_only=True) as session:
        return await detail(session, tenant_id, instruction_id, client_view=False)


async def progress_totals(
    session: AsyncSession, instruction_ids: Sequence[UUID]
) -> dict[UUID, tuple[int, int]]:
    """Per instruction, its tables done and its tables planned (one query for the page of
    the queue; the executor plans a progress row per table before it starts)."""
    if not instruction_ids:
        return {}
    rows = await session.execute(
        select(
            InstructionProgress.instruction_id,
            func.count().filter(InstructionProgress.done.is_(True)),
            func.count(),
        )
        .where(InstructionProgress.instruction_id.in_(list(instruction_ids)))
        .group_by(InstructionProgress.instruction_id)
    )
    return {instruction_id: (done, planned) for instruction_id, done, planned in rows.all()}


async def kept_by_holds(
    session: AsyncSession, holds: Sequence[LegalHold]
) -> dict[UUID, list[UUID]]:
    """Per legal hold, the instructions whose rows it keeps: their progress rows retained
    under a hold name it (``HoldRef.describe``). Platform scope."""
    if not holds:
        return {}
    rows = await session.execute(
        select(InstructionProgress.instruction_id, InstructionProgress.basis)
        .where(
            InstructionProgress.tenant_id.in_({hold.tenant_id for hold in holds}),
            InstructionProgress.held.is_(True),
        )
        .distinct()
    )
    found = rows.all()
    return {
        hold.id: sorted(
            {i for i, basis in found if basis and f"legal hold {hold.id} " in basis}, key=str
        )
        for hold in holds
    }
