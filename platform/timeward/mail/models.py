"""The outbox: one row per e-mail, the source of truth for its delivery; and each member's
choices about optional mail (docs/accountability.md, "Essential and optional mail")."""

from __future__ import annotations

import enum
from datetime import datetime
from uuid import UUID

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from timeward.db.base import Base, CreatedAt, TenantScoped, new_id


class EmailStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    WITHDRAWN = "withdrawn"  # optional mail the person unsubscribed from before it went out


ESSENTIAL = "essential"
OPTIONAL = "optional"


class OutboundEmail(TenantScoped, CreatedAt, Base):
    """Recipient, subject and body are personal data: tenant-scoped, never logged.

    ``last_error`` holds an exception type and SMTP code only, never the server's
    text (which may quote the address).
    """

    __tablename__ = "outbound_emails"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'sent', 'failed', 'withdrawn')", name="status"),
        CheckConstraint(
            "(category = 'optional') = (topic IS NOT NULL AND recipient_user_id IS NOT NULL "
            "AND unsubscribe_url IS NOT NULL)",
            name="optional_fields",
        ),
        CheckConstraint("category IN ('essential', 'optional')", name="category"),
        Index(
            "uq_outbound_emails_tenant_id_dedupe_key",
            "tenant_id",
            "dedupe_key",
            unique=True,
            postgresql_where=text("dedupe_key IS NOT NULL"),
        ),
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
    # essential (a reason in ``essential_reason``) or optional (a topic, its member and the
    # signed one-click link of the List-Unsubscribe header); not a ``user_id`` column, so
    # the data map keeps finding outbox rows by address only.
    category: Mapped[str] = mapped_column(String(16), default=ESSENTIAL, server_default=ESSENTIAL)
    essential_reason: Mapped[str | None] = mapped_column(String(32))
    topic: Mapped[str | None] = mapped_column(String(32))
    recipient_user_id: Mapped[UUID | None]
    unsubscribe_url: Mapped[str | None] = mapped_column(Text)
    # one mail per key (a weekly digest: topic, week and member), however often the job runs
    dedupe_key: Mapped[str | None] = mapped_column(String(200))


class MailPreference(Base):
    """A member's own choice about one optional topic; no row: the default (the tenant's
    for digests, the marketing consent for product news)."""

    __tablename__ = "mail_preferences"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "user_id"],
            ["memberships.tenant_id", "memberships.user_id"],
            ondelete="CASCADE",
        ),
        CheckConstraint("topic IN ('admin_digest', 'hours_summary', 'product_news')", name="topic"),
        CheckConstraint("changed_via IN ('preferences', 'unsubscribe_link')", name="changed_via"),
    )

    tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    user_id: Mapped[UUID] = mapped_column(primary_key=True)
    topic: Mapped[str] = mapped_column(String(32), primary_key=True)
    subscribed: Mapped[bool]
    changed_via: Mapped[str] = mapped_column(String(16))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ProductNews(CreatedAt, Base):
    """One issue of the processor's product news (processor metadata, no tenant: its text
    is the processor's, not personal data); sent by ``send_product_news`` to every member
    of every tenant who consents to marketing, one mail per person and issue."""

    __tablename__ = "product_news"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    subject: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    created_by: Mapped[UUID | None]
    recipients: Mapped[int | None]  # how many mails were queued, once sent
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
