"""Machine clients of a tenant (OAuth2 client credentials)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import DateTime, LargeBinary, String
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from timeward.db.base import Base, CreatedAt, TenantScoped


class ApiClient(TenantScoped, CreatedAt, Base):
    __tablename__ = "api_clients"

    name: Mapped[str] = mapped_column(String(120))
    scopes: Mapped[list[str]] = mapped_column(ARRAY(String(40)))
    secret_hash: Mapped[bytes] = mapped_column(LargeBinary)
    generation: Mapped[int] = mapped_column(default=1)  # +1 on every rotation
    created_by: Mapped[UUID]
    rotated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    expiry_warned_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_by: Mapped[UUID | None]
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
