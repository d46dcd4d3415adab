"""Foundation: tenants, users, memberships, platform staff, audit log.

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

from timeward.db.migration_ops import app_role, isolate_tenant_table
from timeward.db.rls import CURRENT_SCOPE, CURRENT_TENANT, grant_to_app, scope_policy

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

UUID = pg.UUID(as_uuid=True)
NOW = sa.text("now()")


def _created_at() -> sa.Column[sa.DateTime]:
    return sa.Column("created_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False)


def upgrade() -> None:
    role = app_role()
    op.execute("REVOKE ALL ON SCHEMA public FROM PUBLIC")
    op.execute(f"GRANT USAGE ON SCHEMA public TO {role}")
    op.execute(grant_to_app("alembic_version", role, "SELECT"))

    op.create_table(
        "tenants",
        sa.Column("id", UUID, primary_key=True),
        sa.Column("slug", sa.String(63), nullable=False, unique=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("subdivision", sa.String(8)),
        _created_at(),
        sa.CheckConstraint(
            "status IN ('active', 'suspended', 'offboarding', 'deleted')", name="status"
        ),
        sa.CheckConstraint("slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'", name="slug_format"),
        sa.CheckConstraint("country ~ '^[A-Z]{2}$'", name="country_format"),
    )
    op.execute("ALTER TABLE tenants ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE tenants FORCE ROW LEVEL SECURITY")
    op.execute(f"CREATE POLICY own_tenant ON tenants FOR SELECT USING (id = {CURRENT_TENANT})")
    op.execute(scope_policy("tenants", "platform_all", ("platform",)))
    op.execute(scope_policy("tenants", "auth_read", ("auth",), "SELECT"))
    op.execute(grant_to_app("tenants", role))

    op.create_table(
        "users",
        sa.Column("id", UUID, primary_key=True),
        sa.Column("email", sa.Text, nullable=False),
        sa.Column("password_hash", sa.Text),
        sa.Column("status", sa.String(16), nullable=False),
        _created_at(),
        sa.CheckConstraint("status IN ('active', 'disabled')", name="status"),
    )
    op.create_index("uq_users_email_ci", "users", [sa.text("lower(email)")], unique=True)

    op.create_table(
        "platform_staff",
        sa.Column("user_id", UUID, sa.ForeignKey("users.id"), primary_key=True),
        sa.Column("role", sa.String(32), nullable=False),
        _created_at(),
        sa.CheckConstraint("role IN ('platform_staff', 'platform_admin')", name="role"),
    )
    op.execute("ALTER TABLE platform_staff ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE platform_staff FORCE ROW LEVEL SECURITY")
    op.execute(scope_policy("platform_staff", "platform_or_auth", ("platform", "auth")))
    op.execute(grant_to_app("platform_staff", role))

    op.create_table(
        "memberships",
        sa.Column("tenant_id", UUID, sa.ForeignKey("tenants.id"), primary_key=True),
        sa.Column("user_id", UUID, sa.ForeignKey("users.id"), primary_key=True),
        sa.Column("role", sa.String(32), nullable=False),
        _created_at(),
        sa.CheckConstraint("role IN ('employee', 'client_manager', 'client_admin')", name="role"),
    )
    op.create_index("ix_memberships_tenant_id_role", "memberships", ["tenant_id", "role"])
    op.create_index("ix_memberships_user_id", "memberships", ["user_id"])
    isolate_tenant_table("memberships")

    # A user row is visible to identity look-ups (auth scope), to the platform for
    # its own staff, and to a tenant for the users who are its members.
    op.execute("ALTER TABLE users ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE users FORCE ROW LEVEL SECURITY")
    op.execute(scope_policy("users", "identity_all", ("auth",)))
    op.execute(scope_policy("users", "any_scope_insert", ("auth", "tenant", "platform"), "INSERT"))
    op.execute(
        "CREATE POLICY tenant_members ON users USING (EXISTS ("
        "SELECT 1 FROM memberships m WHERE m.user_id = users.id "
        f"AND m.tenant_id = {CURRENT_TENANT}))"
    )
    op.execute(
        "CREATE POLICY platform_staff_users ON users USING ("
        f"{CURRENT_SCOPE} = 'platform' AND EXISTS ("
        "SELECT 1 FROM platform_staff s WHERE s.user_id = users.id))"
    )
    op.execute(grant_to_app("users", role))

    op.create_table(
        "audit_events",
        sa.Column("tenant_id", UUID, primary_key=True),
        sa.Column("seq", sa.BigInteger, primary_key=True),
        sa.Column("id", UUID, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.Column("actor_id", UUID),
        sa.Column("actor_role", sa.String(32)),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("subject_type", sa.String(64)),
        sa.Column("subject_id", UUID),
        sa.Column("request_id", sa.String(64)),
        sa.Column("details", pg.JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
        sa.Column("identity_digest", sa.LargeBinary, nullable=False),
        sa.Column("prev_digest", sa.LargeBinary, nullable=False),
        sa.Column("digest", sa.LargeBinary, nullable=False),
    )
    op.create_index("ix_audit_events_tenant_id_at", "audit_events", ["tenant_id", "at"])
    isolate_tenant_table("audit_events", privileges="SELECT, INSERT")

    op.create_table(
        "audit_chain_heads",
        sa.Column("tenant_id", UUID, primary_key=True),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("digest", sa.LargeBinary, nullable=False),
    )
    isolate_tenant_table("audit_chain_heads", privileges="SELECT, INSERT, UPDATE")


def downgrade() -> None:
    for table in (
        "audit_chain_heads",
        "audit_events",
        "memberships",
        "platform_staff",
        "users",
        "tenants",
    ):
        op.drop_table(table)
