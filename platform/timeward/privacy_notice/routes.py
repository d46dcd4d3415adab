"""The tenant's notice to its employees (versions, answers to a change) and the platform's
notice to its customers (staff publish it). The public pages are in
``timeward.web.pages.notice_pages``."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.params import FromPath, JSONBody

from timeward.acting import Acting
from timeward.authz.guard import requires
from timeward.identity.models import Tenant
from timeward.privacy_notice import service
from timeward.privacy_notice.models import PlatformNoticeVersion
from timeward.privacy_notice.schemas import (
    NoticeAnswerBody,
    NoticeAnswerView,
    Number,
    PlatformNoticeBody,
    PlatformNoticeView,
    TenantNoticeOverview,
    TenantNoticeView,
)
from timeward.privacy_notice.views import (
    answer_view,
    platform_notice_list,
    platform_notice_view,
    tenant_notice_overview,
    tenant_notice_view,
)
from timeward.services import Services
from timeward.web.dependencies import AppServices, CurrentActor, DbSession


class PrivacyNoticeController(Controller):
    path = "/api/v1/privacy-notice"
    tags = ["privacy-notice"]

    @get(
        "/",
        opt=requires("privacy_notice", "read"),
        summary="The employee privacy notice in force, the upcoming versions and every number",
    )
    async def current(
        self, actor: CurrentActor, session: DbSession, services: AppServices
    ) -> TenantNoticeOverview:
        tenant_id = actor.require_tenant()
        current = await service.current_tenant_notice(
            session, services.audit, tenant_id, services.settings.processor
        )
        numbers = [v.number for v in await service.tenant_notice_versions(session, tenant_id)]
        tenant = await session.get(Tenant, tenant_id)
        assert tenant is not None
        return tenant_notice_overview(current, numbers, tenant)

    @get(
        "/versions/{number:int}",
        opt=requires("privacy_notice", "read"),
        summary="One version of the employee privacy notice",
    )
    async def version(
        self, number: FromPath[Number], actor: CurrentActor, session: DbSession
    ) -> TenantNoticeView:
        tenant_id = actor.require_tenant()
        version = await service.tenant_notice_version(session, tenant_id, number)
        tenant = await session.get(Tenant, tenant_id)
        assert tenant is not None
        return tenant_notice_view(version, tenant.slug)

    @post(
        "/answers",
        opt=requires("privacy_notice_answers", "create"),
        summary="Acknowledge a significant notice change, or opt out of its optional uses",
    )
    async def answer(
        self,
        data: JSONBody[NoticeAnswerBody],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> NoticeAnswerView:
        row = await service.respond(
            session,
            services.audit,
            actor.require_tenant(),
            data.kind,
            data.number,
            data.opt_out,
            actor.acting,
        )
        return answer_view(row)


class PlatformNoticeController(Controller):
    path = "/api/v1/platform/privacy-notices"
    tags = ["privacy-notice"]

    @get(
        "/",
        opt=requires("platform_privacy_notice", "read"),
        summary="Every version of the platform's notice to its customers, with the answers",
    )
    async def versions(self, session: DbSession) -> list[PlatformNoticeView]:
        return await platform_notice_list(session)

    @post(
        "/",
        opt=requires("platform_privacy_notice", "create"),
        summary="Publish the next version (a significant one is announced to every client "
        "admin at least the notice period before it takes effect)",
    )
    async def publish(
        self, data: JSONBody[PlatformNoticeBody], actor: CurrentActor, services: AppServices
    ) -> PlatformNoticeView:
        return platform_notice_view(await publish(services, data, actor.acting))


async def publish(
    services: Services, data: PlatformNoticeBody, by: Acting
) -> PlatformNoticeVersion:
    """What the API route and the staff page do with a checked request body."""
    draft = service.PlatformDraft(
        data.title.strip(),
        data.body.strip(),
        data.summary.strip(),
        data.significant,
        data.effective_from,
    )
    return await service.publish_platform_notice(
        services.database, services.audit, draft, by, services.settings.processor
    )
