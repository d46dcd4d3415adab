"""The API request path (docs/performance.md, "API request path").

``audit_pending_reads``: a staff read of personal data (``personal_data.read``) made
while another transaction holds the tenant's chain head waits here instead of queueing
for the lock; the next append, listing or verification of the log, or the minute's job,
chains it (docs/performance.md, "API request path"). The application role may insert,
read, and delete (while folding, under the head lock).

``account_changed``: a trigger on ``users``, ``memberships``, ``platform_staff`` and
``tenants`` sends ``NOTIFY timeward_account`` with the user's id (or ``*`` for a whole
tenant), so every API process drops its cached account check at once.

Revision ID: 0026
Revises: 0025
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

from timeward.db.migration_ops import isolate_tenant_table

revision = "0026"
down_revision = "0025"
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
