"""``job_sites``: company data (not personal), so stored in clear."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import CheckConstraint, DateTime, Double, ForeignKey, Index, Text, func, true
from sqlalchemy.orm import Mapped, mapped_column

from timeward.db.base import Base, CreatedAt, TenantScoped

MIN_RADIUS_M = 10
MAX_RADIUS_M = 10_000


class JobSite(TenantScoped, CreatedAt, Base):
    __tablename__ = "job_sites"
    __table_args__ = (
        CheckConstraint(
            "(geofence_latitude IS NULL) = (geofence_longitude IS NULL) "
            "AND (geofence_latitude IS NULL) = (geofence_radius_m IS NULL)",
            name="geofence_complete",
        ),
        CheckConstraint("geofence_latitude BETWEEN -90 AND 90", name="geofence_latitude"),
        CheckConstraint("geofence_longitude BETWEEN -180 AND 180", name="geofence_longitude"),
        CheckConstraint(
            f"geofence_radius_m BETWEEN {MIN_RADIUS_M} AND {MAX_RADIUS_M}", name="geofence_radius"
        ),
        Index("uq_job_sites_tenant_id_name", "tenant_id", "name", unique=True),
    )

    tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    address: Mapped[str | None] = mapped_column(Text)
    geofence_latitude: Mapped[float | None] = mapped_column(Double)
    geofence_longitude: Mapped[float | None] = mapped_column(Double)
    geofence_radius_m: Mapped[int | None]
    active: Mapped[bool] = mapped_column(default=True, server_default=true())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )

    @property
    def has_geofence(self) -> bool:
        return self.geofence_radius_m is not None
