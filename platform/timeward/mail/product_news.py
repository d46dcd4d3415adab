"""The processor's product news: the one promotional mail. Platform admins publish an
issue; ``send_product_news`` mails it to each member of each tenant who consents to
marketing (``timeward.mail.preferences``), one mail per person and issue however often
the job runs, each checked again right before it is sent.

The subject always starts with "<processor> product news: ", so the mail is never
mistaken for a service message (CAN-SPAM: no misleading subject).
"""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tenants.settings.regional import recipient_language
from timeward import clock
from timeward.acting import Acting
from timeward.audit.log import PLATFORM_CHAIN, AuditEntry, AuditLog
from timeward.config import ProcessorSettings
from timeward.db.base import new_id
from timeward.db.queries import fetch_page
from timeward.errors import NotFound
from timeward.jobs.after_commit import start_after_commit
from timeward.mail.categories import Topic
from timeward.mail.models import ProductNews
from timeward.mail.preferences import recipients
from timeward.mail.service import queue_email_once
from timeward.mail.unsubscribe import optional_mail
from timeward.paging import PageRequest
from timeward.translations import translator


def news_subject(processor: ProcessorSettings, subject: str) -> str:
    return f"{processor.name} product news: {subject}"


async def publish(
    session: AsyncSession, audit: AuditLog, by: Acting, subject: str, body: str
) -> ProductNews:
    """Record an issue (platform scope), audited on the platform chain; sent after commit."""
    news = ProductNews(id=new_id(), subject=subject, body=body, created_by=by.user_id)
    session.add(news)
    await session.flush()
    entry = AuditEntry.by(by, "product_news.published", "product_news", news.id)
    await audit.append(session, PLATFORM_CHAIN, entry)
    start_after_commit(session, "send_product_news", str(news.id))
    return news


async def list_news(session: AsyncSession, page: PageRequest) -> list[ProductNews]:
    query = select(ProductNews).order_by(ProductNews.created_at.desc(), ProductNews.id)
    return await fetch_page(session, query, page)


async def load_news(session: AsyncSession, news_id: UUID) -> ProductNews:
    news = await session.get(ProductNews, news_id)
    if news is None:
        raise NotFound("Product news")
    return news


async def queue_for_tenant(
    session: AsyncSession,
    master_key: bytes,
    processor: ProcessorSettings,
    tenant_id: UUID,
    news_id: UUID,
    subject: str,
    body: str,
) -> int:
    """One mail per consenting member of this tenant (a tenant-scoped session)."""
    queued = 0
    for member in await recipients(session, tenant_id, Topic.PRODUCT_NEWS):
        t = translator(await recipient_language(session, tenant_id, member.user_id))
        category = optional_mail(
            master_key, processor, tenant_id, member.user_id, Topic.PRODUCT_NEWS
        )
        email_id = await queue_email_once(
            session,
            tenant_id,
            f"product_news:{news_id}:{member.user_id}",
            member.email,
            news_subject(processor, subject),
            body,
            category=category,
            t=t,
        )
        queued += email_id is not None
    return queued


async def mark_sent(session: AsyncSession, news_id: UUID, queued: int) -> None:
    news = await load_news(session, news_id)
    news.recipients = (news.recipients or 0) + queued
    news.sent_at = news.sent_at or clock.now()
