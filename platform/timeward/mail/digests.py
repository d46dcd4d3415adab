"""The weekly digests: one e-mail per member and ISO week, to those who want it.

Run by ``send_weekly_digests`` (daily; the first run of a week sends, later runs find the
week's mail queued by its ``dedupe_key`` and queue nothing). Each digest is optional
mail: the person's preference is read here and again right before sending.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from tenants.privacy_requests.service.queries import QueueFilter, list_queue, queue_counts
from tenants.settings.regional import member_locale, recipient_language
from tenants.time.periods import Period, local_day
from tenants.time.timesheets import team_timesheet
from timeward.config import ProcessorSettings
from timeward.links import link
from timeward.mail import messages
from timeward.mail.categories import Topic
from timeward.mail.preferences import Member, recipients
from timeward.mail.service import queue_email_once
from timeward.mail.unsubscribe import optional_mail
from timeward.paging import PageRequest
from timeward.translations import Translator, translator

REQUESTS_LISTED = 20


def week_key(now: datetime) -> str:
    year, week, _ = now.isocalendar()
    return f"{year}-W{week:02d}"


def dedupe_key(topic: Topic, now: datetime, user_id: UUID) -> str:
    return f"{topic.value}:{week_key(now)}:{user_id}"


class Digests:
    """What one tenant's digest run needs: the keys to sign links, the sender's address."""

    def __init__(self, master_key: bytes, processor: ProcessorSettings, now: datetime) -> None:
        self.master_key, self.processor, self.now = master_key, processor, now

    async def _queue(
        self,
        session: AsyncSession,
        tenant_id: UUID,
        member: Member,
        topic: Topic,
        t: Translator,
        subject: str,
        body: str,
    ) -> bool:
        category = optional_mail(self.master_key, self.processor, tenant_id, member.user_id, topic)
        queued = await queue_email_once(
            session,
            tenant_id,
            dedupe_key(topic, self.now, member.user_id),
            member.email,
            subject,
            body,
            category=category,
            t=t,
        )
        return queued is not None

    async def admin_digests(self, session: AsyncSession, tenant_id: UUID) -> int:
        """Open privacy requests and their due dates, to each client admin who wants it."""
        admins = await recipients(session, tenant_id, Topic.ADMIN_DIGEST)
        if not admins:
            return 0
        today = self.now.date()
        counts = await queue_counts(session, tenant_id, today)
        rows = await list_queue(
            session,
            tenant_id,
            PageRequest(limit=REQUESTS_LISTED),
            QueueFilter(open_only=True),
            today,
        )
        company = (await member_locale(session, tenant_id, None)).tenant_name
        queued = 0
        for admin in admins:
            t = translator(await recipient_language(session, tenant_id, admin.user_id))
            subject = t(messages.ADMIN_DIGEST_SUBJECT, open=counts.open, overdue=counts.overdue)
            if not rows:
                body = t(messages.ADMIN_DIGEST_NONE, company=company)
            else:
                lines = [
                    t(
                        messages.ADMIN_DIGEST_LINE,
                        type=row.request_type.replace("_", " "),
                        received_day=t.day(row.received_at.date()),
                        due_day=t.day(row.due_date),
                        url=link(f"/admin/privacy-requests/{row.id}"),
                    )
                    for row in rows[:REQUESTS_LISTED]
                ]
                if counts.open > REQUESTS_LISTED:
                    more = counts.open - REQUESTS_LISTED
                    lines.append(
                        t(
                            messages.ADMIN_DIGEST_MORE,
                            count=more,
                            url=link("/admin/privacy-requests"),
                        )
                    )
                intro = t(messages.ADMIN_DIGEST_INTRO, company=company)
                body = intro + "\n\n" + "\n".join(lines) + "\n"
            queued += await self._queue(
                session, tenant_id, admin, Topic.ADMIN_DIGEST, t, subject, body
            )
        return queued

    async def hours_summaries(self, session: AsyncSession, tenant_id: UUID) -> int:
        """Last week's hours (the tenant's weeks, in its zone) to each employee who wants
        them: one query for the whole team."""
        members = await recipients(session, tenant_id, Topic.HOURS_SUMMARY)
        if not members:
            return 0
        zone = (await member_locale(session, tenant_id, None)).regional.time_zone
        last_week = Period.week_of(local_day(self.now, zone) - timedelta(days=7), zone)
        sheets = {
            s.employee.id: s for s in (await team_timesheet(session, tenant_id, last_week)).sheets
        }
        queued = 0
        for member in members:
            sheet = sheets.get(member.employee_id) if member.employee_id else None
            if sheet is None:
                continue
            t = translator(await recipient_language(session, tenant_id, member.user_id))
            first_day = t.day(last_week.first_day)
            days = [
                t(messages.HOURS_DAY, day=t.day(day), hours=messages.hours(sheet.day(day).seconds))
                for day in last_week.days
                if sheet.day(day).seconds
            ]
            total = t(
                messages.HOURS_TOTAL,
                hours=messages.hours(sheet.seconds),
                approved=messages.hours(sheet.approved_seconds),
                pending=sheet.pending_entries,
            )
            body = "\n".join(
                [
                    t(messages.HOURS_INTRO, name=sheet.employee.name, first_day=first_day),
                    "",
                    *days,
                    total,
                    "",
                    t(messages.HOURS_LINK, url=link(f"/my/time?week={last_week.key}")),
                ]
            )
            subject = t(messages.HOURS_SUBJECT, first_day=first_day)
            queued += await self._queue(
                session, tenant_id, member, Topic.HOURS_SUMMARY, t, subject, body
            )
        return queued
