"""Versioned privacy notices (docs/accountability.md, "Notice versions").

``platform_notice_versions``: the processor's own notice to its customers, written by
platform staff in platform scope and readable in tenant scope (the banner).
``tenant_notice_versions``: each tenant's generated notice to its employees, tenant-scoped
under forced row-level security. Both are append-only: a change is a new row with the next
number, and every earlier row stays readable at its stable URL.
``notice_responses``: what one account did about one significant change (acknowledged,
opted out of the optional uses), tenant-scoped.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, String, Text, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from timeward.db.base import Base


class NoticeKind(enum.StrEnum):
    PLATFORM = "platform"  # the processor's notice to its customers (client admins)
    TENANT = "tenant"  # the employer's notice to its employees


class PlatformNoticeVersion(Base):
    __tablename__ = "platform_notice_versions"
    __table_args__ = (
        CheckConstraint("number >= 1", name="number"),
        CheckConstraint("effective_from >= published_at", name="effective"),
    )

    number: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    title: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(Text)  # what changed since the previous version
    significant: Mapped[bool]
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    effective_from: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    digest: Mapped[str] = mapped_column(String(64))
    published_by: Mapped[UUID | None]


class TenantNoticeVersion(Base):
    __tablename__ = "tenant_notice_versions"
    __table_args__ = (
        CheckConstraint("number >= 1", name="number"),
        CheckConstraint("effective_from >= published_at", name="effective"),
    )

    tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    number: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    content: Mapped[dict[str, Any]] = mapped_column(JSONB)
    changed: Mapped[list[str]] = mapped_column(JSONB)  # the sections that differ from n-1
    significant: Mapped[bool]
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    effective_from: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    digest: Mapped[str] = mapped_column(String(64))


class NoticeResponse(Base):
    __tablename__ = "notice_responses"
    __table_args__ = (CheckConstraint("kind IN ('platform', 'tenant')", name="kind"),)

    tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    user_id: Mapped[UUID] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    number: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    acknowledged_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    opted_out: Mapped[bool] = mapped_column(default=False)
