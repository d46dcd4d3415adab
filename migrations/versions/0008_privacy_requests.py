"""Data-subject requests: the employer's queue, each request's timeline, export files,
and the public intake.

``privacy_requests``, ``privacy_request_events`` and ``privacy_exports`` are tenant
tables: RLS enabled and forced, no platform access (a request is the controller's
business), ``tenant_id`` leading every primary key, foreign key and index.
``privacy_intake`` has no tenant: a public submission waits there until a job routes it
to the tenants holding data for the address; only the ``auth`` scope may touch it.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

from timeward.db.migration_ops import app_role, execute_all, isolate_tenant_table
from timeward.db.rls import grant_to_app, scope_policy

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

UUID = pg.UUID(as_uuid=True)
TZ = sa.DateTime(timezone=True)
NOW = sa.text("now()")

TYPES = (
    "access",
    "rectification",
    "erasure",
    "restriction",
    "portability",
    "objection",
    "consent_withdrawal",
)
STATUSES = ("received", "identity_pending", "in_progress", "extended", "completed", "refused")
FULFILMENT = ("none", "queued", "running", "done", "failed")


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _fk(table: str, column: str, target: str, target_column: str = "id") -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["tenant_id", column],
        [f"{target}.tenant_id", f"{target}.{target_column}"],
        name=f"fk_{table}_tenant_id_{column}_{target}",
    )


def _tenant_id() -> sa.Column[sa.Uuid]:
    return sa.Column("tenant_id", UUID, sa.ForeignKey("tenants.id"), primary_key=True)


def upgrade() -> None:
    op.create_table(
        "privacy_requests",
        _tenant_id(),
        sa.Column("id", UUID, primary_key=True),
        sa.Column("request_type", sa.String(24), nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("channel", sa.String(8), nullable=False),
        sa.Column("subject_employee_id", UUID),
        sa.Column("subject_user_id", UUID),
        sa.Column("requester_user_id", UUID),
        sa.Column("intake_id", UUID),
        sa.Column("contact_email", sa.Text),
        sa.Column("details", sa.Text),
        sa.Column("received_at", TZ, nullable=False),
        sa.Column("calendar_country", sa.String(2), nullable=False),
        sa.Column("calendar_subdivision", sa.String(8)),
        sa.Column("original_due_date", sa.Date, nullable=False),
        sa.Column("due_date", sa.Date, nullable=False),
        sa.Column("identity_verified_at", TZ),
        sa.Column("identity_method", sa.String(32)),
        sa.Column("identity_verified_by", UUID),
        sa.Column("extension_reason", sa.Text),
        sa.Column("extended_at", TZ),
        sa.Column("refusal_reason", sa.Text),
        sa.Column("completion_note", sa.Text),
        sa.Column("decided_at", TZ),
        sa.Column("decided_by", UUID),
        sa.Column("fulfilment_state", sa.String(16), nullable=False, server_default="none"),
        sa.Column("fulfilment_requested_at", TZ),
        sa.Column("fulfilment_by", UUID),
        sa.Column("fulfilment_attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("fulfilled_at", TZ),
        sa.Column("fulfilment_report", pg.JSONB),
        sa.Column("identity_removal_user_id", UUID),
        sa.Column("processor_instruction_requested_at", TZ),
        sa.Column("processor_instruction_id", UUID),
        sa.Column("contact_scrub_pending", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("overdue_notified_on", sa.Date),
        sa.Column("created_at", TZ, server_default=NOW, nullable=False),
        sa.Column("updated_at", TZ, server_default=NOW, nullable=False),
        sa.CheckConstraint(_one_of("request_type", TYPES), name="request_type"),
        sa.CheckConstraint(_one_of("status", STATUSES), name="status"),
        sa.CheckConstraint(_one_of("channel", ("app", "public")), name="channel"),
        sa.CheckConstraint(_one_of("fulfilment_state", FULFILMENT), name="fulfilment_state"),
        sa.CheckConstraint("due_date >= original_due_date", name="due_not_earlier"),
        sa.CheckConstraint("fulfilment_attempts >= 0", name="fulfilment_attempts"),
        _fk("privacy_requests", "subject_employee_id", "employees"),
        _fk("privacy_requests", "subject_user_id", "memberships", "user_id"),
        _fk("privacy_requests", "requester_user_id", "memberships", "user_id"),
        _fk("privacy_requests", "identity_verified_by", "memberships", "user_id"),
        _fk("privacy_requests", "decided_by", "memberships", "user_id"),
        _fk("privacy_requests", "fulfilment_by", "memberships", "user_id"),
    )
    op.create_index(
        "ix_privacy_requests_tenant_id_status_due_date",
        "privacy_requests",
        ["tenant_id", "status", "due_date"],
    )
    op.create_index(
        "ix_privacy_requests_tenant_id_requester_user_id",
        "privacy_requests",
        ["tenant_id", "requester_user_id"],
    )
    op.create_index(
        "ix_privacy_requests_tenant_id_subject_employee_id",
        "privacy_requests",
        ["tenant_id", "subject_employee_id"],
    )
    op.create_index(
        "uq_privacy_requests_tenant_id_intake_id",
        "privacy_requests",
        ["tenant_id", "intake_id"],
        unique=True,
    )
    isolate_tenant_table("privacy_requests")

    op.create_table(
        "privacy_request_events",
        _tenant_id(),
        sa.Column("id", UUID, primary_key=True),
        sa.Column("request_id", UUID, nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("at", TZ, nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("from_status", sa.String(24)),
        sa.Column("to_status", sa.String(24), nullable=False),
        sa.Column("actor_role", sa.String(32)),
        sa.Column("message", sa.Text),
        _fk("privacy_request_events", "request_id", "privacy_requests"),
    )
    op.create_index(
        "uq_privacy_request_events_tenant_id_request_id_seq",
        "privacy_request_events",
        ["tenant_id", "request_id", "seq"],
        unique=True,
    )
    isolate_tenant_table("privacy_request_events")

    op.create_table(
        "privacy_exports",
        _tenant_id(),
        sa.Column("id", UUID, primary_key=True),
        sa.Column("request_id", UUID, nullable=False),
        sa.Column("schema_version", sa.String(16), nullable=False),
        sa.Column("content", sa.LargeBinary),
        sa.Column("size_bytes", sa.Integer, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("created_at", TZ, server_default=NOW, nullable=False),
        sa.Column("expires_at", TZ, nullable=False),
        sa.Column("deleted_at", TZ),
        sa.CheckConstraint("(content IS NULL) = (deleted_at IS NOT NULL)", name="deleted"),
        _fk("privacy_exports", "request_id", "privacy_requests"),
    )
    op.create_index(
        "ix_privacy_exports_tenant_id_request_id", "privacy_exports", ["tenant_id", "request_id"]
    )
    op.create_index(
        "ix_privacy_exports_tenant_id_expires_at_live",
        "privacy_exports",
        ["tenant_id", "expires_at"],
        postgresql_where=sa.text("content IS NOT NULL"),
    )
    isolate_tenant_table("privacy_exports")

    op.create_table(
        "privacy_intake",
        sa.Column("id", UUID, primary_key=True),
        sa.Column("email", sa.Text, nullable=False),
        sa.Column("request_type", sa.String(24), nullable=False),
        sa.Column("details", sa.Text),
        sa.Column("received_at", TZ, nullable=False),
        sa.Column("enqueued_at", TZ, server_default=NOW, nullable=False),
        sa.CheckConstraint(_one_of("request_type", TYPES), name="request_type"),
    )
    op.create_index("ix_privacy_intake_enqueued_at", "privacy_intake", ["enqueued_at"])
    execute_all(
        [
            "ALTER TABLE privacy_intake ENABLE ROW LEVEL SECURITY",
            "ALTER TABLE privacy_intake FORCE ROW LEVEL SECURITY",
            scope_policy("privacy_intake", "auth_only", ("auth",)),
            grant_to_app("privacy_intake", app_role()),
        ]
    )


def downgrade() -> None:
    for table in (
        "privacy_intake",
        "privacy_exports",
        "privacy_request_events",
        "privacy_requests",
    ):
        op.drop_table(table)
