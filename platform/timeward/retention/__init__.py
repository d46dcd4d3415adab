"""Retention: per-tenant periods (defaults in policies/retention.toml) and the scheduled
purge of what is past them, reporting counts. See docs/instructions.md."""

from timeward.domain_shape import At, Domain, Periodic

DOMAIN = Domain(
    name="retention",
    controllers=("timeward.retention.routes:RetentionController",),
    job_modules=("timeward.retention.jobs",),
    periodic=(
        Periodic("timeward.retention.jobs:purge_expired_data", At(hour=3, minute=15)),  # daily
    ),
)
