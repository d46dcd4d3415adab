"""Append-only, per-tenant hash-chained audit log."""

from timeward.domain_shape import Domain, Every, Periodic

DOMAIN = Domain(
    name="audit",
    controllers=("timeward.audit.routes:AuditEventsController",),
    job_modules=("timeward.audit.jobs",),
    periodic=(Periodic("timeward.audit.jobs:fold_staff_reads", Every(minutes=1)),),
)
