"""Single sign-on per tenant: ``sso_configs`` and ``sso_logins``, tenant-scoped, forced RLS.

The client secret is sealed under the tenant's data key (``secret_key_id`` names it), so
crypto-shredding the tenant makes it unreadable with the rest. ``sso_logins`` holds the
digest of each sign-in's ``state`` (single use, expiring) and of the browser binding.

Revision ID: 0016
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

from timeward.db.migration_ops import isolate_tenant_table

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

UUID = pg.UUID(as_uuid=True)
TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "sso_configs",
        sa.Column("tenant_id", UUID, sa.ForeignKey("tenants.id"), primary_key=True),
        sa.Column("issuer", sa.Text, nullable=False),
        sa.Column("display_name", sa.Text, nullable=False),
        sa.Column("client_id", sa.Text, nullable=False),
        sa.Column("client_secret", sa.LargeBinary, nullable=False),
        sa.Column("secret_key_id", UUID, nullable=False),
        sa.Column("allowed_domains", pg.ARRAY(sa.Text), nullable=False),
        sa.Column("required", sa.Boolean, nullable=False),
        sa.Column("create_users", sa.Boolean, nullable=False),
        sa.Column("break_glass_user_id", UUID),
        sa.Column("provider", pg.JSONB, nullable=False),
        sa.Column("updated_at", TZ, server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_by", UUID),
        sa.ForeignKeyConstraint(
            ["tenant_id", "break_glass_user_id"],
            ["memberships.tenant_id", "memberships.user_id"],
            ondelete="SET NULL (break_glass_user_id)",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "updated_by"],
            ["memberships.tenant_id", "memberships.user_id"],
            ondelete="SET NULL (updated_by)",
        ),
    )
    isolate_tenant_table("sso_configs")
    op.create_table(
        "sso_logins",
        sa.Column("tenant_id", UUID, sa.ForeignKey("tenants.id"), primary_key=True),
        sa.Column("id", UUID, primary_key=True),
        sa.Column("state_hash", sa.LargeBinary, nullable=False, unique=True),
        sa.Column("browser_hash", sa.LargeBinary, nullable=False),
        sa.Column("next_path", sa.Text, nullable=False),
        sa.Column("created_at", TZ, server_default=sa.text("now()"), nullable=False),
        sa.Column("expires_at", TZ, nullable=False),
        sa.Column("used_at", TZ),
    )
    op.create_index("ix_sso_logins_tenant_id_expires_at", "sso_logins", ["tenant_id", "expires_at"])
    isolate_tenant_table("sso_logins")


def downgrade() -> None:
    op.drop_table("sso_logins")
    op.drop_table("sso_configs")
