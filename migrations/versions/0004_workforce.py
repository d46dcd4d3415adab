"""Workforce: employees, job sites, clock events, time entries, tenant settings and
per-tenant data keys (locations are sealed under them).

Every table is tenant-scoped with RLS enabled and forced; ``tenant_id`` leads every
primary key, foreign key and index.

Revision ID: 0004
Revises: 0003 (0003 is written in parallel; the chain is relinked at merge)
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

from timeward.db.migration_ops import isolate_tenant_table

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

UUID = pg.UUID(as_uuid=True)
NOW = sa.text("now()")
TZ = sa.DateTime(timezone=True)


def _tenant_id(*, references_tenants: bool = False) -> sa.Column[sa.Uuid]:
    if references_tenants:
        return sa.Column("tenant_id", UUID, sa.ForeignKey("tenants.id"), primary_key=True)
    return sa.Column("tenant_id", UUID, primary_key=True)


def _id() -> sa.Column[sa.Uuid]:
    return sa.Column("id", UUID, primary_key=True)


def _created_at() -> sa.Column[sa.DateTime]:
    return sa.Column("created_at", TZ, server_default=NOW, nullable=False)


def _updated_at() -> sa.Column[sa.DateTime]:
    return sa.Column("updated_at", TZ, server_default=NOW, nullable=False)


def _fk(table: str, column: str, target: str, target_column: str = "id") -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["tenant_id", column],
        [f"{target}.tenant_id", f"{target}.{target_column}"],
        name=f"fk_{table}_tenant_id_{column}_{target}",
    )


def upgrade() -> None:
    op.create_table(
        "tenant_data_keys",
        _tenant_id(references_tenants=True),
        _id(),
        sa.Column("wrapped_key", sa.LargeBinary),
        _created_at(),
        sa.Column("destroyed_at", TZ),
        sa.CheckConstraint("(wrapped_key IS NULL) = (destroyed_at IS NOT NULL)", name="destroyed"),
    )
    op.create_index(
        "uq_tenant_data_keys_active",
        "tenant_data_keys",
        ["tenant_id"],
        unique=True,
        postgresql_where=sa.text("destroyed_at IS NULL"),
    )
    # Keys are zeroed, never deleted, by the application (crypto-shredding keeps the row).
    isolate_tenant_table("tenant_data_keys", privileges="SELECT, INSERT, UPDATE")

    op.create_table(
        "tenant_settings",
        _tenant_id(references_tenants=True),
        sa.Column("location_mode", sa.String(16), nullable=False),
        sa.Column("precise_location_days", sa.Integer, nullable=False),
        _updated_at(),
        sa.Column("updated_by", UUID),
        sa.CheckConstraint("location_mode IN ('precise', 'geofence', 'off')", name="location_mode"),
        sa.CheckConstraint("precise_location_days BETWEEN 1 AND 90", name="precise_days"),
        _fk("tenant_settings", "updated_by", "memberships", "user_id"),
    )
    isolate_tenant_table("tenant_settings")

    op.create_table(
        "employees",
        _tenant_id(references_tenants=True),
        _id(),
        sa.Column("user_id", UUID),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("work_email", sa.Text),
        sa.Column("phone", sa.String(40)),
        sa.Column("postal_address", sa.Text),
        sa.Column("employee_number", sa.String(40)),
        sa.Column("job_title", sa.Text),
        sa.Column("hire_date", sa.Date),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("marketing_opt_in", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("directory_excluded", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("processing_restricted", sa.Boolean, nullable=False, server_default=sa.false()),
        _created_at(),
        _updated_at(),
        sa.CheckConstraint("status IN ('active', 'left')", name="status"),
        _fk("employees", "user_id", "memberships", "user_id"),
    )
    op.create_index(
        "uq_employees_tenant_id_user_id", "employees", ["tenant_id", "user_id"], unique=True
    )
    op.create_index(
        "uq_employees_tenant_id_employee_number",
        "employees",
        ["tenant_id", "employee_number"],
        unique=True,
    )
    op.create_index("ix_employees_tenant_id_name", "employees", ["tenant_id", "name"])
    isolate_tenant_table("employees")

    op.create_table(
        "job_sites",
        _tenant_id(references_tenants=True),
        _id(),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("address", sa.Text),
        sa.Column("geofence_latitude", sa.Double),
        sa.Column("geofence_longitude", sa.Double),
        sa.Column("geofence_radius_m", sa.Integer),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        _created_at(),
        _updated_at(),
        sa.CheckConstraint(
            "(geofence_latitude IS NULL) = (geofence_longitude IS NULL) "
            "AND (geofence_latitude IS NULL) = (geofence_radius_m IS NULL)",
            name="geofence_complete",
        ),
        sa.CheckConstraint("geofence_latitude BETWEEN -90 AND 90", name="geofence_latitude"),
        sa.CheckConstraint("geofence_longitude BETWEEN -180 AND 180", name="geofence_longitude"),
        sa.CheckConstraint("geofence_radius_m BETWEEN 10 AND 10000", name="geofence_radius"),
    )
    op.create_index("uq_job_sites_tenant_id_name", "job_sites", ["tenant_id", "name"], unique=True)
    isolate_tenant_table("job_sites")

    op.create_table(
        "clock_events",
        _tenant_id(),
        _id(),
        sa.Column("employee_id", UUID, nullable=False),
        sa.Column("kind", sa.String(3), nullable=False),
        sa.Column("at", TZ, nullable=False),
        sa.Column("site_id", UUID),
        sa.Column("location_mode", sa.String(16), nullable=False),
        sa.Column("location_status", sa.String(16), nullable=False),
        sa.Column("on_site", sa.Boolean),
        sa.Column("matched_site_id", UUID),
        sa.Column("location_sealed", sa.LargeBinary),
        sa.Column("location_key_id", UUID),
        sa.Column("location_reduced_at", TZ),
        _created_at(),
        sa.CheckConstraint("kind IN ('in', 'out')", name="kind"),
        sa.CheckConstraint("location_mode IN ('precise', 'geofence', 'off')", name="location_mode"),
        sa.CheckConstraint(
            "location_status IN ('not_collected', 'geofence', 'precise', 'reduced')",
            name="location_status",
        ),
        sa.CheckConstraint(
            "(location_status = 'precise') = (location_sealed IS NOT NULL) "
            "AND (location_sealed IS NULL) = (location_key_id IS NULL)",
            name="sealed_iff_precise",
        ),
        _fk("clock_events", "employee_id", "employees"),
        _fk("clock_events", "site_id", "job_sites"),
        _fk("clock_events", "matched_site_id", "job_sites"),
        _fk("clock_events", "location_key_id", "tenant_data_keys"),
    )
    op.create_index(
        "ix_clock_events_tenant_id_employee_id_at",
        "clock_events",
        ["tenant_id", "employee_id", "at"],
    )
    op.create_index("ix_clock_events_tenant_id_at", "clock_events", ["tenant_id", "at"])
    op.create_index(
        "ix_clock_events_tenant_id_at_sealed",
        "clock_events",
        ["tenant_id", "at"],
        postgresql_where=sa.text("location_sealed IS NOT NULL"),
    )
    isolate_tenant_table("clock_events")

    op.create_table(
        "time_entries",
        _tenant_id(),
        _id(),
        sa.Column("employee_id", UUID, nullable=False),
        sa.Column("site_id", UUID),
        sa.Column("started_at", TZ, nullable=False),
        sa.Column("ended_at", TZ, nullable=False),
        sa.Column(
            "duration_seconds",
            sa.Integer,
            sa.Computed(
                "floor(extract(epoch FROM (ended_at - started_at)))::integer", persisted=True
            ),
            nullable=False,
        ),
        sa.Column("source", sa.String(8), nullable=False),
        sa.Column("clock_in_event_id", UUID),
        sa.Column("clock_out_event_id", UUID),
        sa.Column("notes", sa.Text),
        sa.Column("approval_state", sa.String(16), nullable=False),
        sa.Column("decided_by", UUID),
        sa.Column("decided_at", TZ),
        sa.Column("decision_note", sa.Text),
        sa.Column("created_by", UUID),
        _created_at(),
        _updated_at(),
        sa.CheckConstraint("ended_at >= started_at", name="ordered"),
        sa.CheckConstraint("source IN ('clock', 'manual')", name="source"),
        sa.CheckConstraint(
            "approval_state IN ('pending', 'approved', 'rejected')", name="approval_state"
        ),
        sa.CheckConstraint(
            "(approval_state = 'pending') = (decided_at IS NULL)", name="decided_iff_not_pending"
        ),
        sa.CheckConstraint(
            "(source = 'clock') = "
            "(clock_in_event_id IS NOT NULL AND clock_out_event_id IS NOT NULL)",
            name="clock_pair",
        ),
        _fk("time_entries", "employee_id", "employees"),
        _fk("time_entries", "site_id", "job_sites"),
        _fk("time_entries", "clock_in_event_id", "clock_events"),
        _fk("time_entries", "clock_out_event_id", "clock_events"),
        _fk("time_entries", "created_by", "memberships", "user_id"),
        _fk("time_entries", "decided_by", "memberships", "user_id"),
    )
    op.create_index(
        "ix_time_entries_tenant_id_employee_id_started_at",
        "time_entries",
        ["tenant_id", "employee_id", "started_at"],
    )
    op.create_index(
        "ix_time_entries_tenant_id_started_at", "time_entries", ["tenant_id", "started_at"]
    )
    op.create_index(
        "uq_time_entries_tenant_id_clock_in_event_id",
        "time_entries",
        ["tenant_id", "clock_in_event_id"],
        unique=True,
    )
    op.create_index(
        "uq_time_entries_tenant_id_clock_out_event_id",
        "time_entries",
        ["tenant_id", "clock_out_event_id"],
        unique=True,
    )
    isolate_tenant_table("time_entries")


def downgrade() -> None:
    for table in (
        "time_entries",
        "clock_events",
        "job_sites",
        "employees",
        "tenant_settings",
        "tenant_data_keys",
    ):
        op.drop_table(table)
