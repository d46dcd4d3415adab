"""Registry tables (processor metadata, public) and the per-tenant notices and objections.

``sub_processors`` holds the current entries and ``sub_processor_changes`` every
version of the registry: change ``n`` records one entry's state after it, so the
registry at version ``n`` is, per entry, its latest change up to ``n``. Both are
written only in platform scope and readable in tenant scope too (a client's records
of processing list them). ``sub_processor_notices`` and ``sub_processor_objections``
are tenant-scoped; the platform writes the notices and reads the objections.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from timeward.db.base import Base, CreatedAt, TenantScoped, new_id
from timeward.notices.delivery import NoticeDelivery


class SubProcessorStatus(enum.StrEnum):
    ACTIVE = "active"
    REMOVED = "removed"


class ChangeKind(enum.StrEnum):
    ADDED = "added"
    CHANGED = "changed"
    REMOVED = "removed"


class SubProcessor(CreatedAt, Base):
    __tablename__ = "sub_processors"
    __table_args__ = (
        CheckConstraint("status IN ('active', 'removed')", name="status"),
        Index("uq_sub_processors_name_ci", func.lower(text("name")), unique=True),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(Text)
    purpose: Mapped[str] = mapped_column(Text)
    location: Mapped[str] = mapped_column(Text)
    data_categories: Mapped[list[str]] = mapped_column(ARRAY(Text))
    transfer_safeguard: Mapped[str | None] = mapped_column(Text)  # None: no third-country transfer
    status: Mapped[str] = mapped_column(String(16), default=SubProcessorStatus.ACTIVE)
    version: Mapped[int]  # the registry version of its latest change


class SubProcessorChange(Base):
    """One registry version: an entry added, changed or removed. Never updated."""

    __tablename__ = "sub_processor_changes"
    __table_args__ = (
        CheckConstraint("kind IN ('added', 'changed', 'removed')", name="kind"),
        CheckConstraint("version >= 1", name="version"),
        CheckConstraint("objection_deadline > announced_at", name="window"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    version: Mapped[int] = mapped_column(unique=True)
    sub_processor_id: Mapped[UUID] = mapped_column(ForeignKey("sub_processors.id"))
    kind: Mapped[str] = mapped_column(String(16))
    entry: Mapped[dict[str, Any]] = mapped_column(JSONB)  # the entry after the change
    previous: Mapped[dict[str, Any] | None] = mapped_column(JSONB)  # before it (None: added)
    announced_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    objection_deadline: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[UUID | None]


class SubProcessorNotice(NoticeDelivery, CreatedAt, Base):
    """That a change was announced to one tenant's client admins, and when."""

    __tablename__ = "sub_processor_notices"
    __table_args__ = (
        UniqueConstraint("tenant_id", "change_id"),
        Index(
            "ix_sub_processor_notices_tenant_id_enqueued_at_pending",
            "tenant_id",
            "enqueued_at",
            postgresql_where=text("notified_at IS NULL"),
        ),
    )

    tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    change_id: Mapped[UUID] = mapped_column(ForeignKey("sub_processor_changes.id"))


class SubProcessorObjection(TenantScoped, CreatedAt, Base):
    """A client's objection to one change (at most one per tenant and change)."""

    __tablename__ = "sub_processor_objections"
    __table_args__ = (UniqueConstraint("tenant_id", "change_id"),)

    tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    change_id: Mapped[UUID] = mapped_column(ForeignKey("sub_processor_changes.id"))
    reason: Mapped[str] = mapped_column(Text)
    objected_by: Mapped[UUID | None]
