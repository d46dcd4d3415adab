"""Processor notices to client admins (breaches, sub-processor changes): one row per
tenant and event, delivered by a background job by e-mail and in the app."""

from timeward.domain_shape import Domain, Every, Periodic

DOMAIN = Domain(
    name="notices",
    job_modules=("timeward.notices.jobs",),
    periodic=(Periodic("timeward.notices.jobs:reconcile_processor_notices", Every(minutes=5)),),
)
