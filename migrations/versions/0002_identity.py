"""Identity and roles: membership status, signing keys, refresh tokens, login throttling,
and the platform's own audit chain.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

from timeward.db.migration_ops import app_role, execute_all
from timeward.db.rls import CURRENT_SCOPE, PLATFORM_CHAIN_ID, grant_to_app, scope_policy

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

UUID = pg.UUID(as_uuid=True)
NOW = sa.text("now()")


def _scoped_table(table: str, scopes: tuple[str, ...], privileges: str) -> None:
    execute_all(
        [
            f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
            f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY",
            scope_policy(table, "scoped_access", scopes),
            grant_to_app(table, app_role(), privileges),
        ]
    )


# One round trip per request answers "may this token still act?": the role the user
# holds now, or NULL. It sets the scope it needs itself and restores the caller's.
ACTOR_ROLE = """
CREATE FUNCTION actor_role(p_user uuid, p_tenant uuid) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_scope text := coalesce(current_setting('app.scope', true), '');
    v_tenant text := coalesce(current_setting('app.tenant_id', true), '');
    v_role text;
BEGIN
    IF p_tenant IS NULL THEN
        PERFORM set_config('app.scope', 'platform', true), set_config('app.tenant_id', '', true);
        SELECT s.role INTO v_role FROM platform_staff s JOIN users u ON u.id = s.user_id
         WHERE s.user_id = p_user AND u.status = 'active';
    ELSE
        PERFORM set_config('app.scope', 'tenant', true),
                set_config('app.tenant_id', p_tenant::text, true);
        SELECT m.role INTO v_role FROM memberships m
          JOIN users u ON u.id = m.user_id
          JOIN tenants t ON t.id = m.tenant_id
         WHERE m.tenant_id = p_tenant AND m.user_id = p_user AND m.status = 'active'
           AND u.status = 'active' AND t.status = 'active';
    END IF;
    PERFORM set_config('app.scope', v_scope, true), set_config('app.tenant_id', v_tenant, true);
    RETURN v_role;
END $$
"""


def upgrade() -> None:
    op.add_column(
        "memberships",
        sa.Column("status", sa.String(16), nullable=False, server_default="active"),
    )
    op.create_check_constraint("status", "memberships", "status IN ('active', 'disabled')")

    # The processor's own events form a chain under the nil tenant id, readable and
    # writable only in platform scope (audit rows do not reference tenants for this).
    platform_chain = f"tenant_id = '{PLATFORM_CHAIN_ID}' AND {CURRENT_SCOPE} = 'platform'"
    for table in ("audit_events", "audit_chain_heads"):
        op.execute(
            f"CREATE POLICY platform_chain ON {table} "
            f"USING ({platform_chain}) WITH CHECK ({platform_chain})"
        )

    op.create_table(
        "signing_keys",
        sa.Column("kid", sa.String(64), primary_key=True),
        sa.Column("alg", sa.String(16), nullable=False),
        sa.Column("private_key_sealed", sa.LargeBinary, nullable=False),
        sa.Column("public_jwk", pg.JSONB, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True)),
    )
    _scoped_table("signing_keys", ("auth", "platform"), "SELECT, INSERT, UPDATE")

    op.create_table(
        "refresh_tokens",
        sa.Column("id", UUID, primary_key=True),
        sa.Column("family_id", UUID, nullable=False),
        sa.Column("user_id", UUID, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("domain", sa.String(64), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("token_hash", sa.LargeBinary, nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True)),
        sa.Column("revoked_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_refresh_tokens_family_id", "refresh_tokens", ["family_id"])
    op.create_index("ix_refresh_tokens_user_id_domain", "refresh_tokens", ["user_id", "domain"])
    _scoped_table("refresh_tokens", ("auth",), "SELECT, INSERT, UPDATE, DELETE")

    op.create_table(
        "login_attempts",
        sa.Column("bucket", sa.String(80), primary_key=True),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("failures", sa.Integer, nullable=False),
    )
    _scoped_table("login_attempts", ("auth",), "SELECT, INSERT, UPDATE, DELETE")

    op.execute(ACTOR_ROLE)
    op.execute("REVOKE ALL ON FUNCTION actor_role(uuid, uuid) FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION actor_role(uuid, uuid) TO {app_role()}")


def downgrade() -> None:
    op.execute("DROP FUNCTION actor_role(uuid, uuid)")
    for table in ("login_attempts", "refresh_tokens", "signing_keys"):
        op.drop_table(table)
    for table in ("audit_events", "audit_chain_heads"):
        op.execute(f"DROP POLICY platform_chain ON {table}")
    op.drop_constraint("ck_memberships_status", "memberships")
    op.drop_column("memberships", "status")
