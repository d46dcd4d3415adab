"""Per-tenant settings the client company chooses: location minimisation, time zone and
languages, the colleague directory."""

from timeward.domain_shape import Domain

DOMAIN = Domain(
    name="settings",
    controllers=(
        "tenants.settings.routes:LocationSettingsController",
        "tenants.settings.routes:RegionalSettingsController",
        "tenants.settings.routes:DirectorySettingsController",
    ),
)
