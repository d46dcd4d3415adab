"""Notice versions as response views."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from timeward import clock
from timeward.identity.models import Tenant
from timeward.privacy_notice import service
from timeward.privacy_notice.models import (
    NoticeKind,
    NoticeResponse,
    PlatformNoticeVersion,
    TenantNoticeVersion,
)
from timeward.privacy_notice.schemas import (
    NoticeAnswerView,
    PlatformNoticeView,
    TenantNoticeOverview,
    TenantNoticeView,
)
from timeward.privacy_notice.service import Current


def tenant_notice_url(slug: str, number: int) -> str:
    return f"/t/{slug}/privacy-notice/v/{number}"


def platform_notice_url(number: int) -> str:
    return f"/privacy/notice/v/{number}"


def tenant_notice_view(version: TenantNoticeVersion, slug: str) -> TenantNoticeView:
    return TenantNoticeView(
        number=version.number,
        significant=version.significant,
        published_at=version.published_at,
        effective_from=version.effective_from,
        in_force=version.effective_from <= clock.now(),
        changed=list(version.changed),
        digest=version.digest,
        url=tenant_notice_url(slug, version.number),
        content=version.content,
    )


def tenant_notice_overview(
    current: Current, numbers: list[int], tenant: Tenant
) -> TenantNoticeOverview:
    return TenantNoticeOverview(
        in_force=tenant_notice_view(current.in_force, tenant.slug),
        upcoming=[tenant_notice_view(v, tenant.slug) for v in current.upcoming],
        versions=numbers,
    )


def platform_notice_view(
    version: PlatformNoticeVersion, answers: tuple[int, int] = (0, 0)
) -> PlatformNoticeView:
    return PlatformNoticeView(
        number=version.number,
        title=version.title,
        body=version.body,
        summary=version.summary,
        significant=version.significant,
        published_at=version.published_at,
        effective_from=version.effective_from,
        digest=version.digest,
        url=platform_notice_url(version.number),
        answers=answers[0],
        opted_out=answers[1],
    )


def answer_view(row: NoticeResponse) -> NoticeAnswerView:
    return NoticeAnswerView(NoticeKind(row.kind), row.number, row.opted_out, row.acknowledged_at)


async def platform_notice_list(session: AsyncSession) -> list[PlatformNoticeView]:
    """Every version of the platform's notice, newest first, with its answer counts."""
    answers = await service.opt_out_counts(session)
    return [
        platform_notice_view(v, answers.get(v.number, (0, 0)))
        for v in await service.platform_notice_versions(session)
    ]
