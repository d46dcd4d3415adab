"""Support access: platform staff read a tenant's personal data only under a live,
time-boxed grant that the tenant's client admin gave, every read audited."""

from timeward.domain_shape import Domain

DOMAIN = Domain(
    name="support",
    controllers=(
        "timeward.support.routes:SupportGrantsController",
        "timeward.support.routes:PlatformSupportGrantsController",
    ),
)
