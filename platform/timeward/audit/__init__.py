"""Append-only, per-tenant hash-chained audit log."""

from timeward.domain_shape import Domain

DOMAIN = Domain(
    name="audit",
    controllers=("timeward.audit.routes:AuditEventsController",),
)
