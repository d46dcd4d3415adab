"""msgspec structs at the HTTP edge, and how rows become them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec

from timeward.instructions.holds import HoldScope
from timeward.instructions.models import (
    DeletionCertificate,
    Instruction,
    InstructionEvent,
    InstructionProgress,
    LegalHold,
)
from timeward.instructions.service import QueueItem, client_status
from timeward.instructions.states import Kind, Status, open_dsr_status

Reason = Annotated[str, msgspec.Meta(min_length=3, max_length=2000)]
Text = Annotated[str, msgspec.Meta(min_length=3, max_length=2000)]
Reference = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


class NewInstructionBody(msgspec.Struct, forbid_unknown_fields=True):
    """The link to a data-subject request is set by the erasure flow only, never by a client."""

    kind: Kind
    subject_id: UUID | None = None
    subject_user_id: UUID | None = None
    confirm_slug: str | None = None


class CancelBody(msgspec.Struct, forbid_unknown_fields=True):
    reason: Reason


class InstructionView(msgspec.Struct):
    id: UUID
    tenant_id: UUID
    kind: str
    status: str
    open_dsr_status: str
    subject_id: UUID | None
    subject_user_id: UUID | None
    subject_request_id: UUID | None
    requested_by: UUID
    requested_by_role: str
    received_at: datetime
    due_on: date
    status_reason: str | None
    started_at: datetime | None
    finished_at: datetime | None
    certificate_id: UUID | None
    export_id: UUID | None
    deletion_starts_at: datetime | None


class EventView(msgspec.Struct):
    at: datetime
    from_status: str | None
    to_status: str
    actor_id: UUID | None
    actor_role: str
    reason: str | None


class ProgressView(msgspec.Struct):
    table: str
    removed: int
    anonymised: int
    retained: int
    exported: int
    basis: str | None
    done: bool


class InstructionDetail(msgspec.Struct):
    instruction: InstructionView
    history: list[EventView]
    progress: list[ProgressView]


class CreatedInstruction(msgspec.Struct):
    instruction: InstructionView
    receipt_token: str
    links: dict[str, str]


class CertificateView(msgspec.Struct):
    id: UUID
    instruction_id: UUID
    issued_at: datetime
    kid: str
    payload: dict[str, Any]
    jws: str


class PublicInstructionView(msgspec.Struct):
    id: UUID
    kind: str
    status: str
    open_dsr_status: str
    received_at: datetime
    due_on: date
    finished_at: datetime | None
    certificate_available: bool
    deletion_starts_at: datetime | None


class QueueItemView(msgspec.Struct):
    id: UUID
    tenant_id: UUID
    tenant_slug: str
    tenant_name: str
    kind: str
    status: str
    phase: str | None
    received_at: datetime
    due_on: date
    business_days_left: int
    escalation: str
    attempts: int
    last_error: str | None
    withheld: bool
    updated_at: datetime


class StaffStatusBody(msgspec.Struct, forbid_unknown_fields=True):
    status: Status
    reason: str | None = None


class RetryBody(msgspec.Struct, forbid_unknown_fields=True):
    instruction_ids: list[UUID] | None = None


class RetriedView(msgspec.Struct):
    retried: list[UUID]


class NewHoldBody(msgspec.Struct, forbid_unknown_fields=True):
    tenant_id: UUID
    scope: HoldScope
    basis: Text
    reference: Reference
    client_may_be_told: bool
    subject_id: UUID | None = None
    subject_user_id: UUID | None = None


class ReleaseBody(msgspec.Struct, forbid_unknown_fields=True):
    reason: Reason


class HoldView(msgspec.Struct):
    id: UUID
    tenant_id: UUID
    scope: str
    subject_id: UUID | None
    subject_user_id: UUID | None
    basis: str
    reference: str
    client_may_be_told: bool
    placed_at: datetime
    released_at: datetime | None
    release_reason: str | None


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
    )
