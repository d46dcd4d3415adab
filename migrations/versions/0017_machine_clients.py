"""Machine clients (OAuth2 client credentials) of a tenant: ``api_clients``.

Tenant-scoped with forced RLS. The token endpoint does not know the tenant before it has
found the client, so the ``auth`` scope (login only) may read the table too, as it reads
``users`` by e-mail. Only the secret's SHA-256 digest is stored.

Revision ID: 0017
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

from timeward.db.migration_ops import isolate_tenant_table
from timeward.db.rls import scope_policy

revision = "0017"
down_revision = "0012"
branch_labels = None
depends_on = None

UUID = pg.UUID(as_uuid=True)
TZ = sa.DateTime(timezone=True)
NOW = sa.text("now()")


def upgrade() -> None:
    op.create_table(
        "api_clients",
        sa.Column("tenant_id", UUID, sa.ForeignKey("tenants.id"), primary_key=True),
        sa.Column("id", UUID, primary_key=True),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("scopes", pg.ARRAY(sa.String(40)), nullable=False),
        sa.Column("secret_hash", sa.LargeBinary, nullable=False),
        sa.Column("generation", sa.Integer, nullable=False, server_default="1"),
        sa.Column("created_by", UUID, nullable=False),
        sa.Column("created_at", TZ, server_default=NOW, nullable=False),
        sa.Column("rotated_at", TZ),
        sa.Column("expires_at", TZ),
        sa.Column("expiry_warned_at", TZ),
        sa.Column("revoked_at", TZ),
        sa.Column("revoked_by", UUID),
        sa.Column("last_used_at", TZ),
    )
    op.create_index("ix_api_clients_id", "api_clients", ["id"], unique=True)
    isolate_tenant_table("api_clients", privileges="SELECT, INSERT, UPDATE")
    op.execute(scope_policy("api_clients", "auth_read", ("auth",), "SELECT"))


def downgrade() -> None:
    op.drop_table("api_clients")
