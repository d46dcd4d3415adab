"""The colleague directory (docs/workforce.md, "Directory"): the tenant's switch and each
employee's site; objections with effect (docs/privacy-requests.md, "Objections"): what an
objection is against, and the location limit an upheld objection sets on an employee.

``tenant_settings.directory_enabled`` is off by default: a tenant switches the directory
on. ``employees.site_id`` is the site an employee works at, shown next to their name and
job title in the directory; company data about the person's post, not contact data, and
erased with the employee row.

Revision ID: 0020
Revises: 0019
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "tenant_settings",
        sa.Column("directory_enabled", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.add_column("employees", sa.Column("site_id", pg.UUID(as_uuid=True)))
    op.create_foreign_key(
        "fk_employees_tenant_id_site_id_job_sites",
        "employees",
        "job_sites",
        ["tenant_id", "site_id"],
        ["tenant_id", "id"],
    )

    op.add_column("privacy_requests", sa.Column("objection_target", sa.String(16)))
    op.create_check_constraint(
        "objection_target",
        "privacy_requests",
        "objection_target IS NULL OR (request_type = 'objection' AND objection_target IN "
        "('location', 'directory', 'marketing'))",
    )
    op.add_column("employees", sa.Column("location_limit", sa.String(16)))
    op.create_check_constraint(
        "location_limit", "employees", "location_limit IN ('geofence', 'off')"
    )


def downgrade() -> None:
    op.drop_constraint("ck_employees_location_limit", "employees")
    op.drop_column("employees", "location_limit")
    op.drop_constraint("ck_privacy_requests_objection_target", "privacy_requests")
    op.drop_column("privacy_requests", "objection_target")
    op.drop_constraint("fk_employees_tenant_id_site_id_job_sites", "employees")
    op.drop_column("employees", "site_id")
    op.drop_column("tenant_settings", "directory_enabled")
