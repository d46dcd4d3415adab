"""Jobs outbox and in-app notifications: outbound_emails, notifications.

Both are tenant-scoped personal data: tenant_id leads every key and index, RLS
is forced, and the platform scope has no policy on them.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

from timeward.db.migration_ops import isolate_tenant_table

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

UUID = pg.UUID(as_uuid=True)
NOW = sa.text("now()")


def _timestamp(name: str, *, nullable: bool = True) -> sa.Column[sa.DateTime]:
    default = None if nullable else NOW
    return sa.Column(name, sa.DateTime(timezone=True), server_default=default, nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "outbound_emails",
        sa.Column("tenant_id", UUID, sa.ForeignKey("tenants.id"), primary_key=True),
        sa.Column("id", UUID, primary_key=True),
        sa.Column("recipient", sa.Text, nullable=False),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("body_text", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_error", sa.String(200)),
        _timestamp("created_at", nullable=False),
        _timestamp("enqueued_at", nullable=False),
        _timestamp("last_attempt_at"),
        _timestamp("sent_at"),
        sa.CheckConstraint("status IN ('pending', 'sent', 'failed')", name="status"),
        sa.CheckConstraint("attempts >= 0", name="attempts"),
    )
    op.create_index(
        "ix_outbound_emails_tenant_id_enqueued_at_pending",
        "outbound_emails",
        ["tenant_id", "enqueued_at"],
        postgresql_where=sa.text("status = 'pending'"),
    )
    isolate_tenant_table("outbound_emails")

    op.create_table(
        "notifications",
        sa.Column("tenant_id", UUID, sa.ForeignKey("tenants.id"), primary_key=True),
        sa.Column("id", UUID, primary_key=True),
        sa.Column("user_id", UUID, nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        _timestamp("created_at", nullable=False),
        _timestamp("read_at"),
        sa.ForeignKeyConstraint(
            ["tenant_id", "user_id"],
            ["memberships.tenant_id", "memberships.user_id"],
            ondelete="CASCADE",
        ),
        sa.CheckConstraint("kind ~ '^[a-z][a-z0-9_.]{0,63}$'", name="kind_format"),
    )
    op.create_index(
        "ix_notifications_tenant_id_user_id_created_at",
        "notifications",
        ["tenant_id", "user_id", "created_at"],
    )
    isolate_tenant_table("notifications")


def downgrade() -> None:
    op.drop_table("notifications")
    op.drop_table("outbound_emails")
