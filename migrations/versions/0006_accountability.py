"""Accountability: breaches and their notices, the sub-processor registry with its
notices and objections, and the controller details of the records of processing.

Platform-only tables (no tenant): ``breaches`` (platform scope only) and the public
registry ``sub_processors`` / ``sub_processor_changes`` (written in platform scope,
readable in platform and tenant scope). Tenant tables have ``tenant_id`` leading every
key and index and forced RLS: notices are written and read by the platform
(``PlatformAccess.WRITE``), objections and controller details are written by the
tenant and read by the platform (``PlatformAccess.READ``).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

from timeward.db.migration_ops import app_role, execute_all, isolate_tenant_table
from timeward.db.rls import PlatformAccess, grant_to_app, scope_policy

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

UUID = pg.UUID(as_uuid=True)
TZ = sa.DateTime(timezone=True)
NOW = sa.text("now()")
TEXT_LIST = pg.ARRAY(sa.Text)


def _created_at() -> sa.Column[sa.DateTime]:
    return sa.Column("created_at", TZ, server_default=NOW, nullable=False)


def _delivery() -> list[sa.Column[sa.DateTime] | sa.Column[sa.Integer]]:
    return [
        sa.Column("enqueued_at", TZ, server_default=NOW, nullable=False),
        sa.Column("notified_at", TZ),
        sa.Column("recipients", sa.Integer),
    ]


def _platform_table(table: str, privileges: str, *, tenant_reads: bool = False) -> None:
    """RLS by scope: the platform writes; with ``tenant_reads`` tenant sessions may read."""
    statements = [
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY",
        scope_policy(table, "platform_all", ("platform",)),
    ]
    if tenant_reads:
        statements.append(scope_policy(table, "tenant_read", ("tenant",), "SELECT"))
    statements.append(grant_to_app(table, app_role(), privileges))
    execute_all(statements)


def _pending_index(table: str) -> None:
    op.create_index(
        f"ix_{table}_tenant_id_enqueued_at_pending",
        table,
        ["tenant_id", "enqueued_at"],
        postgresql_where=sa.text("notified_at IS NULL"),
    )


def upgrade() -> None:
    op.create_table(
        "breaches",
        sa.Column("id", UUID, primary_key=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("discovered_at", TZ, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("data_categories", TEXT_LIST, nullable=False),
        sa.Column("subject_categories", TEXT_LIST, nullable=False),
        sa.Column("approx_subjects", sa.Integer),
        sa.Column("approx_records", sa.Integer),
        sa.Column("likely_consequences", sa.Text),
        sa.Column("measures_taken", sa.Text, nullable=False),
        sa.Column("measures_proposed", sa.Text),
        sa.Column("contact_point", sa.Text, nullable=False),
        sa.Column("affected", pg.JSONB, nullable=False),
        sa.Column("recorded_by", UUID),
        _created_at(),
        sa.CheckConstraint("approx_subjects >= 0", name="approx_subjects"),
        sa.CheckConstraint("approx_records >= 0", name="approx_records"),
    )
    op.create_index("ix_breaches_discovered_at", "breaches", ["discovered_at"])
    _platform_table("breaches", "SELECT, INSERT")

    op.create_table(
        "breach_notices",
        sa.Column("tenant_id", UUID, sa.ForeignKey("tenants.id"), primary_key=True),
        sa.Column("id", UUID, primary_key=True),
        sa.Column("breach_id", UUID, sa.ForeignKey("breaches.id"), nullable=False),
        sa.Column("basis", sa.String(16), nullable=False),
        sa.Column("calendar_country", sa.String(2)),
        sa.Column("calendar_subdivision", sa.String(8)),
        sa.Column("due_date", sa.Date, nullable=False),
        sa.Column("content", pg.JSONB, nullable=False),
        *_delivery(),
        sa.Column("acknowledged_at", TZ),
        sa.Column("acknowledged_by", UUID),
        _created_at(),
        sa.UniqueConstraint("tenant_id", "breach_id"),
        sa.CheckConstraint("basis IN ('named', 'sub_processor', 'all_tenants')", name="basis"),
    )
    _pending_index("breach_notices")
    isolate_tenant_table(
        "breach_notices", platform=PlatformAccess.WRITE, privileges="SELECT, INSERT, UPDATE"
    )

    op.create_table(
        "sub_processors",
        sa.Column("id", UUID, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("purpose", sa.Text, nullable=False),
        sa.Column("location", sa.Text, nullable=False),
        sa.Column("data_categories", TEXT_LIST, nullable=False),
        sa.Column("transfer_safeguard", sa.Text),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        _created_at(),
        sa.CheckConstraint("status IN ('active', 'removed')", name="status"),
    )
    op.create_index(
        "uq_sub_processors_name_ci", "sub_processors", [sa.text("lower(name)")], unique=True
    )
    _platform_table("sub_processors", "SELECT, INSERT, UPDATE", tenant_reads=True)

    op.create_table(
        "sub_processor_changes",
        sa.Column("id", UUID, primary_key=True),
        sa.Column("version", sa.Integer, nullable=False, unique=True),
        sa.Column("sub_processor_id", UUID, sa.ForeignKey("sub_processors.id"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("entry", pg.JSONB, nullable=False),
        sa.Column("previous", pg.JSONB),
        sa.Column("announced_at", TZ, nullable=False),
        sa.Column("objection_deadline", TZ, nullable=False),
        sa.Column("created_by", UUID),
        sa.CheckConstraint("kind IN ('added', 'changed', 'removed')", name="kind"),
        sa.CheckConstraint("version >= 1", name="version"),
        sa.CheckConstraint("objection_deadline > announced_at", name="window"),
    )
    _platform_table("sub_processor_changes", "SELECT, INSERT", tenant_reads=True)

    op.create_table(
        "sub_processor_notices",
        sa.Column("tenant_id", UUID, sa.ForeignKey("tenants.id"), primary_key=True),
        sa.Column("id", UUID, primary_key=True),
        sa.Column("change_id", UUID, sa.ForeignKey("sub_processor_changes.id"), nullable=False),
        *_delivery(),
        _created_at(),
        sa.UniqueConstraint("tenant_id", "change_id"),
    )
    _pending_index("sub_processor_notices")
    isolate_tenant_table(
        "sub_processor_notices",
        platform=PlatformAccess.WRITE,
        privileges="SELECT, INSERT, UPDATE",
    )

    op.create_table(
        "sub_processor_objections",
        sa.Column("tenant_id", UUID, sa.ForeignKey("tenants.id"), primary_key=True),
        sa.Column("id", UUID, primary_key=True),
        sa.Column("change_id", UUID, sa.ForeignKey("sub_processor_changes.id"), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("objected_by", UUID),
        _created_at(),
        sa.UniqueConstraint("tenant_id", "change_id"),
    )
    isolate_tenant_table(
        "sub_processor_objections", platform=PlatformAccess.READ, privileges="SELECT, INSERT"
    )

    op.create_table(
        "controller_details",
        sa.Column("tenant_id", UUID, sa.ForeignKey("tenants.id"), primary_key=True),
        sa.Column("contact", sa.Text, nullable=False),
        sa.Column("dpo", sa.Text),
        sa.Column("representative", sa.Text),
        sa.Column("updated_at", TZ, server_default=NOW, nullable=False),
        sa.Column("updated_by", UUID),
    )
    isolate_tenant_table(
        "controller_details",
        platform=PlatformAccess.READ,
        privileges="SELECT, INSERT, UPDATE, DELETE",
    )


def downgrade() -> None:
    for table in (
        "controller_details",
        "sub_processor_objections",
        "sub_processor_notices",
        "sub_processor_changes",
        "sub_processors",
        "breach_notices",
        "breaches",
    ):
        op.drop_table(table)
