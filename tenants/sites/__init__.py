"""Job sites: where the tenant's work happens, with an optional geofence."""
