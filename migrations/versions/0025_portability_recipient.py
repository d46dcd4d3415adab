"""Portability to another organisation (docs/privacy-requests.md, "Portability to another
organisation"): the recipient a portability request names, and the state of the transfer
the requester confirms; and when an admin lifted an employee's location limit
(docs/privacy-requests.md, "Objections").

The recipient (an organisation's name and e-mail address) is given by the requester; the
export is sent there only once they confirm (``transfer_state``: ``awaiting`` the
confirmation, ``sent``, ``cancelled``), and ``transfer_export_id`` names the export whose
link went out (no foreign key: an erasure deletes the export files and keeps the
request as its record). The columns live on the request row, so they share its RLS.

Revision ID: 0025
Revises: 0024
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("privacy_requests", sa.Column("recipient_name", sa.Text))
    op.add_column("privacy_requests", sa.Column("recipient_email", sa.Text))
    op.add_column("privacy_requests", sa.Column("transfer_state", sa.String(16)))
    op.add_column("privacy_requests", sa.Column("transfer_export_id", pg.UUID(as_uuid=True)))
    op.add_column(
        "privacy_requests", sa.Column("transfer_confirmed_at", sa.DateTime(timezone=True))
    )
    op.create_check_constraint(
        "recipient",
        "privacy_requests",
        "(recipient_email IS NULL) = (recipient_name IS NULL) AND "
        "(recipient_email IS NULL OR request_type = 'portability')",
    )
    op.create_check_constraint(
        "transfer_state",
        "privacy_requests",
        "transfer_state IS NULL OR transfer_state IN ('awaiting', 'sent', 'cancelled')",
    )
    op.add_column("employees", sa.Column("location_limit_lifted_at", sa.DateTime(timezone=True)))


def downgrade() -> None:
    op.drop_column("employees", "location_limit_lifted_at")
    op.drop_constraint("ck_privacy_requests_transfer_state", "privacy_requests")
    op.drop_constraint("ck_privacy_requests_recipient", "privacy_requests")
    for column in (
        "transfer_confirmed_at",
        "transfer_export_id",
        "transfer_state",
        "recipient_email",
        "recipient_name",
    ):
        op.drop_column("privacy_requests", column)
