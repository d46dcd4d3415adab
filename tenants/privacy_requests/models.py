"""Privacy requests, their timeline, their exports, and the public intake.

``privacy_requests``, ``privacy_request_events`` and ``privacy_exports`` are tenant
tables (RLS forced, no platform access): a request is the controller's business.
``privacy_intake`` has no tenant: it holds a public submission for the moment between
the intake and the job that routes it to the tenants holding data for the address, and
only the ``auth`` scope (identity look-ups) may touch it.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    false,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from timeward.db.base import Base, CreatedAt, TenantScoped, new_id


class RequestType(enum.StrEnum):
    ACCESS = "access"
    RECTIFICATION = "rectification"
    ERASURE = "erasure"
    RESTRICTION = "restriction"
    PORTABILITY = "portability"
    OBJECTION = "objection"
    CONSENT_WITHDRAWAL = "consent_withdrawal"


class ObjectionTarget(enum.StrEnum):
    """What an objection is against (docs/privacy-requests.md, "Objections")."""

    LOCATION = "location"
    DIRECTORY = "directory"
    MARKETING = "marketing"


class TransferState(enum.StrEnum):
    """A portability request's transfer to the organisation the requester named."""

    AWAITING = "awaiting"  # the export is ready; the requester has not confirmed yet
    SENT = "sent"  # confirmed: the recipient was mailed an expiring link
    CANCELLED = "cancelled"  # the requester cancelled before confirming


class Channel(enum.StrEnum):
    APP = "app"  # filed by a signed-in member of the tenant, for themselves
    PUBLIC = "public"  # filed at the public intake with an e-mail address
    OPENDSR = "opendsr"  # sent by the controller's own privacy tool (docs/machine-api.md)


class FulfilmentState(enum.StrEnum):
    NONE = "none"  # nothing done yet
    QUEUED = "queued"  # a job will build the export / run the erasure
    RUNNING = "running"  # erasure: the tenant's part is done, the login identity is next
    DONE = "done"
    FAILED = "failed"  # the job gave up after its retries; a client admin may start again


def _one_of(column: str, values: type[enum.StrEnum]) -> str:
    return f"{column} IN ({', '.join(repr(v.value) for v in values)})"


def _members_fk(column: str) -> ForeignKeyConstraint:
    return ForeignKeyConstraint(
        ["tenant_id", column], ["memberships.tenant_id", "memberships.user_id"]
    )


STATUSES = (
    "received",
    "identity_pending",
    "in_progress",
    "extended",
    "completed",
    "refused",
)


