"""The incident (platform-only processor metadata) and one notice row per affected tenant.

``breaches`` has no tenant: it may name several clients and is readable only in
platform scope. ``breach_notices`` is tenant-scoped (RLS forced) with platform
read/write: the platform creates and follows the notices, each client sees only its
own. A notice keeps a copy of what the client was told (``content``), since the
client cannot read the incident row itself.
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
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.dialects.postgresql import UUID as PG_UUID
from sqlalchemy.orm import Mapped, mapped_column

from timeward.db.base import Base, CreatedAt, new_id
from timeward.notices.delivery import NoticeDelivery


class AffectedBasis(enum.StrEnum):
    """Why a tenant is affected; the first that applies, in this order."""

    NAMED = "named"  # the tenant was named explicitly
    SUB_PROCESSOR = "sub_processor"  # it uses an affected sub-processor
    ALL_TENANTS = "all_tenants"  # the incident affects every client


class Breach(CreatedAt, Base):
    __tablename__ = "breaches"
    __table_args__ = (
        CheckConstraint("approx_subjects >= 0", name="approx_subjects"),
        CheckConstraint("approx_records >= 0", name="approx_records"),
        Index("ix_breaches_discovered_at", "discovered_at"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    title: Mapped[str] = mapped_column(Text)
    discovered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    description: Mapped[str] = mapped_column(Text)  # the nature of the breach
    data_categories: Mapped[list[str]] = mapped_column(ARRAY(Text))
    subject_categories: Mapped[list[str]] = mapped_column(ARRAY(Text))
    approx_subjects: Mapped[int | None]
    approx_records: Mapped[int | None]
    likely_consequences: Mapped[str | None] = mapped_column(Text)
    measures_taken: Mapped[str] = mapped_column(Text)
    measures_proposed: Mapped[str | None] = mapped_column(Text)
    contact_point: Mapped[str] = mapped_column(Text)
    affected: Mapped[dict[str, Any]] = mapped_column(JSONB)  # the selection as recorded
    recorded_by: Mapped[UUID | None]


class BreachNotice(NoticeDelivery, CreatedAt, Base):
    __tablename__ = "breach_notices"
    __table_args__ = (
        UniqueConstraint("tenant_id", "breach_id"),
        CheckConstraint("basis IN ('named', 'sub_processor', 'all_tenants')", name="basis"),
        Index(
            "ix_breach_notices_tenant_id_enqueued_at_pending",
            "tenant_id",
            "enqueued_at",
            postgresql_where=text("notified_at IS NULL"),
        ),
    )

    tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    breach_id: Mapped[UUID] = mapped_column(ForeignKey("breaches.id"))
    basis: Mapped[str] = mapped_column(String(16))
    # The calendar the deadline was counted in (country None: calendar days, see docs).
    calendar_country: Mapped[str | None] = mapped_column(String(2))
    calendar_subdivision: Mapped[str | None] = mapped_column(String(8))
    due_date: Mapped[date] = mapped_column(Date)
    content: Mapped[dict[str, Any]] = mapped_column(JSONB)  # what the client is told
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    acknowledged_by: Mapped[UUID | None]
    # What carried the notice (set when it is sent): staff see only how these fared, in
    # counts, through the ``breach_notice_delivery`` function (docs/accountability.md).
    email_ids: Mapped[list[UUID]] = mapped_column(ARRAY(PG_UUID(as_uuid=True)), default=list)
    notification_ids: Mapped[list[UUID]] = mapped_column(ARRAY(PG_UUID(as_uuid=True)), default=list)


class BreachFollowUpNotice(NoticeDelivery, CreatedAt, Base):
    """Information added to a breach after its notice (Art. 33(4): in phases), one row per
    tenant the breach concerns; delivered like the notice (mail and in-app)."""

    __tablename__ = "breach_follow_up_notices"
    __table_args__ = (
        UniqueConstraint("tenant_id", "follow_up_id"),
        Index(
            "ix_breach_follow_up_notices_tenant_id_enqueued_at_pending",
            "tenant_id",
            "enqueued_at",
            postgresql_where=text("notified_at IS NULL"),
        ),
        Index("ix_breach_follow_up_notices_tenant_id_breach_id", "tenant_id", "breach_id"),
    )

    tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    breach_id: Mapped[UUID] = mapped_column(ForeignKey("breaches.id"))
    follow_up_id: Mapped[UUID]
    information: Mapped[str] = mapped_column(Text)
    added_by: Mapped[UUID | None]
