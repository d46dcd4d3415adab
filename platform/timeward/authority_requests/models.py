"""One row per request from an authority, under the tenant it concerns.

Tenant-scoped with forced RLS and platform read/write: staff keep the register across
tenants; the tenant's own sessions can reach its rows, and the service shows a client
only the rows it has been told of (``notified_at`` set), so a request under a
non-disclosure order stays invisible to it until the order lapses. The disclosure (the
export of exactly the scope) is kept on the row with its SHA-256 digest.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.dialects.postgresql import UUID as PG_UUID
from sqlalchemy.orm import Mapped, deferred, mapped_column

from timeward.db.base import Base, CreatedAt
from timeward.notices.delivery import NoticeDelivery


class OrderKind(enum.StrEnum):
    """A non-disclosure order: none, until a date (exclusive), or until staff review it."""

    NONE = "none"
    UNTIL_DATE = "until_date"
    UNTIL_REVIEWED = "until_reviewed"


class Decision(enum.StrEnum):
    FULL = "disclose_full"
    PARTIAL = "disclose_partial"
    REFUSE = "refuse"


class AuthorityRequest(NoticeDelivery, CreatedAt, Base):
    __tablename__ = "authority_requests"
    __table_args__ = (
        CheckConstraint(
            "order_kind IN ('none', 'until_date', 'until_reviewed')", name="order_kind"
        ),
        CheckConstraint(
            "decision IS NULL OR decision IN ('disclose_full', 'disclose_partial', 'refuse')",
            name="decision",
        ),
        CheckConstraint("order_kind <> 'until_date' OR order_until IS NOT NULL", name="until"),
        CheckConstraint(
            "order_kind <> 'until_reviewed' OR review_on IS NOT NULL", name="review_on"
        ),
        Index("ix_authority_requests_tenant_id_received_at", "tenant_id", "received_at"),
    )

    tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    authority: Mapped[str] = mapped_column(Text)
    instrument: Mapped[str] = mapped_column(Text)  # court order, subpoena, warrant, ...
    reference: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    deadline: Mapped[date | None] = mapped_column(Date)
    # The scope: subjects (employee ids), categories (data-map tables), a period of days.
    subject_ids: Mapped[list[UUID]] = mapped_column(ARRAY(PG_UUID(as_uuid=True)))
    categories: Mapped[list[str]] = mapped_column(ARRAY(Text))
    period_from: Mapped[date | None] = mapped_column(Date)
    period_to: Mapped[date | None] = mapped_column(Date)  # included
    order_kind: Mapped[str] = mapped_column(String(16), default=OrderKind.NONE)
    order_until: Mapped[date | None] = mapped_column(Date)
    review_on: Mapped[date | None] = mapped_column(Date)
    review_raised_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    order_ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decision: Mapped[str | None] = mapped_column(String(16))
    decision_reason: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by: Mapped[UUID | None]
    disclosed: Mapped[str | None] = mapped_column(Text)  # staff's words for what was given
    export_content: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    export_sha256: Mapped[str | None] = mapped_column(String(64))
    export_size: Mapped[int | None]
    export_tables: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    exported_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    recorded_by: Mapped[UUID | None]
