"""Support access grants and audit pseudonymisation.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

from timeward.db.migration_ops import app_role, isolate_tenant_table
from timeward.db.rls import CURRENT_TENANT, PlatformAccess

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

UUID = pg.UUID(as_uuid=True)
NOW = sa.text("now()")

# Erasure replaces a subject's identifiers in their tenant's audit events by a stable
# pseudonym. The application role may not UPDATE audit_events, so this one narrow
# function, owned by the schema owner, does it: only identifier columns, only in the
# tenant the caller's transaction is set to. The chain covers a keyed digest of the
# identifiers, not the identifiers, so it still verifies afterwards.
PSEUDONYMISE = f"""
CREATE FUNCTION pseudonymise_audit_subject(p_subject uuid, p_pseudonym uuid)
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_tenant uuid := {CURRENT_TENANT};
    v_count integer;
BEGIN
    IF v_tenant IS NULL THEN
        RAISE EXCEPTION 'pseudonymise_audit_subject needs a tenant-scoped transaction';
    END IF;
    UPDATE audit_events
       SET actor_id = CASE WHEN actor_id = p_subject THEN p_pseudonym ELSE actor_id END,
           subject_id = CASE WHEN subject_id = p_subject THEN p_pseudonym ELSE subject_id END
     WHERE tenant_id = v_tenant AND (actor_id = p_subject OR subject_id = p_subject);
    GET DIAGNOSTICS v_count = ROW_COUNT;
    RETURN v_count;
END $$
"""


def upgrade() -> None:
    op.create_table(
        "support_grants",
        sa.Column("tenant_id", UUID, sa.ForeignKey("tenants.id"), primary_key=True),
        sa.Column("id", UUID, primary_key=True),
        sa.Column("granted_by", UUID, nullable=False),
        sa.Column("staff_user_id", UUID),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True)),
        sa.Column("revoked_by", UUID),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.CheckConstraint("expires_at > starts_at", name="window"),
    )
    op.create_index(
        "ix_support_grants_tenant_id_expires_at", "support_grants", ["tenant_id", "expires_at"]
    )
    isolate_tenant_table(
        "support_grants", platform=PlatformAccess.READ, privileges="SELECT, INSERT, UPDATE"
    )

    op.execute(PSEUDONYMISE)
    op.execute("REVOKE ALL ON FUNCTION pseudonymise_audit_subject(uuid, uuid) FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION pseudonymise_audit_subject(uuid, uuid) TO {app_role()}")


def downgrade() -> None:
    op.execute("DROP FUNCTION pseudonymise_audit_subject(uuid, uuid)")
    op.drop_table("support_grants")
