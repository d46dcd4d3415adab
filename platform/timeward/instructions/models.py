"""Instruction tables: processor metadata (no personal data; subjects by id only).

``instructions`` rows are written by the client admin (creation, cancel), by platform
staff (pause, resume, reject, retry) and by the executor (progress). What the client
instructed — kind, subject, requester, time of receipt — is immutable: a database
trigger refuses any change to it (migration 0007).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.dialects.postgresql import UUID as PG_UUID
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql import func

from timeward.db.base import Base, TenantScoped, new_id


class Instruction(TenantScoped, Base):
    __tablename__ = "instructions"

    tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(24))
    subject_id: Mapped[UUID | None]
    subject_user_id: Mapped[UUID | None]
    subject_request_id: Mapped[UUID | None]
    subject_request_due: Mapped[date | None] = mapped_column(Date)
    requested_by: Mapped[UUID]
    requested_by_role: Mapped[str] = mapped_column(String(32))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    due_on: Mapped[date] = mapped_column(Date)
    phase: Mapped[str | None] = mapped_column(String(32))
    status_reason: Mapped[str | None] = mapped_column(Text)
    withheld: Mapped[bool] = mapped_column(Boolean, default=False)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(200))
    enqueued_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    not_before: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
    job_ids: Mapped[list[str]] = mapped_column(ARRAY(Text), default=list)
    export_id: Mapped[UUID | None]
    delivery_email_ids: Mapped[list[UUID]] = mapped_column(
        ARRAY(PG_UUID(as_uuid=True)), default=list
    )
    escalation: Mapped[str] = mapped_column(String(16), default="ok")
    escalated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    data_key_destroyed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Offboarding: deletion starts no earlier (a client admin may cancel until then).
    deletion_starts_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    certificate_id: Mapped[UUID | None]


class InstructionEvent(TenantScoped, Base):
    """One status change. ``disclosed`` is false for changes the client may not be told
    about (a legal hold it may not know of); those stay out of the client's history."""

    __tablename__ = "instruction_events"

    instruction_id: Mapped[UUID]
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    from_status: Mapped[str | None] = mapped_column(String(24))
    to_status: Mapped[str] = mapped_column(String(24))
    actor_id: Mapped[UUID | None]
    actor_role: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str | None] = mapped_column(Text)
    disclosed: Mapped[bool] = mapped_column(Boolean, default=True)


class InstructionProgress(Base):
    """Per table: what the instruction removed, anonymised, retained (and why), exported."""

    __tablename__ = "instruction_progress"

    tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    instruction_id: Mapped[UUID] = mapped_column(primary_key=True)
    table_name: Mapped[str] = mapped_column(String(63), primary_key=True)
    position: Mapped[int]
    removed: Mapped[int] = mapped_column(BigInteger, default=0)
    anonymised: Mapped[int] = mapped_column(BigInteger, default=0)
    retained: Mapped[int] = mapped_column(BigInteger, default=0)
    exported: Mapped[int] = mapped_column(BigInteger, default=0)
    basis: Mapped[str | None] = mapped_column(Text)
    held: Mapped[bool] = mapped_column(Boolean, default=False)  # retained under a legal hold
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class LegalHold(TenantScoped, Base):
    __tablename__ = "legal_holds"

    scope: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[UUID | None]
    subject_user_id: Mapped[UUID | None]
    basis: Mapped[str] = mapped_column(Text)
    reference: Mapped[str] = mapped_column(Text)
    client_may_be_told: Mapped[bool] = mapped_column(Boolean)
    placed_by: Mapped[UUID]
    placed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    released_by: Mapped[UUID | None]
    released_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    release_reason: Mapped[str | None] = mapped_column(Text)
    review_on: Mapped[date | None] = mapped_column(Date)  # staff check the basis by then


class DeletionCertificate(TenantScoped, Base):
    __tablename__ = "deletion_certificates"

    instruction_id: Mapped[UUID]
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    kid: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
    jws: Mapped[str] = mapped_column(Text)
    client_visible: Mapped[bool] = mapped_column(Boolean)


class DataExportPart(Base):
    """A piece of an export's zip while it is being built (docs/performance.md)."""

    __tablename__ = "data_export_parts"

    tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    instruction_id: Mapped[UUID] = mapped_column(primary_key=True)
    part: Mapped[int] = mapped_column(primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class DataExport(Base):
    """The returned data: a zip of every tenant table (personal data; tenant scope only)."""

    __tablename__ = "data_exports"
    __table_args__ = (
        CheckConstraint("(content IS NULL) = (deleted_at IS NOT NULL)", name="deleted"),
    )

    tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    instruction_id: Mapped[UUID | None]
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    content: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    row_counts: Mapped[dict[str, int]] = mapped_column(JSONB)
    downloads: Mapped[int] = mapped_column(default=0)
    # The zip withdrawn before its expiry (an erasure removed a person it held): why.
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    deleted_reason: Mapped[str | None] = mapped_column(Text)
