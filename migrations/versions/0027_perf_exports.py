"""Returned data written while it is built: ``data_export_parts`` holds the zip of an
export in consecutive parts until the export is stored, so the worker never holds the
whole archive (docs/performance.md, "Exports, sweeps and pages").

The parts of one instruction are written one committed transaction each; the step that
stores the export joins them into ``data_exports.content`` inside PostgreSQL and deletes
them in the same transaction. Parts left by a killed worker are deleted when the export
is started again. Personal data: tenant scope only, never the platform.

Revision ID: 0027
Revises: 0026
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

from timeward.db.migration_ops import isolate_tenant_table

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None

UUID = pg.UUID(as_uuid=True)


def upgrade() -> None:
    op.create_table(
        "data_export_parts",
        sa.Column("tenant_id", UUID, sa.ForeignKey("tenants.id"), primary_key=True),
        sa.Column("instruction_id", UUID, primary_key=True),
        sa.Column("part", sa.Integer, primary_key=True),
        sa.Column("data", sa.LargeBinary, nullable=False),
    )
    # Zip output does not compress further; spare PostgreSQL the attempt.
    op.execute("ALTER TABLE data_export_parts ALTER COLUMN data SET STORAGE EXTERNAL")
    isolate_tenant_table("data_export_parts", privileges="SELECT, INSERT, DELETE")


def downgrade() -> None:
    op.drop_table("data_export_parts")
