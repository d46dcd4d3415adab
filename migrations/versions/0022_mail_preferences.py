"""Essential and optional mail (docs/accountability.md, "Essential and optional mail").

``outbound_emails`` gains its category (essential with a reason, or optional with a topic,
the member and the signed one-click unsubscribe link), a ``dedupe_key`` (one weekly digest
per member and week however often the job runs) and the status ``withdrawn`` (the person
unsubscribed before the mail went out). Every earlier row is essential.
``mail_preferences``: each member's own choice per optional topic, tenant-scoped with
forced RLS, erased with the membership. ``tenant_settings.digest_default``: whether the
weekly digests go to members who have not chosen (``opt_out``) or not (``opt_in``).
``product_news``: the processor's product news issues (processor metadata, platform scope
only, like ``breaches``).

Revision ID: 0022
Revises: 0021
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

from timeward.db.migration_ops import app_role, execute_all, isolate_tenant_table
from timeward.db.rls import grant_to_app, scope_policy

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

UUID = pg.UUID(as_uuid=True)
TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column(
        "outbound_emails",
        sa.Column("category", sa.String(16), nullable=False, server_default="essential"),
    )
    op.add_column("outbound_emails", sa.Column("essential_reason", sa.String(32)))
    op.add_column("outbound_emails", sa.Column("topic", sa.String(32)))
    op.add_column("outbound_emails", sa.Column("recipient_user_id", UUID))
    op.add_column("outbound_emails", sa.Column("unsubscribe_url", sa.Text))
    op.add_column("outbound_emails", sa.Column("dedupe_key", sa.String(200)))
    op.create_check_constraint(
        "category", "outbound_emails", "category IN ('essential', 'optional')"
    )
    op.create_check_constraint(
        "optional_fields",
        "outbound_emails",
        "(category = 'optional') = (topic IS NOT NULL AND recipient_user_id IS NOT NULL "
        "AND unsubscribe_url IS NOT NULL)",
    )
    op.drop_constraint("ck_outbound_emails_status", "outbound_emails")
    op.create_check_constraint(
        "status", "outbound_emails", "status IN ('pending', 'sent', 'failed', 'withdrawn')"
    )
    op.create_index(
        "uq_outbound_emails_tenant_id_dedupe_key",
        "outbound_emails",
        ["tenant_id", "dedupe_key"],
        unique=True,
        postgresql_where=sa.text("dedupe_key IS NOT NULL"),
    )

    op.create_table(
        "mail_preferences",
        sa.Column("tenant_id", UUID, sa.ForeignKey("tenants.id"), primary_key=True),
        sa.Column("user_id", UUID, primary_key=True),
        sa.Column("topic", sa.String(32), primary_key=True),
        sa.Column("subscribed", sa.Boolean, nullable=False),
        sa.Column("changed_via", sa.String(16), nullable=False),
        sa.Column("changed_at", TZ, server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "user_id"],
            ["memberships.tenant_id", "memberships.user_id"],
            ondelete="CASCADE",
        ),
        sa.CheckConstraint(
            "topic IN ('admin_digest', 'hours_summary', 'product_news')", name="topic"
        ),
        sa.CheckConstraint(
            "changed_via IN ('preferences', 'unsubscribe_link')", name="changed_via"
        ),
    )
    isolate_tenant_table("mail_preferences")

    op.add_column(
        "tenant_settings",
        sa.Column("digest_default", sa.String(8), nullable=False, server_default="opt_in"),
    )
    op.create_check_constraint(
        "digest_default", "tenant_settings", "digest_default IN ('opt_in', 'opt_out')"
    )

    op.create_table(
        "product_news",
        sa.Column("id", UUID, primary_key=True),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("created_by", UUID),
        sa.Column("created_at", TZ, server_default=sa.text("now()"), nullable=False),
        sa.Column("recipients", sa.Integer),
        sa.Column("sent_at", TZ),
    )
    execute_all(
        [
            "ALTER TABLE product_news ENABLE ROW LEVEL SECURITY",
            "ALTER TABLE product_news FORCE ROW LEVEL SECURITY",
            scope_policy("product_news", "platform_all", ("platform",)),
            grant_to_app("product_news", app_role(), "SELECT, INSERT, UPDATE"),
        ]
    )


def downgrade() -> None:
    op.drop_table("product_news")
    op.drop_constraint("ck_tenant_settings_digest_default", "tenant_settings")
    op.drop_column("tenant_settings", "digest_default")
    op.drop_table("mail_preferences")
    op.drop_index("uq_outbound_emails_tenant_id_dedupe_key", "outbound_emails")
    op.execute("DELETE FROM outbound_emails WHERE status = 'withdrawn'")
    op.drop_constraint("ck_outbound_emails_status", "outbound_emails")
    op.create_check_constraint(
        "status", "outbound_emails", "status IN ('pending', 'sent', 'failed')"
    )
    op.drop_constraint("ck_outbound_emails_optional_fields", "outbound_emails")
    op.drop_constraint("ck_outbound_emails_category", "outbound_emails")
    for column in (
        "dedupe_key", "unsubscribe_url", "recipient_user_id", "topic", "essential_reason",
        "category",
    ):  # fmt: skip
        op.drop_column("outbound_emails", column)
