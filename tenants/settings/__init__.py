"""Per-tenant settings the client company chooses (location minimisation so far)."""

from timeward.domain_shape import Domain

DOMAIN = Domain(
    name="settings",
    controllers=("tenants.settings.routes:LocationSettingsController",),
)
