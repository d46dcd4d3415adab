"""Period locks (``period_locks``): months a client closed for payroll, tenant-scoped,
forced RLS, no platform access; and ``time_entries.correction_note``, the reason a
manager gives for a correction.

One row per tenant and month; reopening keeps the row with who, when and why (the audit
chain has the whole history). The authors are plain user ids, like an instruction's
``requested_by``: a person's erasure leaves the fact that a month was closed.

Revision ID: 0014
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

from timeward.db.migration_ops import isolate_tenant_table

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

UUID = pg.UUID(as_uuid=True)
TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "period_locks",
        sa.Column("tenant_id", UUID, sa.ForeignKey("tenants.id"), primary_key=True),
        sa.Column("month", sa.Date, primary_key=True),
        sa.Column("locked", sa.Boolean, nullable=False),
        sa.Column("locked_at", TZ, nullable=False),
        sa.Column("locked_by", UUID),
        sa.Column("reopened_at", TZ),
        sa.Column("reopened_by", UUID),
        sa.Column("reopen_reason", sa.Text),
        sa.CheckConstraint("extract(day FROM month) = 1", name="first_of_month"),
        sa.CheckConstraint(
            "locked OR (reopened_at IS NOT NULL AND reopen_reason IS NOT NULL)",
            name="reopened_with_reason",
        ),
    )
    isolate_tenant_table("period_locks")
    # Why a manager corrected an entry (the employee's own notes stay as they were).
    op.add_column("time_entries", sa.Column("correction_note", sa.Text))


def downgrade() -> None:
    op.drop_column("time_entries", "correction_note")
    op.drop_table("period_locks")
