"""How job-site rows become the structs the API returns."""

from __future__ import annotations

from tenants.sites.models import JobSite
from tenants.sites.schemas import Geofence, SiteView


def site_view(site: JobSite) -> SiteView:
    fence = None
    if (
        site.geofence_latitude is not None
        and site.geofence_longitude is not None
        and site.geofence_radius_m is not None
    ):
        fence = Geofence(site.geofence_latitude, site.geofence_longitude, site.geofence_radius_m)
    return SiteView(
        site.id, site.name, site.address, fence, site.active, site.created_at, site.updated_at
    )
