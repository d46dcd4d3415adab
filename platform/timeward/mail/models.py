"""The outbox: one row per e-mail, the source of truth for its delivery."""

from __future__ import annotations

import enum
from datetime import datetime
from uuid import UUID

from sqlalchemy import CheckConstraint, DateTime, Index, String, Text, func, text
from sqlalchemy.orm import Mapped, mapped_column

from timeward.db.base import Base, CreatedAt, TenantScoped


class EmailStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class OutboundEmail(TenantScoped, CreatedAt, Base):
    """Recipient, subject and body are personal data: tenant-scoped, never logged.

    ``last_error`` holds an exception type and SMTP code only, never the server's
    text (which may quote the address).
    """

    __tablename__ = "outbound_emails"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'sent', 'failed')", name="status"),
        CheckConstraint("attempts >= 0", name="attempts"),
        Index(
            "ix_outbound_emails_tenant_id_enqueued_at_pending",
            "tenant_id",
            "enqueued_at",
            postgresql_where=text("status = 'pending'"),
        ),
    )

    # No foreign key: the platform's own mail uses the nil tenant id (PLATFORM_CHAIN).
    tenant_id: Mapped[UUID] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(Text)
    subject: Mapped[str] = mapped_column(Text)
    body_text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=EmailStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(200))
    enqueued_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    last_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
