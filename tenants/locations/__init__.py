"""Locations captured at clock in/out: minimisation by tenant mode, sealing, reduction."""

from timeward.domain_shape import Domain, Every, Periodic

DOMAIN = Domain(
    name="locations",
    job_modules=("tenants.locations.jobs",),
    periodic=(Periodic("tenants.locations.jobs:reduce_expired_locations", Every(hours=1)),),
)
