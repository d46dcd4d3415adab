"""Privacy notices as pages (docs/accountability.md, "Notice versions"): each tenant's
employee notice, public at ``/t/{slug}/privacy-notice`` and every version at
``/t/{slug}/privacy-notice/v/{n}``; the platform's notice at ``/privacy/notice`` and
``/privacy/notice/v/{n}``; the signed-in member's own employer's notice at
``/my/privacy-notice`` and the banner's answer; the staff page that publishes the
platform's notice. The same services and views as ``/api/v1/privacy-notice``."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from sqlalchemy.ext.asyncio import AsyncSession

from tenants.settings.models import LocationMode
from tenants.settings.service import LocationPolicy, describe
from timeward import clock
from timeward.db.session import Scope
from timeward.identity.models import Tenant
from timeward.privacy_notice import service
from timeward.privacy_notice.models import NoticeKind, PlatformNoticeVersion
from timeward.privacy_notice.routes import publish
from timeward.privacy_notice.schemas import (
    Number,
    PlatformNoticeBody,
    TenantNoticeView,
)
from timeward.privacy_notice.views import (
    platform_notice_list,
    platform_notice_view,
    tenant_notice_view,
)
from timeward.services import Services
from timeward.translations import Translator
from timeward.web.dependencies import AppServices, CurrentActor, DbSession
from timeward.web.pages.forms import read_form
from timeward.web.pages.layout import (
    PUBLIC_PAGE,
    Form,
    Viewer,
    page,
    page_translator,
    redirect,
    render,
    viewer_for,
)
from timeward.web.pages.staff.layout import staff_page, staff_viewer


class AnswerForm(msgspec.Struct):
    kind: NoticeKind
    number: Number
    answer: Annotated[str, msgspec.Meta(pattern="^(acknowledge|opt_out)$")]


class PlatformNoticeForm(msgspec.Struct):
    title: Annotated[str, msgspec.Meta(max_length=200)]
    body: Annotated[str, msgspec.Meta(max_length=50_000)]
    summary: Annotated[str, msgspec.Meta(max_length=4000)]
    significant: str = ""
    effective_from: Annotated[str, msgspec.Meta(max_length=32)] = ""


def _location_words(notice: TenantNoticeView, t: Translator) -> str:
    records = notice.content["records"]
    mode = LocationMode(records["location_mode"])
    return describe(LocationPolicy(mode, records["precise_days"] or 0), t)


async def _tenant_notice_page(
    request: Request[Any, Any, Any],
    session: AsyncSession,
    services: Services,
    tenant_id: UUID,
    number: int | None,
    viewer: Viewer | None,
) -> Response[Any]:
    current = await service.current_tenant_notice(
        session, services.audit, tenant_id, services.settings.processor
    )
    tenant = await session.get(Tenant, tenant_id)
    assert tenant is not None
    versions = await service.tenant_notice_versions(session, tenant_id)
    chosen = current.in_force
    if number is not None:
        chosen = await service.tenant_notice_version(session, tenant_id, number)
    notice = tenant_notice_view(chosen, tenant.slug)
    return render(
        request,
        "privacy_notice.html",
        viewer=viewer,
        notice=notice,
        upcoming=[tenant_notice_view(v, tenant.slug) for v in current.upcoming],
        numbers=[v.number for v in versions],
        latest=versions[0].number,
        base=f"/t/{tenant.slug}/privacy-notice",
        location_words=_location_words(notice, page_translator(request, viewer)),
    )


async def _public_tenant_page(
    request: Request[Any, Any, Any], services: Services, slug: str, number: int | None
) -> Response[Any]:
    async with services.database.transaction(Scope.PLATFORM, read_only=True) as session:
        tenant_id = await service.tenant_id_for_slug(session, slug[:63])
    async with services.database.transaction(Scope.TENANT, tenant_id) as session:
        return await _tenant_notice_page(request, session, services, tenant_id, number, None)


async def _platform_page(
    request: Request[Any, Any, Any], services: Services, number: int | None
) -> Response[Any]:
    async with services.database.transaction(Scope.PLATFORM, read_only=True) as session:
        versions = await service.platform_notice_versions(session)
        chosen: PlatformNoticeVersion | None
        if number is not None:
            chosen = await service.platform_notice_version(session, number)
        else:
            now = clock.now()
            chosen = next((v for v in versions if v.effective_from <= now), None)
            chosen = chosen or (versions[-1] if versions else None)
    return render(
        request,
        "platform_notice.html",
        notice=platform_notice_view(chosen) if chosen else None,
        numbers=[v.number for v in versions],
        now=clock.now(),
    )


class NoticePages(Controller):
    @get("/privacy/notice", opt=PUBLIC_PAGE, include_in_schema=False)
    async def platform_notice(
        self, request: Request[Any, Any, Any], services: AppServices
    ) -> Response[Any]:
        return await _platform_page(request, services, None)

    @get("/privacy/notice/v/{number:int}", opt=PUBLIC_PAGE, include_in_schema=False)
    async def platform_notice_version(
        self, request: Request[Any, Any, Any], services: AppServices, number: FromPath[Number]
    ) -> Response[Any]:
        return await _platform_page(request, services, number)

    @get("/t/{slug:str}/privacy-notice", opt=PUBLIC_PAGE, include_in_schema=False)
    async def tenant_notice(
        self, request: Request[Any, Any, Any], services: AppServices, slug: FromPath[str]
    ) -> Response[Any]:
        return await _public_tenant_page(request, services, slug, None)

    @get("/t/{slug:str}/privacy-notice/v/{number:int}", opt=PUBLIC_PAGE, include_in_schema=False)
    async def tenant_notice_version(
        self,
        request: Request[Any, Any, Any],
        services: AppServices,
        slug: FromPath[str],
        number: FromPath[Number],
    ) -> Response[Any]:
        return await _public_tenant_page(request, services, slug, number)

    @get("/my/privacy-notice", opt=page("privacy_notice", "read"), include_in_schema=False)
    async def my_notice(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> Response[Any]:
        viewer = await viewer_for(request, session, actor)
        tenant_id = actor.require_tenant()
        return await _tenant_notice_page(request, session, services, tenant_id, None, viewer)

    @post(
        "/my/privacy-notice/answer",
        opt=page("privacy_notice_answers", "create"),
        include_in_schema=False,
    )
    async def answer(
        self,
        data: Annotated[AnswerForm, Form],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> Response[Any]:
        opt_out = data.answer == "opt_out"
        await service.respond(
            session,
            services.audit,
            actor.require_tenant(),
            data.kind,
            data.number,
            opt_out,
            actor.acting,
        )
        return redirect("/home", flash="notice_opted_out" if opt_out else "notice_acknowledged")

    @get(
        "/staff/privacy-notice",
        opt=page("platform_privacy_notice", "read"),
        include_in_schema=False,
    )
    async def staff_notices(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> Response[Any]:
        return staff_page(
            request,
            "staff/privacy_notice.html",
            await staff_viewer(request, services, actor),
            versions=await platform_notice_list(session),
            notice_days=services.settings.processor.notice_change_days,
        )

    @post(
        "/staff/privacy-notice",
        opt=page("platform_privacy_notice", "create"),
        include_in_schema=False,
    )
    async def publish(
        self,
        data: Annotated[PlatformNoticeForm, Form],
        actor: CurrentActor,
        services: AppServices,
    ) -> Response[Any]:
        day = data.effective_from.strip()
        body = read_form(
            {
                "title": data.title.strip(),
                "body": data.body.strip(),
                "summary": data.summary.strip(),
                "significant": data.significant == "on",
                # a day from the date field: its start, in UTC
                "effective_from": f"{day}T00:00:00Z" if day else None,
            },
            PlatformNoticeBody,
        )
        version = await publish(services, body, actor.acting)
        return redirect(f"/privacy/notice/v/{version.number}")
