"""OpenDSR access and portability (docs/machine-api.md, "OpenDSR"): such a request is a
privacy request of the tenant's queue filed by the controller's tool (channel
``opendsr``), fulfilled by the console's export; ``opendsr_requests.privacy_request_id``
names it.

Revision ID: 0024
Revises: 0023
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_constraint("ck_privacy_requests_channel", "privacy_requests")
    op.create_check_constraint(
        "channel", "privacy_requests", "channel IN ('app', 'public', 'opendsr')"
    )
    op.add_column("opendsr_requests", sa.Column("privacy_request_id", pg.UUID(as_uuid=True)))


def downgrade() -> None:
    op.drop_column("opendsr_requests", "privacy_request_id")
    op.execute("DELETE FROM privacy_requests WHERE channel = 'opendsr'")
    op.drop_constraint("ck_privacy_requests_channel", "privacy_requests")
    op.create_check_constraint("channel", "privacy_requests", "channel IN ('app', 'public')")
