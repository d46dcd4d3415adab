"""The tenant's time zone and languages; the language a member chose; the timeline's
words kept untranslated.

``tenant_settings`` gains ``time_zone`` (an IANA name, checked by the application with
zoneinfo), ``languages`` (those offered, a non-empty subset of en/de) and
``default_language`` (one of them). NULL means "not chosen": the zone is derived from the
tenant's country, both languages are offered and English is the default (see
docs/web.md, "Time zone and languages"). ``memberships.language`` is the language the
person chose with the switch while signed in, used for their pages and mails.
``privacy_request_events`` gains ``message_key`` (the English source text) and
``message_values`` (what fills it), so "My privacy requests" says each step in the
reader's language; ``message`` stays the English text the API shows.

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

KNOWN = "ARRAY['en', 'de']::varchar[]"


def upgrade() -> None:
    op.add_column("tenant_settings", sa.Column("time_zone", sa.String(64)))
    op.add_column("tenant_settings", sa.Column("languages", pg.ARRAY(sa.String(8))))
    op.add_column("tenant_settings", sa.Column("default_language", sa.String(8)))
    op.create_check_constraint(
        "languages",
        "tenant_settings",
        f"languages <@ {KNOWN} AND cardinality(languages) >= 1",
    )
    op.create_check_constraint(
        "default_language",
        "tenant_settings",
        "default_language IN ('en', 'de') "
        "AND (languages IS NULL OR default_language = ANY(languages))",
    )
    op.add_column("memberships", sa.Column("language", sa.String(8)))
    op.create_check_constraint("language", "memberships", "language IN ('en', 'de')")
    op.add_column("privacy_request_events", sa.Column("message_key", sa.Text))
    op.add_column("privacy_request_events", sa.Column("message_values", pg.JSONB))


def downgrade() -> None:
    op.drop_column("privacy_request_events", "message_values")
    op.drop_column("privacy_request_events", "message_key")
    op.drop_constraint("ck_memberships_language", "memberships")
    op.drop_column("memberships", "language")
    op.drop_constraint("ck_tenant_settings_default_language", "tenant_settings")
    op.drop_constraint("ck_tenant_settings_languages", "tenant_settings")
    for column in ("default_language", "languages", "time_zone"):
        op.drop_column("tenant_settings", column)
