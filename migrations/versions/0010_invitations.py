"""One person, one password only they set: invitations, password resets, separate staff
identities, pending memberships, platform mail, login throttle by account and address.

- ``users.realm``: ``tenant`` identities (memberships) and ``platform`` identities (staff)
  are separate rows even for one address; the e-mail is unique per realm. A user who was
  both is split: the staff row moves to a new platform identity with the same password.
- ``memberships.status`` gains ``pending`` (invited, not yet accepted).
- ``account_links``: single-use, expiring e-mailed links (invitation, password reset),
  stored as SHA-256 digests, ``auth`` scope only, like refresh tokens.
- ``outbound_emails`` loses its foreign key to ``tenants``: the platform's own mail (staff
  invitations and resets) is queued under the nil tenant id, like the platform audit chain.
- ``login_attempts.blocked_until``: the progressive delay between counted attempts.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

from timeward.db.migration_ops import app_role, execute_all
from timeward.db.rls import grant_to_app, scope_policy

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

UUID = pg.UUID(as_uuid=True)
TZ = sa.DateTime(timezone=True)

SPLIT_SHARED_STAFF = """
WITH shared AS (
    SELECT u.id, u.email, u.password_hash, u.status FROM users u
     WHERE EXISTS (SELECT 1 FROM platform_staff s WHERE s.user_id = u.id)
       AND EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = u.id)
), copies AS (
    INSERT INTO users (id, email, password_hash, status, realm, created_at)
    SELECT gen_random_uuid(), email, password_hash, status, 'platform', now() FROM shared
    RETURNING id, email
)
UPDATE platform_staff s SET user_id = c.id
  FROM shared, copies c WHERE s.user_id = shared.id AND lower(c.email) = lower(shared.email)
"""

# Downgrade: a staff identity whose address also has a tenant identity goes back to it.
MERGE_SPLIT_STAFF = """
UPDATE platform_staff s SET user_id = t.id
  FROM users p, users t
 WHERE s.user_id = p.id AND p.realm = 'platform' AND t.realm = 'tenant'
   AND lower(t.email) = lower(p.email)
"""


def upgrade() -> None:
    op.add_column(
        "users", sa.Column("realm", sa.String(16), nullable=False, server_default="tenant")
    )
    op.create_check_constraint("realm", "users", "realm IN ('tenant', 'platform')")
    op.drop_index("uq_users_email_ci", "users")
    op.create_index(
        "uq_users_realm_email_ci", "users", ["realm", sa.text("lower(email)")], unique=True
    )
    op.execute(
        "UPDATE users SET realm = 'platform' WHERE id IN (SELECT user_id FROM platform_staff)"
        " AND NOT EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = users.id)"
    )
    op.execute(SPLIT_SHARED_STAFF)
    op.execute(
        "DELETE FROM refresh_tokens WHERE domain = 'platform' AND user_id IN"
        " (SELECT id FROM users WHERE realm = 'tenant')"
    )

    op.drop_constraint("ck_memberships_status", "memberships")
    op.create_check_constraint(
        "status", "memberships", "status IN ('active', 'disabled', 'pending')"
    )

    op.create_table(
        "account_links",
        sa.Column("id", UUID, primary_key=True),
        sa.Column("user_id", UUID, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("purpose", sa.String(16), nullable=False),
        sa.Column("domain", sa.String(64), nullable=False),
        sa.Column("token_hash", sa.LargeBinary, nullable=False, unique=True),
        sa.Column("created_at", TZ, server_default=sa.text("now()"), nullable=False),
        sa.Column("expires_at", TZ, nullable=False),
        sa.Column("used_at", TZ),
        sa.CheckConstraint("purpose IN ('invitation', 'reset')", name="purpose"),
    )
    op.create_index("ix_account_links_user_id", "account_links", ["user_id"])
    execute_all(
        [
            "ALTER TABLE account_links ENABLE ROW LEVEL SECURITY",
            "ALTER TABLE account_links FORCE ROW LEVEL SECURITY",
            scope_policy("account_links", "scoped_access", ("auth",)),
            grant_to_app("account_links", app_role(), "SELECT, INSERT, UPDATE, DELETE"),
        ]
    )

    op.drop_constraint("fk_outbound_emails_tenant_id_tenants", "outbound_emails")
    op.add_column("login_attempts", sa.Column("blocked_until", TZ))


def downgrade() -> None:
    op.drop_column("login_attempts", "blocked_until")
    op.create_foreign_key(
        "fk_outbound_emails_tenant_id_tenants", "outbound_emails", "tenants", ["tenant_id"], ["id"]
    )
    op.drop_table("account_links")
    op.execute("UPDATE memberships SET status = 'disabled' WHERE status = 'pending'")
    op.drop_constraint("ck_memberships_status", "memberships")
    op.create_check_constraint("status", "memberships", "status IN ('active', 'disabled')")
    op.execute(MERGE_SPLIT_STAFF)
    op.execute("DELETE FROM refresh_tokens WHERE domain = 'platform'")
    op.execute(
        "DELETE FROM users u WHERE realm = 'platform' AND EXISTS (SELECT 1 FROM users t"
        " WHERE t.realm = 'tenant' AND lower(t.email) = lower(u.email))"
    )
    op.drop_index("uq_users_realm_email_ci", "users")
    op.create_index("uq_users_email_ci", "users", [sa.text("lower(email)")], unique=True)
    op.drop_constraint("ck_users_realm", "users")
    op.drop_column("users", "realm")
