"""The client admin's single sign-on page: the same service and view as
``GET/PUT /api/v1/settings/sso`` (``timeward.sso``); the secret is never shown, only
whether one is set."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post

from timeward.sso import service
from timeward.sso.provider import SsoError
from timeward.sso.schemas import SsoSettingsView
from timeward.sso.service import SsoChange
from timeward.sso.views import sso_settings_view
from timeward.web.dependencies import AppServices, CurrentActor, DbSession
from timeward.web.pages.layout import Form, page, redirect, render, viewer_for

PATH = "/admin/settings/sso"
Field = Annotated[str, msgspec.Meta(max_length=2048)]


class SsoForm(msgspec.Struct):
    issuer: Field = ""
    display_name: Field = ""
    client_id: Field = ""
    client_secret: Field = ""
    allowed_domains: Field = ""  # separated by commas, spaces or lines
    required: Field = ""  # a checkbox: present when ticked
    create_users: Field = ""
    break_glass_email: Field = ""

    def change(self) -> SsoChange:
        return SsoChange(
            issuer=self.issuer,
            display_name=self.display_name,
            client_id=self.client_id,
            client_secret=self.client_secret or None,
            allowed_domains=self.allowed_domains.replace(",", " ").split(),
            required=bool(self.required),
            create_users=bool(self.create_users),
            break_glass_email=self.break_glass_email.strip() or None,
        )


def _form_of(view: SsoSettingsView) -> SsoForm:
    return SsoForm(
        issuer=view.issuer or "",
        display_name=view.display_name or "",
        client_id=view.client_id or "",
        allowed_domains=", ".join(view.allowed_domains),
        required="on" if view.required else "",
        create_users="on" if view.create_users else "",
        break_glass_email=view.break_glass_email or "",
    )


class SsoAdminPages(Controller):
    @get(PATH, opt=page("sso_settings", "read"), include_in_schema=False)
    async def show(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> Response[Any]:
        state = await service.state_of(session, actor.require_tenant())
        view = sso_settings_view(state, services.sso.redirect_uri)
        return render(
            request,
            "admin/sso.html",
            viewer=await viewer_for(request, session, actor),
            view=view,
            form=_form_of(view),
            error=None,
        )

    @post(PATH, opt=page("sso_settings", "update"), include_in_schema=False)
    async def save(
        self,
        request: Request[Any, Any, Any],
        data: Annotated[SsoForm, Form],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> Response[Any]:
        tenant_id = actor.require_tenant()
        try:
            await service.save(
                session, services.sso, services.data_keys, services.audit, tenant_id,
                data.change(), actor.acting,
            )  # fmt: skip
        except SsoError as exc:
            state = await service.state_of(session, tenant_id)
            return render(
                request,
                "admin/sso.html",
                viewer=await viewer_for(request, session, actor),
                view=sso_settings_view(state, services.sso.redirect_uri),
                form=msgspec.structs.replace(data, client_secret=""),
                error=exc.detail,
                status_code=exc.status_code,
            )
        return redirect(PATH, flash="sso_saved")

    @post(f"{PATH}/remove", opt=page("sso_settings", "update"), include_in_schema=False)
    async def remove(
        self, actor: CurrentActor, session: DbSession, services: AppServices
    ) -> Response[Any]:
        await service.remove(session, services.audit, actor.require_tenant(), actor.acting)
        return redirect(PATH, flash="sso_removed")
