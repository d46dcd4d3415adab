"""Support grants: tenant-scoped, readable by the platform (processor metadata)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import DateTime, Text
from sqlalchemy.orm import Mapped, mapped_column

from timeward.db.base import Base, CreatedAt, TenantScoped


class SupportGrant(TenantScoped, CreatedAt, Base):
    __tablename__ = "support_grants"

    granted_by: Mapped[UUID]
    staff_user_id: Mapped[UUID | None]  # None: any platform staff member
    reason: Mapped[str] = mapped_column(Text)
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_by: Mapped[UUID | None]
