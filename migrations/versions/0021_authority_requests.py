"""Requests from authorities (docs/accountability.md, "Requests from authorities").

``authority_requests`` is tenant-scoped with forced RLS and platform read/write: staff
keep the register across tenants; the client reaches only its own rows (and the service
shows it only those it has been told of). The disclosure export is kept on the row.

Revision ID: 0021
Revises: 0020
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

from timeward.db.migration_ops import isolate_tenant_table
from timeward.db.rls import PlatformAccess

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

UUID = pg.UUID(as_uuid=True)
TZ = sa.DateTime(timezone=True)
NOW = sa.text("now()")


def upgrade() -> None:
    op.create_table(
        "authority_requests",
        sa.Column("tenant_id", UUID, sa.ForeignKey("tenants.id"), primary_key=True),
        sa.Column("id", UUID, primary_key=True),
        sa.Column("authority", sa.Text, nullable=False),
        sa.Column("instrument", sa.Text, nullable=False),
        sa.Column("reference", sa.Text, nullable=False),
        sa.Column("received_at", TZ, nullable=False),
        sa.Column("deadline", sa.Date),
        sa.Column("subject_ids", pg.ARRAY(UUID), nullable=False),
        sa.Column("categories", pg.ARRAY(sa.Text), nullable=False),
        sa.Column("period_from", sa.Date),
        sa.Column("period_to", sa.Date),
        sa.Column("order_kind", sa.String(16), nullable=False),
        sa.Column("order_until", sa.Date),
        sa.Column("review_on", sa.Date),
        sa.Column("review_raised_at", TZ),
        sa.Column("order_ended_at", TZ),
        sa.Column("decision", sa.String(16)),
        sa.Column("decision_reason", sa.Text),
        sa.Column("decided_at", TZ),
        sa.Column("decided_by", UUID),
        sa.Column("disclosed", sa.Text),
        sa.Column("export_content", sa.LargeBinary),
        sa.Column("export_sha256", sa.String(64)),
        sa.Column("export_size", sa.Integer),
        sa.Column("export_tables", pg.JSONB),
        sa.Column("exported_at", TZ),
        sa.Column("recorded_by", UUID),
        sa.Column("enqueued_at", TZ, server_default=NOW, nullable=False),
        sa.Column("notified_at", TZ),
        sa.Column("recipients", sa.Integer),
        sa.Column("created_at", TZ, server_default=NOW, nullable=False),
        sa.CheckConstraint(
            "order_kind IN ('none', 'until_date', 'until_reviewed')", name="order_kind"
        ),
        sa.CheckConstraint(
            "decision IS NULL OR decision IN ('disclose_full', 'disclose_partial', 'refuse')",
            name="decision",
        ),
        sa.CheckConstraint("order_kind <> 'until_date' OR order_until IS NOT NULL", name="until"),
        sa.CheckConstraint(
            "order_kind <> 'until_reviewed' OR review_on IS NOT NULL", name="review_on"
        ),
    )
    op.create_index(
        "ix_authority_requests_tenant_id_received_at",
        "authority_requests",
        ["tenant_id", "received_at"],
    )
    isolate_tenant_table(
        "authority_requests", platform=PlatformAccess.WRITE, privileges="SELECT, INSERT, UPDATE"
    )


def downgrade() -> None:
    op.drop_table("authority_requests")
