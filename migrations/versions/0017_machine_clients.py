"""Machine clients (OAuth2 client credentials) of a tenant: ``api_clients``; its webhook
endpoints, events and deliveries (``webhook_*``); OpenDSR requests (``opendsr_requests``).

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
down_revision = "0016"
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
    isolate_tenant_table("api_clients")
    op.execute(scope_policy("api_clients", "auth_read", ("auth",), "SELECT"))

    op.create_table(
        "webhook_endpoints",
        sa.Column("tenant_id", UUID, sa.ForeignKey("tenants.id"), primary_key=True),
        sa.Column("id", UUID, primary_key=True),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("events", pg.ARRAY(sa.String(64)), nullable=False),
        sa.Column("description", sa.String(200)),
        sa.Column("secret_salt", sa.LargeBinary, nullable=False),
        sa.Column("allow_private_network", sa.Boolean, nullable=False, server_default="false"),
        sa.Column("created_by", UUID, nullable=False),
        sa.Column("created_by_role", sa.String(32), nullable=False),
        sa.Column("created_at", TZ, server_default=NOW, nullable=False),
        sa.Column("disabled_at", TZ),
        sa.Column("disabled_reason", sa.String(200)),
        sa.Column("kind", sa.String(16), nullable=False, server_default="webhook"),
        sa.Column("instruction_id", UUID),
        sa.Column("context", pg.JSONB),
        sa.CheckConstraint("kind IN ('webhook', 'opendsr')", name="kind"),
    )
    isolate_tenant_table("webhook_endpoints")
    op.create_table(
        "webhook_events",
        sa.Column("tenant_id", UUID, sa.ForeignKey("tenants.id"), primary_key=True),
        sa.Column("id", UUID, primary_key=True),
        sa.Column("event_type", sa.String(64), nullable=False),
        sa.Column("payload", pg.JSONB, nullable=False),
        sa.Column("dedupe_key", sa.String(200)),
        sa.Column("created_at", TZ, server_default=NOW, nullable=False),
        sa.UniqueConstraint("tenant_id", "dedupe_key"),
    )
    isolate_tenant_table("webhook_events", privileges="SELECT, INSERT, DELETE")
    op.create_table(
        "webhook_deliveries",
        sa.Column("tenant_id", UUID, sa.ForeignKey("tenants.id"), primary_key=True),
        sa.Column("id", UUID, primary_key=True),
        sa.Column("seq", sa.BigInteger, sa.Identity(), nullable=False, unique=True),
        sa.Column("endpoint_id", UUID, nullable=False),
        sa.Column("event_id", UUID, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_attempt_at", TZ, nullable=False),
        sa.Column("last_status_code", sa.Integer),
        sa.Column("last_latency_ms", sa.Integer),
        sa.Column("last_error", sa.String(200)),
        sa.Column("delivered_at", TZ),
        sa.Column("redelivery_of", UUID),
        sa.Column("created_at", TZ, server_default=NOW, nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "event_id"],
            ["webhook_events.tenant_id", "webhook_events.id"],
            ondelete="CASCADE",
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'delivered', 'failed', 'abandoned')", name="status"
        ),
    )
    op.create_index(
        "ix_webhook_deliveries_tenant_id_endpoint_id_status",
        "webhook_deliveries",
        ["tenant_id", "endpoint_id", "status", "seq"],
    )
    isolate_tenant_table("webhook_deliveries")

    op.create_table(
        "opendsr_requests",
        sa.Column("tenant_id", UUID, sa.ForeignKey("tenants.id"), primary_key=True),
        sa.Column("id", UUID, primary_key=True),
        sa.Column("subject_request_id", sa.String(100), nullable=False),
        sa.Column("subject_request_type", sa.String(16), nullable=False),
        sa.Column("regulation", sa.String(16), nullable=False),
        sa.Column("api_version", sa.String(8), nullable=False),
        sa.Column("submitted_time", TZ, nullable=False),
        sa.Column("received_time", TZ, nullable=False),
        sa.Column("instruction_id", UUID),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("results_count", sa.Integer),
        sa.Column("expected_completion_time", TZ),
        sa.Column("encoded_request", sa.Text, nullable=False),
        sa.Column("processor_signature", sa.Text, nullable=False),
        sa.Column("requested_by", UUID, nullable=False),
        sa.Column("created_at", TZ, server_default=NOW, nullable=False),
        sa.UniqueConstraint("tenant_id", "subject_request_id"),
    )
    isolate_tenant_table("opendsr_requests")


def downgrade() -> None:
    op.drop_table("opendsr_requests")
    op.drop_table("webhook_deliveries")
    op.drop_table("webhook_events")
    op.drop_table("webhook_endpoints")
    op.drop_table("api_clients")
