"""Per-tenant settings the client company chooses: location minimisation, time zone and
languages."""

from timeward.domain_shape import Domain

DOMAIN = Domain(
    name="settings",
    controllers=(
        "tenants.settings.routes:LocationSettingsController",
        "tenants.settings.routes:RegionalSettingsController",
    ),
)
