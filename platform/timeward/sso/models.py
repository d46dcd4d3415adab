"""``sso_configs`` (one row per tenant that set SSO up) and ``sso_logins`` (one row per
sign-in started: the server-side half of ``state``, single use, short-lived)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import (
    ARRAY,
    Boolean,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    LargeBinary,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from timeward.db.base import Base, CreatedAt, TenantScoped


class SsoConfig(Base):
    __tablename__ = "sso_configs"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "break_glass_user_id"],
            ["memberships.tenant_id", "memberships.user_id"],
            ondelete="SET NULL (break_glass_user_id)",
        ),
        ForeignKeyConstraint(
            ["tenant_id", "updated_by"],
            ["memberships.tenant_id", "memberships.user_id"],
            ondelete="SET NULL (updated_by)",
        ),
    )

    tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    issuer: Mapped[str] = mapped_column(Text)
    display_name: Mapped[str] = mapped_column(Text)
    client_id: Mapped[str] = mapped_column(Text)
    # AES-256-GCM under the tenant's data key (timeward.crypto.data_keys), never returned
    client_secret: Mapped[bytes] = mapped_column(LargeBinary)
    secret_key_id: Mapped[UUID]
    allowed_domains: Mapped[list[str]] = mapped_column(ARRAY(Text))
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    create_users: Mapped[bool] = mapped_column(Boolean, default=False)
    break_glass_user_id: Mapped[UUID | None]
    # The endpoints discovery returned when the configuration was saved.
    provider: Mapped[dict[str, Any]] = mapped_column(JSONB)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    updated_by: Mapped[UUID | None]


class SsoLogin(TenantScoped, CreatedAt, Base):
    __tablename__ = "sso_logins"

    tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    state_hash: Mapped[bytes] = mapped_column(LargeBinary, unique=True)
    browser_hash: Mapped[bytes] = mapped_column(LargeBinary)
    next_path: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
