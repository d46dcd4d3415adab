"""``tenant_settings``: one row per tenant, absent until an admin changes a default.

A NULL time zone, languages or default language means the admin has not chosen one:
``tenants.settings.regional`` derives it (docs/web.md, "Time zone and languages")."""

from __future__ import annotations

import enum
from datetime import datetime
from uuid import UUID

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    String,
    false,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from timeward.db.base import Base


class LocationMode(enum.StrEnum):
    PRECISE = "precise"  # coordinates kept, sealed, for at most N days, then reduced
    GEOFENCE = "geofence"  # only on-site yes/no and the matched site; coordinates discarded
    OFF = "off"  # no location processed at all


DEFAULT_LOCATION_MODE = LocationMode.GEOFENCE
DEFAULT_PRECISE_DAYS = 30
MAX_PRECISE_DAYS = 90


class TenantSettings(Base):
    __tablename__ = "tenant_settings"
    __table_args__ = (
        CheckConstraint("location_mode IN ('precise', 'geofence', 'off')", name="location_mode"),
        CheckConstraint(
            f"precise_location_days BETWEEN 1 AND {MAX_PRECISE_DAYS}", name="precise_days"
        ),
        CheckConstraint(
            "languages <@ ARRAY['en', 'de']::varchar[] AND cardinality(languages) >= 1",
            name="languages",
        ),
        CheckConstraint(
            "default_language IN ('en', 'de') "
            "AND (languages IS NULL OR default_language = ANY(languages))",
            name="default_language",
        ),
        CheckConstraint("digest_default IN ('opt_in', 'opt_out')", name="digest_default"),
        ForeignKeyConstraint(
            ["tenant_id", "updated_by"], ["memberships.tenant_id", "memberships.user_id"]
        ),
    )

    tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    location_mode: Mapped[str] = mapped_column(String(16), default=DEFAULT_LOCATION_MODE)
    precise_location_days: Mapped[int] = mapped_column(default=DEFAULT_PRECISE_DAYS)
    time_zone: Mapped[str | None] = mapped_column(String(64))  # IANA name
    languages: Mapped[list[str] | None] = mapped_column(ARRAY(String(8)))
    default_language: Mapped[str | None] = mapped_column(String(8))
    # The colleague directory (docs/workforce.md, "Directory"): off until the tenant opts in.
    directory_enabled: Mapped[bool] = mapped_column(default=False, server_default=false())
    # The weekly digests (docs/accountability.md, "Essential and optional mail"): sent to
    # members who have not chosen ("opt_out") or only to those who asked ("opt_in").
    digest_default: Mapped[str] = mapped_column(
        String(8), default="opt_in", server_default="opt_in"
    )
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    updated_by: Mapped[UUID | None]
