"""Job sites: where the tenant's work happens, with an optional geofence."""

from timeward.domain_shape import Domain

DOMAIN = Domain(
    name="sites",
    controllers=("tenants.sites.routes:SitesController",),
)
