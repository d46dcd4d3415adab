"""The API request path (docs/performance.md, "API request path").

``audit_pending_reads``: a staff read of personal data (``personal_data.read``) is written
here, one insert in the request's own transaction, instead of being chained at once: the
chain's head row is locked only when the pending reads are folded into the chain (by the
next chained write of the tenant, by every reader or verifier of the log, and each minute
by a job), so one tenant's staff reads no longer queue behind each other. The application
role may insert and read, and delete only while folding (the head row is locked then).

``account_changed``: a trigger on ``users``, ``memberships``, ``platform_staff`` and
``tenants`` sends ``NOTIFY timeward_account`` with the user's id (or ``*`` for a whole
tenant), so every API process drops its cached account check at once.

Revision ID: 0026
Revises: 0020
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

from timeward.db.migration_ops import isolate_tenant_table

revision = "0026"
down_revision = "0020"
branch_labels = None
depends_on = None

UUID = pg.UUID(as_uuid=True)

NOTIFY_FUNCTION = """
CREATE FUNCTION notify_account_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    v_row record := CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
BEGIN
    IF TG_TABLE_NAME = 'users' THEN
        PERFORM pg_notify('timeward_account', v_row.id::text);
    ELSIF TG_TABLE_NAME = 'tenants' THEN
        PERFORM pg_notify('timeward_account', '*');
    ELSE
        PERFORM pg_notify('timeward_account', v_row.user_id::text);
    END IF;
    RETURN NULL;
END $$
"""
NOTIFIED = {
    "users": "UPDATE OF status OR DELETE",
    "memberships": "UPDATE OF status, role OR DELETE",
    "platform_staff": "UPDATE OF role OR DELETE",
    "tenants": "UPDATE OF status OR DELETE",
}


def upgrade() -> None:
    op.create_table(
        "audit_pending_reads",
        sa.Column("tenant_id", UUID, primary_key=True),
        sa.Column("n", sa.BigInteger, sa.Identity(always=True), primary_key=True),
        sa.Column("id", UUID, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", UUID),
        sa.Column("actor_role", sa.String(32)),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("subject_type", sa.String(64)),
        sa.Column("subject_id", UUID),
        sa.Column("request_id", sa.String(64)),
        sa.Column("details", pg.JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
        sa.Column("identity_digest", sa.LargeBinary, nullable=False),
    )
    isolate_tenant_table("audit_pending_reads", privileges="SELECT, INSERT, DELETE")

    op.execute(NOTIFY_FUNCTION)
    for table, events in NOTIFIED.items():
        op.execute(
            f"CREATE TRIGGER account_changed AFTER {events} ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION notify_account_changed()"
        )


def downgrade() -> None:
    for table in NOTIFIED:
        op.execute(f"DROP TRIGGER account_changed ON {table}")
    op.execute("DROP FUNCTION notify_account_changed()")
    op.drop_table("audit_pending_reads")
