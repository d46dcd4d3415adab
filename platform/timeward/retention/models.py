"""Per-tenant retention overrides and purge reports (tenant-scoped; no personal data)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import DateTime, ForeignKey, String, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from timeward.db.base import Base, TenantScoped


class RetentionSetting(Base):
    __tablename__ = "retention_settings"

    tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    category: Mapped[str] = mapped_column(String(63), primary_key=True)
    days: Mapped[int]
    updated_by: Mapped[UUID | None]
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class RetentionRun(TenantScoped, Base):
    __tablename__ = "retention_runs"

    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    counts: Mapped[dict[str, int]] = mapped_column(JSONB)
    skipped: Mapped[dict[str, Any]] = mapped_column(JSONB)
