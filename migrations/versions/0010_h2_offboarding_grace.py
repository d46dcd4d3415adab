"""Offboarding grace period: when deletion may start (a client admin can cancel until then).

Revision ID: 0010_h2
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_h2"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("instructions", sa.Column("deletion_starts_at", sa.DateTime(timezone=True)))


def downgrade() -> None:
    op.drop_column("instructions", "deletion_starts_at")
