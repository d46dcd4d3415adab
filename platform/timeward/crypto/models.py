"""Per-tenant data keys, stored wrapped by a key derived from the master key.

A tenant has at most one active key (``destroyed_at`` null). Destroying a key
zeroes its wrapped form and keeps the row, so ciphertexts that name the key stay
recognisably unreadable rather than dangling.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, LargeBinary, func, text
from sqlalchemy.orm import Mapped, mapped_column

from timeward.db.base import Base, new_id


class TenantDataKey(Base):
    __tablename__ = "tenant_data_keys"
    __table_args__ = (
        CheckConstraint("(wrapped_key IS NULL) = (destroyed_at IS NOT NULL)", name="destroyed"),
        Index(
            "uq_tenant_data_keys_active",
            "tenant_id",
            unique=True,
            postgresql_where=text("destroyed_at IS NULL"),
        ),
    )

    tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    wrapped_key: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    destroyed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
