"""Client admins choose how locations are minimised (employees see it under /me).

Controllers only: parse, call the service, return the view (`settings.views`).
"""

from __future__ import annotations

from litestar import Controller, get, put
from litestar.params import JSONBody

from tenants.settings import service
from tenants.settings.location_change import change_location_policy
from tenants.settings.schemas import LocationSettings, LocationSettingsView
from tenants.settings.views import location_settings_view
from timeward.authz.guard import requires
from timeward.web.dependencies import AppServices, CurrentActor, DbSession


class LocationSettingsController(Controller):
    path = "/api/v1/settings/location"
    tags = ["settings"]

    @get("/", opt=requires("settings", "read"), summary="The tenant's location mode")
    async def get_settings(self, actor: CurrentActor, session: DbSession) -> LocationSettingsView:
        policy = await service.location_policy(session, actor.require_tenant())
        return location_settings_view(policy)

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
        change = await change_location_policy(
            session,
            services.audit,
            actor.require_tenant(),
            data.location_mode,
            data.precise_location_days,
            actor.acting,
        )
        return location_settings_view(change.policy, change.coordinates_reduced)
