"""Audit tables. The application role may INSERT and SELECT ``audit_events`` only."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import BigInteger, DateTime, Identity, Index, LargeBinary, String, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from timeward.db.base import Base, new_id


class AuditEvent(Base):
    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_tenant_id_at", "tenant_id", "at"),)

    tenant_id: Mapped[UUID] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    id: Mapped[UUID] = mapped_column(default=new_id)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    actor_id: Mapped[UUID | None]
    actor_role: Mapped[str | None] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(64))
    subject_type: Mapped[str | None] = mapped_column(String(64))
    subject_id: Mapped[UUID | None]
    request_id: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    identity_digest: Mapped[bytes] = mapped_column(LargeBinary)
    prev_digest: Mapped[bytes] = mapped_column(LargeBinary)
    digest: Mapped[bytes] = mapped_column(LargeBinary)


class AuditChainHead(Base):
    """The last link of each tenant's chain; locked while an event is appended."""

    __tablename__ = "audit_chain_heads"

    tenant_id: Mapped[UUID] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    digest: Mapped[bytes] = mapped_column(LargeBinary)
    # Where the chain now starts after retention purged its oldest events (0: at genesis).
    floor_seq: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    floor_digest: Mapped[bytes | None] = mapped_column(LargeBinary)


class AuditPendingRead(Base):
    """A staff read of personal data made while the head was held; not yet chained.

    Folded into ``audit_events`` (in ``n`` order) by the tenant's next append or
    free-head read, by every listing or verification of the log, and each minute by a job.
    """

    __tablename__ = "audit_pending_reads"

    tenant_id: Mapped[UUID] = mapped_column(primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    id: Mapped[UUID]
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor_id: Mapped[UUID | None]
    actor_role: Mapped[str | None] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(64))
    subject_type: Mapped[str | None] = mapped_column(String(64))
    subject_id: Mapped[UUID | None]
    request_id: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    identity_digest: Mapped[bytes] = mapped_column(LargeBinary)
