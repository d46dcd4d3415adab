"""Server-side sessions of the web pages (``browser_sessions``), tenant-scoped, forced RLS.

The cookie names the tenant next to its secret, so a session is looked up inside that
tenant's scope like any other tenant row; only the secret's SHA-256 digest is stored.
Rows go with the membership (erasure of the person, removal from the tenant).

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

from timeward.db.migration_ops import isolate_tenant_table

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

UUID = pg.UUID(as_uuid=True)
TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "browser_sessions",
        sa.Column("tenant_id", UUID, sa.ForeignKey("tenants.id"), primary_key=True),
        sa.Column("id", UUID, primary_key=True),
        sa.Column("user_id", UUID, nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("token_hash", sa.LargeBinary, nullable=False, unique=True),
        sa.Column("created_at", TZ, server_default=sa.text("now()"), nullable=False),
        sa.Column("last_seen_at", TZ, nullable=False),
        sa.Column("expires_at", TZ, nullable=False),
        sa.Column("revoked_at", TZ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "user_id"],
            ["memberships.tenant_id", "memberships.user_id"],
            ondelete="CASCADE",
        ),
    )
    op.create_index(
        "ix_browser_sessions_tenant_id_user_id", "browser_sessions", ["tenant_id", "user_id"]
    )
    isolate_tenant_table("browser_sessions")


def downgrade() -> None:
    op.drop_table("browser_sessions")
