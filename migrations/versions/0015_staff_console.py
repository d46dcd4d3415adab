"""The staff console: server-side sessions of platform staff in the web pages
(``staff_sessions``), a legal hold's review date (``legal_holds.review_on``), and the
follow-up information of a breach, one row per affected tenant
(``breach_follow_up_notices``, tenant-scoped like ``breach_notices``).

Platform staff have no tenant, so their sessions cannot live in the tenant-scoped
``browser_sessions``: this table is read and written in the platform scope only (forced
RLS by scope, like ``platform_staff``), never in a tenant's or the login scope. A row
goes with the staff record. ``support_tenant_id`` is the tenant the person entered under
a support grant (docs/web.md, "Staff sessions").

Revision ID: 0015
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

from timeward.db.migration_ops import app_role, execute_all, isolate_tenant_table
from timeward.db.rls import PlatformAccess, grant_to_app, scope_policy

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

UUID = pg.UUID(as_uuid=True)
TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "staff_sessions",
        sa.Column("id", UUID, primary_key=True),
        sa.Column(
            "user_id",
            UUID,
            sa.ForeignKey("platform_staff.user_id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("token_hash", sa.LargeBinary, nullable=False, unique=True),
        sa.Column("created_at", TZ, server_default=sa.text("now()"), nullable=False),
        sa.Column("last_seen_at", TZ, nullable=False),
        sa.Column("expires_at", TZ, nullable=False),
        sa.Column("revoked_at", TZ),
        sa.Column("support_tenant_id", UUID, sa.ForeignKey("tenants.id", ondelete="SET NULL")),
    )
    op.create_index("ix_staff_sessions_user_id", "staff_sessions", ["user_id"])
    op.add_column("legal_holds", sa.Column("review_on", sa.Date))
    op.create_table(
        "breach_follow_up_notices",
        sa.Column("tenant_id", UUID, sa.ForeignKey("tenants.id"), primary_key=True),
        sa.Column("id", UUID, primary_key=True),
        sa.Column("breach_id", UUID, sa.ForeignKey("breaches.id"), nullable=False),
        sa.Column("follow_up_id", UUID, nullable=False),
        sa.Column("information", sa.Text, nullable=False),
        sa.Column("added_by", UUID),
        sa.Column("enqueued_at", TZ, server_default=sa.text("now()"), nullable=False),
        sa.Column("notified_at", TZ),
        sa.Column("recipients", sa.Integer),
        sa.Column("created_at", TZ, server_default=sa.text("now()"), nullable=False),
        sa.UniqueConstraint("tenant_id", "follow_up_id"),
    )
    op.create_index(
        "ix_breach_follow_up_notices_tenant_id_enqueued_at_pending",
        "breach_follow_up_notices",
        ["tenant_id", "enqueued_at"],
        postgresql_where=sa.text("notified_at IS NULL"),
    )
    op.create_index(
        "ix_breach_follow_up_notices_tenant_id_breach_id",
        "breach_follow_up_notices",
        ["tenant_id", "breach_id"],
    )
    isolate_tenant_table(
        "breach_follow_up_notices",
        platform=PlatformAccess.WRITE,
        privileges="SELECT, INSERT, UPDATE",
    )
    execute_all(
        [
            "ALTER TABLE staff_sessions ENABLE ROW LEVEL SECURITY",
            "ALTER TABLE staff_sessions FORCE ROW LEVEL SECURITY",
            scope_policy("staff_sessions", "platform_only", ("platform",)),
            grant_to_app("staff_sessions", app_role(), "SELECT, INSERT, UPDATE"),
        ]
    )


def downgrade() -> None:
    op.drop_table("breach_follow_up_notices")
    op.drop_column("legal_holds", "review_on")
    op.drop_table("staff_sessions")
