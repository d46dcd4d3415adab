"""The privacy-request API's request and response bodies (msgspec structs, no I/O)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec

from tenants.employees.schemas import PersonalDetailsChange
from tenants.privacy_requests.models import ObjectionTarget, RequestType
from timeward.fields import Email

Details = Annotated[str, msgspec.Meta(min_length=1, max_length=4000, pattern=r"\S")]
Reason = Annotated[
    str,
    msgspec.Meta(min_length=1, max_length=4000, pattern=r"\S", description="Sent to the requester"),
]
IdentityMethod = Literal["in_person", "id_document", "known_contact", "email_confirmation", "other"]


OrganisationName = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=r"\S")]


class RecipientBody(msgspec.Struct, forbid_unknown_fields=True):
    """The organisation a portability request's data is to go to, once you confirm."""

    name: OrganisationName
    email: Email


class NewPrivacyRequest(msgspec.Struct, forbid_unknown_fields=True):
    request_type: RequestType
    details: Details | None = None  # in your own words, optional
    # objections only: what it is against (none: marketing and the directory)
    objection_target: ObjectionTarget | None = None
    # portability only: send the export to this organisation (after you confirm)
    recipient: RecipientBody | None = None


class PublicPrivacyRequest(msgspec.Struct, forbid_unknown_fields=True):
    email: Email
    text: Details
    request_type: RequestType = RequestType.ACCESS


class IdentityBody(msgspec.Struct, forbid_unknown_fields=True):
    method: IdentityMethod
    note: Details | None = None  # joins the timeline message the requester reads


class LiftBody(msgspec.Struct, forbid_unknown_fields=True):
    reason: Reason  # told to the person before the restriction is lifted


class TableCountView(msgspec.Struct):
    table: str
    label: str
    rows: int


class ExportPreview(msgspec.Struct):
    """What the export would hold now: per table, the rows about the subject."""

    tables: list[TableCountView]
    total_rows: int


class ErasurePreview(msgspec.Struct):
    """What the erasure would do now, in the shape of its report (fulfilment.report)."""

    report: dict[str, Any]


class ExtensionBody(msgspec.Struct, forbid_unknown_fields=True):
    due_date: date
    reason: Reason


class RefusalBody(msgspec.Struct, forbid_unknown_fields=True):
    reason: Reason


class CompletionBody(msgspec.Struct, forbid_unknown_fields=True):
    note: Details | None = None


class RectificationBody(PersonalDetailsChange, forbid_unknown_fields=True):
    """The corrected details; only those given change (null clears an optional one)."""


class DeadlineView(msgspec.Struct):
    due_date: date
    original_due_date: date
    latest_extension_date: date | None  # null: this jurisdiction allows no extension
    days_left: int  # 0 on the due day, negative once overdue
    traffic_light: str  # green | amber | red
    overdue: bool


class IdentityView(msgspec.Struct):
    verified: bool
    verified_at: datetime | None
    method: str | None


class FulfilmentView(msgspec.Struct):
    state: str
    requested_at: datetime | None
    fulfilled_at: datetime | None
    attempts: int
    report: dict[str, Any] | None


class ExportView(msgspec.Struct):
    id: UUID
    schema_version: str
    created_at: datetime
    expires_at: datetime
    size_bytes: int
    sha256: str
    available: bool
    download: str | None


class EventView(msgspec.Struct):
    at: datetime
    action: str
    from_status: str | None
    to_status: str
    actor_role: str | None
    message: str | None


class SubjectView(msgspec.Struct):
    employee_id: UUID | None
    user_id: UUID | None
    name: str | None


class ProcessorInstructionView(msgspec.Struct):
    requested_at: datetime | None
    instruction_id: UUID | None


class PrivacyRequestSummary(msgspec.Struct):
    id: UUID
    request_type: str
    status: str
    channel: str
    subject_name: str | None
    received_at: datetime
    deadline: DeadlineView
    identity_verified: bool
    fulfilment_state: str


class PrivacyRequestView(msgspec.Struct):
    id: UUID
    request_type: str
    objection_target: str | None
    status: str
    channel: str
    subject: SubjectView
    contact_email: str | None
    details: str | None
    received_at: datetime
    deadline: DeadlineView
    identity: IdentityView
    extension_reason: str | None
    refusal_reason: str | None
    completion_note: str | None
    fulfilment: FulfilmentView
    export: ExportView | None
    transfer: TransferView | None
    processor_instruction: ProcessorInstructionView
    allowed_actions: list[str]
    events: list[EventView]
    created_at: datetime
    updated_at: datetime


class ControllerView(msgspec.Struct):
    name: str
    role: str = "controller"


class MessageView(msgspec.Struct):
    at: datetime
    text: str


class TransferView(msgspec.Struct):
    """Portability to another organisation: who, and where the transfer stands
    (null state: the export is not built yet; awaiting, sent, cancelled)."""

    recipient_name: str
    recipient_email: str
    state: str | None
    confirmed_at: datetime | None


class MyExportView(msgspec.Struct):
    available: bool
    expires_at: datetime
    download: str | None


class MyPrivacyRequestView(msgspec.Struct):
    """What the requester sees: who decides, by when, and every answer in words."""

    id: UUID
    request_type: str
    objection_target: str | None
    status: str
    controller: ControllerView
    explanation: str
    received_at: datetime
    due_date: date
    original_due_date: date
    identity_verified: bool
    extension_reason: str | None
    refusal_reason: str | None
    completion_note: str | None
    messages: list[MessageView]
    export: MyExportView | None
    transfer: TransferView | None


class PublicReceipt(msgspec.Struct):
    status: str
    reference: UUID
    message: str
