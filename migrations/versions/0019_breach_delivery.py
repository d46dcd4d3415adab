"""Which e-mails and in-app notifications carried each breach notice, and a function that
tells platform staff how they fared in counts only.

``breach_notices`` gains ``email_ids`` and ``notification_ids`` (set by the job that sends
the notice). ``outbound_emails`` and ``notifications`` hold personal data and stay closed to
the platform scope; ``breach_notice_delivery`` runs as the owner and returns, per notice,
only counts of e-mails by status and of notifications read, and the first read time: never
an address, a name or a text (docs/accountability.md, "Delivery of a notice").

Revision ID: 0019
Revises: 0016
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

from timeward.db.migration_ops import app_role
from timeward.db.rls import CURRENT_SCOPE

revision = "0019"
down_revision = "0017"
branch_labels = None
depends_on = None

UUID = pg.UUID(as_uuid=True)
SIGNATURE = "breach_notice_delivery(uuid[])"

DELIVERY = f"""
CREATE FUNCTION breach_notice_delivery(p_breaches uuid[])
RETURNS TABLE (breach_id uuid, tenant_id uuid, mail_pending integer, mail_sent integer,
               mail_failed integer, in_app integer, in_app_read integer,
               first_read_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT n.breach_id, n.tenant_id,
           (SELECT count(*) FROM outbound_emails e WHERE e.tenant_id = n.tenant_id
               AND e.id = ANY (n.email_ids) AND e.status = 'pending')::integer,
           (SELECT count(*) FROM outbound_emails e WHERE e.tenant_id = n.tenant_id
               AND e.id = ANY (n.email_ids) AND e.status = 'sent')::integer,
           (SELECT count(*) FROM outbound_emails e WHERE e.tenant_id = n.tenant_id
               AND e.id = ANY (n.email_ids) AND e.status = 'failed')::integer,
           (SELECT count(*) FROM notifications r WHERE r.tenant_id = n.tenant_id
               AND r.id = ANY (n.notification_ids))::integer,
           (SELECT count(*) FROM notifications r WHERE r.tenant_id = n.tenant_id
               AND r.id = ANY (n.notification_ids) AND r.read_at IS NOT NULL)::integer,
           (SELECT min(r.read_at) FROM notifications r WHERE r.tenant_id = n.tenant_id
               AND r.id = ANY (n.notification_ids))
      FROM breach_notices n
     WHERE n.breach_id = ANY (p_breaches) AND {CURRENT_SCOPE} = 'platform'
$$
"""


def _owner() -> str:
    return str(op.get_bind().exec_driver_sql("select current_user").scalar())


def upgrade() -> None:
    for column in ("email_ids", "notification_ids"):
        op.add_column(
            "breach_notices",
            sa.Column(column, pg.ARRAY(UUID), nullable=False, server_default="{}"),
        )
    op.execute(DELIVERY)
    # The function runs as the owner, which FORCE RLS binds too: it may read (only read)
    # the two personal-data tables; no application code runs as the owner.
    is_owner = f"current_user = '{_owner()}'"
    for table in ("outbound_emails", "notifications"):
        op.execute(f"CREATE POLICY owner_delivery ON {table} FOR SELECT USING ({is_owner})")
    op.execute(f"REVOKE ALL ON FUNCTION {SIGNATURE} FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION {SIGNATURE} TO {app_role()}")


def downgrade() -> None:
    for table in ("outbound_emails", "notifications"):
        op.execute(f"DROP POLICY owner_delivery ON {table}")
    op.execute(f"DROP FUNCTION {SIGNATURE}")
    op.drop_column("breach_notices", "notification_ids")
    op.drop_column("breach_notices", "email_ids")
