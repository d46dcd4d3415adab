"""The HTTP edge's shapes: request bodies and response structs (msgspec), no I/O."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec

from timeward.instructions.holds import HoldScope
from timeward.instructions.states import Kind, Status

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
    status_reason: str | None = None  # why it is held back, failed, paused or rejected


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
    review_on: date | None = None  # when staff check whether the basis still stands


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
    review_on: date | None = None
