"""How loaded rows become the response structs of :mod:`timeward.instructions.schemas`.

Views only build: what they show is loaded beforehand by the services, never row by row.
"""

from __future__ import annotations

from timeward.instructions.models import (
    DeletionCertificate,
    Instruction,
    InstructionEvent,
    InstructionProgress,
    LegalHold,
)
from timeward.instructions.queries import Detail, QueueItem, client_status
from timeward.instructions.schemas import (
    CertificateView,
    CreatedInstruction,
    EventView,
    HoldView,
    InstructionDetail,
    InstructionView,
    ProgressView,
    PublicInstructionView,
    QueueItemView,
)
from timeward.instructions.states import Status, open_dsr_status


def instruction_view(instruction: Instruction, *, client: bool) -> InstructionView:
    status = client_status(instruction) if client else Status(instruction.status)
    hidden = client and instruction.withheld
    return InstructionView(
        id=instruction.id,
        tenant_id=instruction.tenant_id,
        kind=instruction.kind,
        status=str(status),
        open_dsr_status=str(open_dsr_status(status)),
        subject_id=instruction.subject_id,
        subject_user_id=instruction.subject_user_id,
        subject_request_id=instruction.subject_request_id,
        requested_by=instruction.requested_by,
        requested_by_role=instruction.requested_by_role,
        received_at=instruction.received_at,
        due_on=instruction.due_on,
        status_reason=None if hidden else instruction.status_reason,
        started_at=instruction.started_at,
        finished_at=None if hidden else instruction.finished_at,
        certificate_id=None if hidden else instruction.certificate_id,
        export_id=instruction.export_id,
        deletion_starts_at=instruction.deletion_starts_at,
    )


def event_view(event: InstructionEvent) -> EventView:
    return EventView(
        event.at, event.from_status, event.to_status, event.actor_id, event.actor_role, event.reason
    )


def progress_view(row: InstructionProgress, *, hide_holds: bool) -> ProgressView:
    if hide_holds and row.held:
        return ProgressView(
            row.table_name, row.removed, row.anonymised, 0, row.exported, None, False
        )
    return ProgressView(
        row.table_name, row.removed, row.anonymised, row.retained, row.exported, row.basis, row.done
    )


def progress_summary(instruction: Instruction, rows: list[InstructionProgress]) -> tuple[int, int]:
    """(tables done, tables) as the client may see them (a withheld result hides what
    its holds kept, as :func:`detail_view` does)."""
    views = [progress_view(r, hide_holds=instruction.withheld) for r in rows]
    return sum(1 for v in views if v.done), len(views)


def certificate_view(certificate: DeletionCertificate) -> CertificateView:
    return CertificateView(
        certificate.id,
        certificate.instruction_id,
        certificate.issued_at,
        certificate.kid,
        certificate.payload,
        certificate.jws,
    )


def queue_view(item: QueueItem) -> QueueItemView:
    i = item.instruction
    return QueueItemView(
        id=i.id,
        tenant_id=i.tenant_id,
        tenant_slug=item.tenant_slug,
        tenant_name=item.tenant_name,
        kind=i.kind,
        status=i.status,
        phase=i.phase,
        received_at=i.received_at,
        due_on=i.due_on,
        business_days_left=item.business_days_left,
        escalation=item.escalation,
        attempts=i.attempts,
        last_error=i.last_error,
        withheld=i.withheld,
        updated_at=i.updated_at,
        status_reason=i.status_reason,
    )


def hold_view(hold: LegalHold) -> HoldView:
    return HoldView(
        hold.id,
        hold.tenant_id,
        hold.scope,
        hold.subject_id,
        hold.subject_user_id,
        hold.basis,
        hold.reference,
        hold.client_may_be_told,
        hold.placed_at,
        hold.released_at,
        hold.release_reason,
        hold.review_on,
    )


def detail_view(detail: Detail, *, client: bool) -> InstructionDetail:
    """For the client, what a withheld result keeps back is hidden."""
    hide_holds = client and detail.instruction.withheld
    return InstructionDetail(
        instruction_view(detail.instruction, client=client),
        [event_view(e) for e in detail.history],
        [progress_view(r, hide_holds=hide_holds) for r in detail.progress],
    )


def created_view(instruction: Instruction, token: str, links: dict[str, str]) -> CreatedInstruction:
    """The new instruction with its receipt token, given once, and its public links."""
    return CreatedInstruction(instruction_view(instruction, client=True), token, links)


def public_view(instruction: Instruction) -> PublicInstructionView:
    """What a receipt link shows: status and dates, less while the result is withheld."""
    status = client_status(instruction)
    hidden = instruction.withheld
    return PublicInstructionView(
        instruction.id,
        instruction.kind,
        str(status),
        str(open_dsr_status(status)),
        instruction.received_at,
        instruction.due_on,
        None if hidden else instruction.finished_at,
        instruction.certificate_id is not None and not hidden,
        instruction.deletion_starts_at,
    )
