"""OpenDSR 2.0, processor side: a controller's privacy tool sends erasure, access and
portability requests about one subject as the tenant's machine client, follows them and
receives signed status callbacks (docs/machine-api.md)."""

from timeward.domain_shape import Domain

DOMAIN = Domain(
    name="opendsr",
    controllers=(
        "timeward.opendsr.routes:OpenDsrDiscoveryController",
        "timeward.opendsr.routes:OpenDsrRequestsController",
        "timeward.opendsr.routes:OpenDsrResultsController",
    ),
)
