"""``clock_events`` and ``time_entries``.

A clock event carries the location captured at that moment, minimised by the
tenant's location mode: sealed coordinates (precise), only the geofence result
(geofence), or nothing (off). ``location_status`` says which form is stored now.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import cast
from uuid import UUID

from sqlalchemy import (
    CheckConstraint,
    Computed,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from timeward.db.base import Base, CreatedAt, TenantScoped


class ClockKind(enum.StrEnum):
    IN = "in"
    OUT = "out"


class LocationStatus(enum.StrEnum):
    NOT_COLLECTED = "not_collected"  # mode off, or the device sent none
    GEOFENCE = "geofence"  # only on_site / matched_site_id were ever stored
    PRECISE = "precise"  # sealed coordinates present
    REDUCED = "reduced"  # coordinates were kept, then dropped at the end of retention


class EntrySource(enum.StrEnum):
    CLOCK = "clock"
    MANUAL = "manual"


class ApprovalState(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


def _members_fk(column: str) -> ForeignKeyConstraint:
    return ForeignKeyConstraint(
        ["tenant_id", column], ["memberships.tenant_id", "memberships.user_id"]
    )


def _sites_fk(column: str) -> ForeignKeyConstraint:
    return ForeignKeyConstraint(["tenant_id", column], ["job_sites.tenant_id", "job_sites.id"])


class ClockEvent(TenantScoped, CreatedAt, Base):
    __tablename__ = "clock_events"
    __table_args__ = (
        CheckConstraint("kind IN ('in', 'out')", name="kind"),
        CheckConstraint("location_mode IN ('precise', 'geofence', 'off')", name="location_mode"),
        CheckConstraint(
            "location_status IN ('not_collected', 'geofence', 'precise', 'reduced')",
            name="location_status",
        ),
        CheckConstraint(
            "(location_status = 'precise') = (location_sealed IS NOT NULL) "
            "AND (location_sealed IS NULL) = (location_key_id IS NULL)",
            name="sealed_iff_precise",
        ),
        ForeignKeyConstraint(["tenant_id", "employee_id"], ["employees.tenant_id", "employees.id"]),
        _sites_fk("site_id"),
        _sites_fk("matched_site_id"),
        ForeignKeyConstraint(
            ["tenant_id", "location_key_id"], ["tenant_data_keys.tenant_id", "tenant_data_keys.id"]
        ),
        Index("ix_clock_events_tenant_id_employee_id_at", "tenant_id", "employee_id", "at"),
        Index("ix_clock_events_tenant_id_at", "tenant_id", "at"),
        Index(
            "ix_clock_events_tenant_id_at_sealed",
            "tenant_id",
            "at",
            postgresql_where=text("location_sealed IS NOT NULL"),
        ),
    )

    employee_id: Mapped[UUID]
    kind: Mapped[str] = mapped_column(String(3))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    site_id: Mapped[UUID | None]
    location_mode: Mapped[str] = mapped_column(String(16))
    location_status: Mapped[str] = mapped_column(String(16))
    on_site: Mapped[bool | None]
    matched_site_id: Mapped[UUID | None]
    location_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    location_key_id: Mapped[UUID | None]
    location_reduced_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class TimeEntry(TenantScoped, CreatedAt, Base):
    __tablename__ = "time_entries"
    __table_args__ = (
        CheckConstraint("ended_at >= started_at", name="ordered"),
        CheckConstraint("source IN ('clock', 'manual')", name="source"),
        CheckConstraint(
            "approval_state IN ('pending', 'approved', 'rejected')", name="approval_state"
        ),
        CheckConstraint(
            "(approval_state = 'pending') = (decided_at IS NULL)", name="decided_iff_not_pending"
        ),
        CheckConstraint(
            "(source = 'clock') = "
            "(clock_in_event_id IS NOT NULL AND clock_out_event_id IS NOT NULL)",
            name="clock_pair",
        ),
        ForeignKeyConstraint(["tenant_id", "employee_id"], ["employees.tenant_id", "employees.id"]),
        _sites_fk("site_id"),
        ForeignKeyConstraint(
            ["tenant_id", "clock_in_event_id"], ["clock_events.tenant_id", "clock_events.id"]
        ),
        ForeignKeyConstraint(
            ["tenant_id", "clock_out_event_id"], ["clock_events.tenant_id", "clock_events.id"]
        ),
        _members_fk("created_by"),
        _members_fk("decided_by"),
        Index(
            "ix_time_entries_tenant_id_employee_id_started_at",
            "tenant_id",
            "employee_id",
            "started_at",
        ),
        Index("ix_time_entries_tenant_id_started_at", "tenant_id", "started_at"),
        Index(
            "uq_time_entries_tenant_id_clock_in_event_id",
            "tenant_id",
            "clock_in_event_id",
            unique=True,
        ),
        Index(
            "uq_time_entries_tenant_id_clock_out_event_id",
            "tenant_id",
            "clock_out_event_id",
            unique=True,
        ),
    )

    employee_id: Mapped[UUID]
    site_id: Mapped[UUID | None]
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    duration_seconds: Mapped[int] = mapped_column(
        Integer,
        Computed("floor(extract(epoch FROM (ended_at - started_at)))::integer", persisted=True),
    )
    source: Mapped[str] = mapped_column(String(8))
    clock_in_event_id: Mapped[UUID | None]
    clock_out_event_id: Mapped[UUID | None]
    notes: Mapped[str | None] = mapped_column(Text)
    approval_state: Mapped[str] = mapped_column(String(16), default=ApprovalState.PENDING)
    decided_by: Mapped[UUID | None]
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decision_note: Mapped[str | None] = mapped_column(Text)
    correction_note: Mapped[str | None] = mapped_column(Text)  # why the last correction
    created_by: Mapped[UUID | None]
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )


class PeriodLock(Base):
    """A month closed for payroll: while ``locked``, no entry starting in it is added,
    changed or decided. Reopening keeps the row (``locked`` false, who, when and why);
    every lock and reopening is also on the tenant's audit chain."""

    __tablename__ = "period_locks"
    __table_args__ = (
        CheckConstraint("extract(day FROM month) = 1", name="first_of_month"),
        CheckConstraint(
            "locked OR (reopened_at IS NOT NULL AND reopen_reason IS NOT NULL)",
            name="reopened_with_reason",
        ),
    )

    tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    month: Mapped[date] = mapped_column(Date, primary_key=True)
    locked: Mapped[bool]
    locked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    locked_by: Mapped[UUID | None]
    reopened_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reopened_by: Mapped[UUID | None]
    reopen_reason: Mapped[str | None] = mapped_column(Text)


# The tables themselves, for Core statements: rows without the ORM's unit of work and
# instance loading (docs/performance.md, "List and clock routes, quiet-machine round").
CLOCK_EVENTS = cast(Table, ClockEvent.__table__)
TIME_ENTRIES = cast(Table, TimeEntry.__table__)
