"""Client admins choose how locations are minimised (employees see it under /me), and
the tenant's time zone and languages.

Controllers only: parse, call the service, return the view (`settings.views`).
"""

from __future__ import annotations

from litestar import Controller, get, put
from litestar.params import JSONBody

from tenants.settings import service
from tenants.settings.location_change import change_location_policy
from tenants.settings.regional import RegionalChange, change_regional, regional_settings
from tenants.settings.schemas import (
    DirectorySettings,
    DirectorySettingsView,
    LocationSettings,
    LocationSettingsView,
    RegionalSettings,
    RegionalSettingsView,
)
from tenants.settings.views import location_settings_view, regional_settings_view
from timeward import clock
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


class RegionalSettingsController(Controller):
    path = "/api/v1/settings/regional"
    tags = ["settings"]

    @get("/", opt=requires("settings", "read"), summary="The tenant's time zone and languages")
    async def get_regional(self, actor: CurrentActor, session: DbSession) -> RegionalSettingsView:
        return regional_settings_view(await regional_settings(session, actor.require_tenant()))

    @put(
        "/",
        opt=requires("settings", "update"),
        summary="Choose the time zone pages show, the languages offered and the default "
        "language (an unknown zone or language is a 422)",
    )
    async def put_regional(
        self,
        data: JSONBody[RegionalSettings],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> RegionalSettingsView:
        change = RegionalChange(data.time_zone, data.languages, data.default_language)
        regional = await change_regional(
            session, services.audit, actor.require_tenant(), change, actor.acting
        )
        return regional_settings_view(regional)


class DirectorySettingsController(Controller):
    path = "/api/v1/settings/directory"
    tags = ["settings"]

    @get("/", opt=requires("settings", "read"), summary="Whether the colleague directory is on")
    async def get_directory(self, actor: CurrentActor, session: DbSession) -> DirectorySettingsView:
        setting = await service.directory_setting(session, actor.require_tenant())
        return DirectorySettingsView(setting.enabled, setting.updated_at)

    @put(
        "/",
        opt=requires("settings", "update"),
        summary="Switch the colleague directory on or off (off by default)",
    )
    async def put_directory(
        self,
        data: JSONBody[DirectorySettings],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> DirectorySettingsView:
        setting = await service.set_directory_enabled(
            session, services.audit, actor.require_tenant(), data.enabled, actor.acting, clock.now()
        )
        return DirectorySettingsView(setting.enabled, setting.updated_at)
