"""How the tenant's settings become the structs the API returns."""

from __future__ import annotations

from tenants.settings.regional import Regional
from tenants.settings.schemas import LocationSettingsView, RegionalSettingsView
from tenants.settings.service import LocationPolicy, describe


def location_settings_view(policy: LocationPolicy, reduced: int = 0) -> LocationSettingsView:
    return LocationSettingsView(
        policy.mode, policy.precise_days, describe(policy), policy.updated_at, reduced
    )


def regional_settings_view(regional: Regional) -> RegionalSettingsView:
    return RegionalSettingsView(
        regional.time_zone,
        regional.time_zone_chosen,
        list(regional.languages),
        regional.default_language,
        regional.updated_at,
    )
