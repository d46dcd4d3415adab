"""Returned-data exports can be withdrawn: an erasure or a delete_subject instruction
deletes the stored zip of every live export of the tenant (each holds the person) and
records when and why, so its download link answers 410 with the reason.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("data_exports", sa.Column("deleted_at", sa.DateTime(timezone=True)))
    op.add_column("data_exports", sa.Column("deleted_reason", sa.Text))
    op.alter_column("data_exports", "content", nullable=True)
    op.create_check_constraint(
        op.f("ck_data_exports_deleted"),
        "data_exports",
        "(content IS NULL) = (deleted_at IS NOT NULL)",
    )


def downgrade() -> None:
    op.execute("DELETE FROM data_exports WHERE content IS NULL")
    op.drop_constraint(op.f("ck_data_exports_deleted"), "data_exports", type_="check")
    op.alter_column("data_exports", "content", nullable=False)
    op.drop_column("data_exports", "deleted_reason")
    op.drop_column("data_exports", "deleted_at")
