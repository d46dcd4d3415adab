"""Client admins choose how locations are minimised (employees see it under /me)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec
from litestar import Controller, get, put
from litestar.params import JSONBody

from tenants.locations.service import reduce_locations
from tenants.settings import service
from tenants.settings.models import MAX_PRECISE_DAYS, LocationMode
from timeward import clock
from timeward.audit.log import AuditEntry
from timeward.authz.guard import requires
from timeward.web.dependencies import AppServices, CurrentActor, DbSession

PreciseDays = Annotated[
    int,
    msgspec.Meta(
        ge=1, le=MAX_PRECISE_DAYS, description="Days precise coordinates are kept (precise mode)"
    ),
]


class LocationSettings(msgspec.Struct, forbid_unknown_fields=True):
    location_mode: LocationMode
    precise_location_days: PreciseDays | None = None


class LocationSettingsView(msgspec.Struct):
    location_mode: str
    precise_location_days: int
    explanation: str
    updated_at: datetime | None
    coordinates_reduced: int = 0  # how many stored coordinates this change dropped


def _view(policy: service.LocationPolicy, reduced: int = 0) -> LocationSettingsView:
    return LocationSettingsView(
        policy.mode, policy.precise_days, service.describe(policy), policy.updated_at, reduced
    )


class LocationSettingsController(Controller):
    path = "/api/v1/settings/location"
    tags = ["settings"]

    @get("/", opt=requires("settings", "read"), summary="The tenant's location mode")
    async def get_settings(self, actor: CurrentActor, session: DbSession) -> LocationSettingsView:
        return _view(await service.location_policy(session, actor.require_tenant()))

    @put(
        "/",
        opt=requires("settings", "update"),
        summary="Choose the location mode; stored coordinates the new setting no longer "
        "allows are dropped at once",
    )
    async def put_settings(
        self,
        data: JSONBody[LocationSettings],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> LocationSettingsView:
        tenant_id = actor.require_tenant()
        now = clock.now()
        policy = await service.set_location_policy(
            session, tenant_id, data.location_mode, data.precise_location_days, actor.user_id, now
        )
        reduced = await reduce_locations(session, tenant_id, now)
        details = {
            "location_mode": str(policy.mode),
            "precise_location_days": policy.precise_days,
            "coordinates_reduced": reduced,
        }
        await services.audit.append(
            session,
            tenant_id,
            AuditEntry(
                "settings.location_changed",
                actor.user_id,
                actor.role,
                "tenant",
                tenant_id,
                details=details,
            ),
        )
        return _view(policy, reduced)
