"""``employees``: one row per person working for the tenant, with or without a login."""

from __future__ import annotations

import enum
from datetime import date, datetime
from uuid import UUID

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    String,
    Text,
    false,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from timeward.db.base import Base, CreatedAt, TenantScoped


class EmployeeStatus(enum.StrEnum):
    ACTIVE = "active"
    LEFT = "left"


class Employee(TenantScoped, CreatedAt, Base):
    __tablename__ = "employees"
    __table_args__ = (
        CheckConstraint("status IN ('active', 'left')", name="status"),
        CheckConstraint("location_limit IN ('geofence', 'off')", name="location_limit"),
        ForeignKeyConstraint(
            ["tenant_id", "user_id"], ["memberships.tenant_id", "memberships.user_id"]
        ),
        ForeignKeyConstraint(["tenant_id", "site_id"], ["job_sites.tenant_id", "job_sites.id"]),
        Index("uq_employees_tenant_id_user_id", "tenant_id", "user_id", unique=True),
        Index(
            "uq_employees_tenant_id_employee_number", "tenant_id", "employee_number", unique=True
        ),
        Index("ix_employees_tenant_id_name", "tenant_id", "name"),
    )

    tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    user_id: Mapped[UUID | None]
    name: Mapped[str] = mapped_column(Text)
    work_email: Mapped[str | None] = mapped_column(Text)
    phone: Mapped[str | None] = mapped_column(String(40))
    postal_address: Mapped[str | None] = mapped_column(Text)
    employee_number: Mapped[str | None] = mapped_column(String(40))
    job_title: Mapped[str | None] = mapped_column(Text)
    hire_date: Mapped[date | None] = mapped_column(Date)
    site_id: Mapped[UUID | None]  # where they work: shown in the directory (docs/workforce.md)
    status: Mapped[str] = mapped_column(String(16), default=EmployeeStatus.ACTIVE)
    marketing_opt_in: Mapped[bool] = mapped_column(default=False, server_default=false())
    directory_excluded: Mapped[bool] = mapped_column(default=False, server_default=false())
    processing_restricted: Mapped[bool] = mapped_column(default=False, server_default=false())
    # set by an upheld objection to location: at most this much location, whatever the
    # tenant's mode (docs/privacy-requests.md, "Objections")
    location_limit: Mapped[str | None] = mapped_column(String(16))
    # when a client admin last lifted that limit (told on the employee's home page)
    location_limit_lifted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