class PrivacyRequest(TenantScoped, CreatedAt, Base):
    __tablename__ = "privacy_requests"
    __table_args__ = (
        CheckConstraint(_one_of("request_type", RequestType), name="request_type"),
        CheckConstraint(f"status IN ({', '.join(repr(s) for s in STATUSES)})", name="status"),
        CheckConstraint(_one_of("channel", Channel), name="channel"),
        CheckConstraint(
            f"objection_target IS NULL OR (request_type = 'objection' AND "
            f"{_one_of('objection_target', ObjectionTarget)})",
            name="objection_target",
        ),
        CheckConstraint(
            "(recipient_email IS NULL) = (recipient_name IS NULL) AND "
            "(recipient_email IS NULL OR request_type = 'portability')",
            name="recipient",
        ),
        CheckConstraint(
            f"transfer_state IS NULL OR {_one_of('transfer_state', TransferState)}",
            name="transfer_state",
        ),
        CheckConstraint(_one_of("fulfilment_state", FulfilmentState), name="fulfilment_state"),
        CheckConstraint("due_date >= original_due_date", name="due_not_earlier"),
        CheckConstraint("fulfilment_attempts >= 0", name="fulfilment_attempts"),
        ForeignKeyConstraint(
            ["tenant_id", "subject_employee_id"], ["employees.tenant_id", "employees.id"]
        ),
        _members_fk("subject_user_id"),
        _members_fk("requester_user_id"),
        _members_fk("identity_verified_by"),
        _members_fk("decided_by"),
        _members_fk("fulfilment_by"),
        Index("ix_privacy_requests_tenant_id_status_due_date", "tenant_id", "status", "due_date"),
        Index("ix_privacy_requests_tenant_id_requester_user_id", "tenant_id", "requester_user_id"),
        Index(
            "ix_privacy_requests_tenant_id_subject_employee_id", "tenant_id", "subject_employee_id"
        ),
        Index("uq_privacy_requests_tenant_id_intake_id", "tenant_id", "intake_id", unique=True),
    )

    tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    request_type: Mapped[str] = mapped_column(String(24))
    objection_target: Mapped[str | None] = mapped_column(String(16))  # objections only
    status: Mapped[str] = mapped_column(String(24))
    channel: Mapped[str] = mapped_column(String(8))
    # Whose data: the employee record and/or the login account in this tenant.
    subject_employee_id: Mapped[UUID | None]
    subject_user_id: Mapped[UUID | None]
    requester_user_id: Mapped[UUID | None]  # who filed it in the app (None: public intake)
    intake_id: Mapped[UUID | None]  # the public submission it came from
    contact_email: Mapped[str | None] = mapped_column(Text)  # where answers go
    details: Mapped[str | None] = mapped_column(Text)  # the requester's own words
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # The jurisdiction the deadline was counted in (kept: a later change of the tenant's
    # country does not move an existing deadline).
    calendar_country: Mapped[str] = mapped_column(String(2))
    calendar_subdivision: Mapped[str | None] = mapped_column(String(8))
    original_due_date: Mapped[date] = mapped_column(Date)
    due_date: Mapped[date] = mapped_column(Date)
    identity_verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    identity_method: Mapped[str | None] = mapped_column(String(32))
    identity_verified_by: Mapped[UUID | None]
    extension_reason: Mapped[str | None] = mapped_column(Text)
    extended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    refusal_reason: Mapped[str | None] = mapped_column(Text)
    completion_note: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by: Mapped[UUID | None]
    fulfilment_state: Mapped[str] = mapped_column(
        String(16), default=FulfilmentState.NONE, server_default=FulfilmentState.NONE.value
    )
    fulfilment_requested_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    fulfilment_by: Mapped[UUID | None]
    fulfilment_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    fulfilled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    fulfilment_report: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    # Erasure: the login identity still to be checked (removed unless used elsewhere).
    identity_removal_user_id: Mapped[UUID | None]
    # The seam to the processor (client instructions): see processor.py.
    processor_instruction_requested_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True)
    )
    processor_instruction_id: Mapped[UUID | None]
    # Erasure: the requester's contact is cleared once the final answer has been sent.
    contact_scrub_pending: Mapped[bool] = mapped_column(default=False, server_default=false())
    overdue_notified_on: Mapped[date | None] = mapped_column(Date)
    # Portability to another organisation: who the requester named, and the transfer.
    recipient_name: Mapped[str | None] = mapped_column(Text)
    recipient_email: Mapped[str | None] = mapped_column(Text)
    transfer_state: Mapped[str | None] = mapped_column(String(16))
    transfer_export_id: Mapped[UUID | None]  # the export whose link went to the recipient
    transfer_confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )


class PrivacyRequestEvent(TenantScoped, Base):
    """One step of a request: a status change or a fulfilment step, with the words the
    requester is shown (``message``, in English; None for steps only the employer sees).
    ``message_key`` and ``message_values`` keep the same words untranslated, so a page
    says them in its reader's language (NULL on steps recorded before migration 0013)."""

    __tablename__ = "privacy_request_events"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "request_id"], ["privacy_requests.tenant_id", "privacy_requests.id"]
        ),
        Index(
            "uq_privacy_request_events_tenant_id_request_id_seq",
            "tenant_id",
            "request_id",
            "seq",
            unique=True,
        ),
    )

    tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    request_id: Mapped[UUID]
    seq: Mapped[int] = mapped_column(Integer)  # 1, 2, ... per request: the timeline's order
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    action: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(24))
    to_status: Mapped[str] = mapped_column(String(24))
    actor_role: Mapped[str | None] = mapped_column(String(32))
    message: Mapped[str | None] = mapped_column(Text)
    message_key: Mapped[str | None] = mapped_column(Text)
    message_values: Mapped[dict[str, str] | None] = mapped_column(JSONB)


class PrivacyExport(TenantScoped, CreatedAt, Base):
    """The zip of an access or portability request; ``content`` is dropped at expiry."""

    __tablename__ = "privacy_exports"
    __table_args__ = (
        CheckConstraint("(content IS NULL) = (deleted_at IS NOT NULL)", name="deleted"),
        ForeignKeyConstraint(
            ["tenant_id", "request_id"], ["privacy_requests.tenant_id", "privacy_requests.id"]
        ),
        Index("ix_privacy_exports_tenant_id_request_id", "tenant_id", "request_id"),
        Index(
            "ix_privacy_exports_tenant_id_expires_at_live",
            "tenant_id",
            "expires_at",
            postgresql_where=text("content IS NOT NULL"),
        ),
    )

    tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    request_id: Mapped[UUID]
    schema_version: Mapped[str] = mapped_column(String(16))
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class PrivacyIntake(Base):
    """A public submission waiting to be routed (auth scope only; deleted once routed)."""

    __tablename__ = "privacy_intake"
    __table_args__ = (
        CheckConstraint(_one_of("request_type", RequestType), name="request_type"),
        Index("ix_privacy_intake_enqueued_at", "enqueued_at"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    email: Mapped[str] = mapped_column(Text)
    request_type: Mapped[str] = mapped_column(String(24))
    details: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    enqueued_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
