"""Notice versions (docs/accountability.md, "Notice versions"): the platform's notice to its
customers (``platform_notice_versions``, written in platform scope, read by tenants for the
banner), each tenant's generated notice to its employees (``tenant_notice_versions``,
tenant-scoped, forced RLS) and what accounts answered to a significant change
(``notice_responses``, tenant-scoped; the platform reads the counts).

Versions are immutable: the application role may insert and read them, never update
them (a tenant's are deleted with the tenant's data).

Revision ID: 0023
Revises: 0022
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

from timeward.db.migration_ops import app_role, execute_all, isolate_tenant_table
from timeward.db.rls import PlatformAccess, grant_to_app, scope_policy

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

UUID = pg.UUID(as_uuid=True)
TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "platform_notice_versions",
        sa.Column("number", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("significant", sa.Boolean, nullable=False),
        sa.Column("published_at", TZ, nullable=False),
        sa.Column("effective_from", TZ, nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("published_by", UUID),
        sa.CheckConstraint("number >= 1", name="number"),
        sa.CheckConstraint("effective_from >= published_at", name="effective"),
    )
    execute_all(
        [
            "ALTER TABLE platform_notice_versions ENABLE ROW LEVEL SECURITY",
            "ALTER TABLE platform_notice_versions FORCE ROW LEVEL SECURITY",
            scope_policy("platform_notice_versions", "platform_all", ("platform",)),
            scope_policy("platform_notice_versions", "tenant_read", ("tenant",), "SELECT"),
            grant_to_app("platform_notice_versions", app_role(), "SELECT, INSERT"),
        ]
    )

    op.create_table(
        "tenant_notice_versions",
        sa.Column("tenant_id", UUID, sa.ForeignKey("tenants.id"), primary_key=True),
        sa.Column("number", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("content", pg.JSONB, nullable=False),
        sa.Column("changed", pg.JSONB, nullable=False),
        sa.Column("significant", sa.Boolean, nullable=False),
        sa.Column("published_at", TZ, nullable=False),
        sa.Column("effective_from", TZ, nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.CheckConstraint("number >= 1", name="number"),
        sa.CheckConstraint("effective_from >= published_at", name="effective"),
    )
    isolate_tenant_table("tenant_notice_versions", privileges="SELECT, INSERT, DELETE")

    op.create_table(
        "notice_responses",
        sa.Column("tenant_id", UUID, sa.ForeignKey("tenants.id"), primary_key=True),
        sa.Column("user_id", UUID, primary_key=True),
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("number", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("acknowledged_at", TZ, nullable=False, server_default=sa.text("now()")),
        sa.Column("opted_out", sa.Boolean, nullable=False),
        sa.CheckConstraint("kind IN ('platform', 'tenant')", name="kind"),
    )
    isolate_tenant_table("notice_responses", platform=PlatformAccess.READ)


def downgrade() -> None:
    op.drop_table("notice_responses")
    op.drop_table("tenant_notice_versions")
    op.drop_table("platform_notice_versions")
