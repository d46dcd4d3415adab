"""Optional mail from the reader's seat: the signed unsubscribe link (a confirm page on
``GET``, RFC 8058's one-click on ``POST``: no session, no CSRF token, the signature is the
capability), and the signed-in member's preferences page (CSRF like every form), the
twin of ``/api/v1/me/mail-preferences``; client admins also set the tenant's default
for the weekly digests there (``PUT /api/v1/settings/mail``)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath

from timeward.authz.enforcer import PolicyEnforcer
from timeward.errors import NotFound
from timeward.mail import preferences
from timeward.mail.categories import Topic
from timeward.mail.messages import TOPIC_NAMES
from timeward.mail.unsubscribe import PREFERENCES_PATH, UNSUBSCRIBE_PATH, read_token
from timeward.web.dependencies import AppServices, CurrentActor, DbSession
from timeward.web.pages.layout import PUBLIC_PAGE, Form, page, redirect, render, viewer_for


class ChoiceForm(msgspec.Struct):
    topic: Topic
    subscribed: Literal["yes", "no"]


class DefaultForm(msgspec.Struct):
    digest_default: Literal["opt_in", "opt_out"]


class UnsubscribeForm(msgspec.Struct):
    # RFC 8058: a mail client posts ``List-Unsubscribe=One-Click``; the confirm page too.
    # Not required: the signed link alone unsubscribes.
    list_unsubscribe: str = msgspec.field(default="", name="List-Unsubscribe")


class MailPages(Controller):
    @get(f"{UNSUBSCRIBE_PATH}/{{token:str}}", opt=PUBLIC_PAGE, include_in_schema=False)
    async def confirm_unsubscribe(
        self, request: Request[Any, Any, Any], token: FromPath[str], services: AppServices
    ) -> Response[Any]:
        """Following the link changes nothing (a mail scanner may fetch it): the page asks."""
        found = read_token(services.settings.resolve_master_key(), token)
        if found is None:
            raise NotFound("Link")
        return render(request, "mail_unsubscribe.html", topic=TOPIC_NAMES[found.topic], token=token)

    @post(
        f"{UNSUBSCRIBE_PATH}/{{token:str}}",
        opt=PUBLIC_PAGE,
        include_in_schema=False,
        status_code=200,
    )
    async def unsubscribe(
        self,
        request: Request[Any, Any, Any],
        token: FromPath[str],
        services: AppServices,
        data: Annotated[UnsubscribeForm, Form],
    ) -> Response[Any]:
        found = await preferences.unsubscribe_by_link(
            services.database, services.audit, services.settings.resolve_master_key(), token
        )
        if found is None:
            raise NotFound("Link")
        return render(request, "mail_unsubscribed.html", topic=TOPIC_NAMES[found.topic])

    @get(PREFERENCES_PATH, opt=page("me_mail", "read"), include_in_schema=False)
    async def my_mail(
        self, request: Request[Any, Any, Any], actor: CurrentActor, session: DbSession
    ) -> Response[Any]:
        tenant_id = actor.require_tenant()
        enforcer: PolicyEnforcer = request.app.state.enforcer
        sets_default = enforcer.allows(actor.role, actor.domain, "settings", "update")
        return render(
            request,
            "my_mail.html",
            viewer=await viewer_for(request, session, actor),
            choices=await preferences.my_choices(session, tenant_id, actor.user_id),
            topic_names=TOPIC_NAMES,
            digest_default=await preferences.digest_default(session, tenant_id)
            if sets_default
            else None,
        )

    @post(PREFERENCES_PATH, opt=page("me_mail", "update"), include_in_schema=False)
    async def choose(
        self,
        data: Annotated[ChoiceForm, Form],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> Response[Any]:
        """As ``PUT /api/v1/me/mail-preferences/{topic}``."""
        await preferences.choose(
            session,
            services.audit,
            actor.require_tenant(),
            actor.acting,
            actor.user_id,
            data.topic,
            data.subscribed == "yes",
            preferences.VIA_PREFERENCES,
        )
        return redirect(PREFERENCES_PATH, flash="mail_saved")

    @post("/admin/settings/mail", opt=page("settings", "update"), include_in_schema=False)
    async def set_default(
        self,
        data: Annotated[DefaultForm, Form],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> Response[Any]:
        """As ``PUT /api/v1/settings/mail``."""
        await preferences.set_digest_default(
            session, services.audit, actor.require_tenant(), actor.acting, data.digest_default
        )
        return redirect(PREFERENCES_PATH, flash="digest_default_saved")
