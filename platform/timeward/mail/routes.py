"""Each member's optional mail, and the tenant's default for the weekly digests.

The signed one-click unsubscribe (RFC 8058) and its confirm page are pages
(``timeward.web.pages.mail_pages``): the link in the mail is one URL for both.
"""

from __future__ import annotations

from litestar import Controller, get, post, put
from litestar.params import FromPath, JSONBody

from timeward.authz.guard import requires
from timeward.mail import preferences, product_news
from timeward.mail.categories import Topic
from timeward.mail.schemas import (
    MailChoice,
    MailChoiceView,
    MailSettings,
    MailSettingsView,
    NewProductNews,
    ProductNewsView,
)
from timeward.mail.views import choice_views, product_news_view
from timeward.paging import Page, make_page
from timeward.web.dependencies import AppServices, CurrentActor, DbSession
from timeward.web.pagination import RequestedPage


class MyMailPreferencesController(Controller):
    path = "/api/v1/me/mail-preferences"
    tags = ["me"]

    @get("/", opt=requires("me_mail", "read"), summary="The optional mail I receive or not")
    async def list_choices(self, actor: CurrentActor, session: DbSession) -> list[MailChoiceView]:
        choices = await preferences.my_choices(session, actor.require_tenant(), actor.user_id)
        return choice_views(choices)

    @put(
        "/{topic:str}",
        opt=requires("me_mail", "update"),
        summary="Receive one optional mail or not (a topic not sent to me: 422)",
    )
    async def choose(
        self,
        topic: FromPath[Topic],
        data: JSONBody[MailChoice],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> list[MailChoiceView]:
        tenant_id = actor.require_tenant()
        await preferences.choose(
            session,
            services.audit,
            tenant_id,
            actor.acting,
            actor.user_id,
            topic,
            data.subscribed,
            preferences.VIA_PREFERENCES,
        )
        return choice_views(await preferences.my_choices(session, tenant_id, actor.user_id))


class MailSettingsController(Controller):
    path = "/api/v1/settings/mail"
    tags = ["settings"]

    @get("/", opt=requires("settings", "read"), summary="Whether the weekly digests are opt-in")
    async def get_settings(self, actor: CurrentActor, session: DbSession) -> MailSettingsView:
        return MailSettingsView(await preferences.digest_default(session, actor.require_tenant()))

    @put(
        "/",
        opt=requires("settings", "update"),
        summary="The weekly digests: opt_in (the default) or opt_out",
    )
    async def put_settings(
        self,
        data: JSONBody[MailSettings],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> MailSettingsView:
        default = await preferences.set_digest_default(
            session, services.audit, actor.require_tenant(), actor.acting, data.digest_default
        )
        return MailSettingsView(default)


class ProductNewsController(Controller):
    path = "/api/v1/platform/product-news"
    tags = ["platform"]

    @post(
        "/",
        opt=requires("platform_product_news", "create"),
        summary="Publish product news: mailed to every member who consents to marketing",
    )
    async def publish(
        self,
        data: JSONBody[NewProductNews],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> ProductNewsView:
        news = await product_news.publish(
            session, services.audit, actor.acting, data.subject.strip(), data.body
        )
        return product_news_view(news, services.settings.processor)

    @get("/", opt=requires("platform_product_news", "read"), summary="Product news issues")
    async def list_news(
        self, session: DbSession, page: RequestedPage, services: AppServices
    ) -> Page[ProductNewsView]:
        rows = await product_news.list_news(session, page)
        processor = services.settings.processor
        return make_page([product_news_view(n, processor) for n in rows], page)
