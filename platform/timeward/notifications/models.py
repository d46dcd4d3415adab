"""One row per recipient; its title and body may be personal data (tenant-scoped)."""

from __future__ import annotations

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
)
from sqlalchemy.orm import Mapped, mapped_column

from timeward.db.base import Base, CreatedAt, TenantScoped

KIND_PATTERN = "^[a-z][a-z0-9_.]{0,63}$"


class Notification(TenantScoped, CreatedAt, Base):
    __tablename__ = "notifications"
    __table_args__ = (
        # The recipient must be a member of the tenant; erasing the membership
        # takes its notifications with it.
        ForeignKeyConstraint(
            ["tenant_id", "user_id"],
            ["memberships.tenant_id", "memberships.user_id"],
            ondelete="CASCADE",
        ),
        CheckConstraint(f"kind ~ '{KIND_PATTERN}'", name="kind_format"),
        Index(
            "ix_notifications_tenant_id_user_id_created_at", "tenant_id", "user_id", "created_at"
        ),
    )

    tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    user_id: Mapped[UUID]
    kind: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
