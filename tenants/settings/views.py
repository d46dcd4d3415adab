"""How the tenant's location policy becomes the struct the API returns."""

from __future__ import annotations

from tenants.settings.schemas import LocationSettingsView
from tenants.settings.service import LocationPolicy, describe


def location_settings_view(policy: LocationPolicy, reduced: int = 0) -> LocationSettingsView:
    return LocationSettingsView(
        policy.mode, policy.precise_days, describe(policy), policy.updated_at, reduced
    )
