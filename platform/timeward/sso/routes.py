"""The client admin's SSO configuration (``/api/v1/settings/sso``). Controllers only."""

from __future__ import annotations

from litestar import Controller, delete, get, put
from litestar.params import JSONBody

from timeward.authz.guard import requires
from timeward.sso import service
from timeward.sso.schemas import SsoSettingsUpdate, SsoSettingsView
from timeward.sso.views import change_of, sso_settings_view
from timeward.web.dependencies import AppServices, CurrentActor, DbSession


class SsoSettingsController(Controller):
    path = "/api/v1/settings/sso"
    tags = ["settings"]

    @get("/", opt=requires("sso_settings", "read"), summary="The tenant's single sign-on")
    async def get_sso(
        self, actor: CurrentActor, session: DbSession, services: AppServices
    ) -> SsoSettingsView:
        state = await service.state_of(session, actor.require_tenant())
        return sso_settings_view(state, services.sso.redirect_uri)

    @put(
        "/",
        opt=requires("sso_settings", "update"),
        summary="Set up single sign-on; the provider's discovery is checked first (422 with "
        "the reason, nothing saved, when it does not fit)",
    )
    async def put_sso(
        self,
        data: JSONBody[SsoSettingsUpdate],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> SsoSettingsView:
        state = await service.save(
            session,
            services.sso,
            services.data_keys,
            services.audit,
            actor.require_tenant(),
            change_of(data),
            actor.acting,
        )
        return sso_settings_view(state, services.sso.redirect_uri)

    @delete(
        "/",
        opt=requires("sso_settings", "update"),
        summary="Turn single sign-on off (people sign in with their password again); "
        "answers 204 whether or not it was on",
    )
    async def delete_sso(
        self, actor: CurrentActor, session: DbSession, services: AppServices
    ) -> None:
        await service.remove(session, services.audit, actor.require_tenant(), actor.acting)
