"""Recording a breach, finding the tenants it affects, following and acknowledging notices."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from uuid import UUID

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from timeward import clock
from timeward.acting import Acting
from timeward.audit.log import AuditEntry, AuditLog
from timeward.breaches.calendar import NoticeCalendar, notice_calendar
from timeward.breaches.messages import notice_content
from timeward.breaches.models import AffectedBasis, Breach, BreachFollowUpNotice, BreachNotice
from timeward.db.base import new_id
from timeward.db.queries import fetch_page
from timeward.errors import InvalidInput, NotFound
from timeward.identity.models import Tenant, TenantStatus
from timeward.jobs.after_commit import start_after_commit
from timeward.paging import PageRequest
from timeward.subprocessors.service import sub_processors_by_id, tenants_using


@dataclass(frozen=True)
class Affected:
    """Which tenants an incident affects: the union of what is named.

    - ``all_tenants``: every tenant that is not deleted;
    - ``tenant_ids``: these tenants (each must exist and not be deleted);
    - ``sub_processor_ids``: every tenant using one of these sub-processors
      (see :func:`timeward.subprocessors.service.tenants_using`).
    """

    all_tenants: bool = False
    tenant_ids: tuple[UUID, ...] = ()
    sub_processor_ids: tuple[UUID, ...] = ()

    def as_json(self) -> dict[str, object]:
        return {
            "all_tenants": self.all_tenants,
            "tenant_ids": [str(t) for t in self.tenant_ids],
            "sub_processor_ids": [str(s) for s in self.sub_processor_ids],
        }


@dataclass(frozen=True)
class BreachReport:
    title: str
    discovered_at: datetime
    description: str
    data_categories: tuple[str, ...]
    subject_categories: tuple[str, ...]
    measures_taken: str
    affected: Affected
    approx_subjects: int | None = None
    approx_records: int | None = None
    likely_consequences: str | None = None
    measures_proposed: str | None = None
    contact_point: str | None = None


@dataclass(frozen=True)
class Delivery:
    """How one notice fared, in counts only (staff never see an address or a name): its
    e-mails by outbox status, and its in-app notifications and how many were read."""

    mail_queued: int = 0
    mail_sent: int = 0
    mail_failed: int = 0
    in_app: int = 0
    in_app_read: int = 0
    first_read_at: datetime | None = None

    @property
    def mail_state(self) -> str | None:
        """The worst state among the notice's e-mails; None before any was queued."""
        if self.mail_failed:
            return "failed"
        if self.mail_queued:
            return "queued"
        return "sent" if self.mail_sent else None


@dataclass(frozen=True)
class NoticeStatus:
    """One affected tenant's notice, with its deadline as of ``now``."""

    notice: BreachNotice
    tenant_slug: str
    tenant_name: str
    calendar: NoticeCalendar
    working_days_left: int | None  # None once notified
    notified_in_time: bool | None  # None until notified
    delivery: Delivery = Delivery()

    @property
    def unnotified(self) -> bool:
        return self.notice.notified_at is None

    @property
    def overdue(self) -> bool:
        return self.working_days_left is not None and self.working_days_left < 0


@dataclass(frozen=True)
class Incident:
    breach: Breach
    notices: list[NoticeStatus]

    @property
    def unnotified(self) -> list[NoticeStatus]:
        return [n for n in self.notices if n.unnotified]

    @property
    def earliest_due(self) -> date | None:
        return min((n.notice.due_date for n in self.notices), default=None)

    @property
    def fewest_working_days_left(self) -> int | None:
        return min(
            (n.working_days_left for n in self.unnotified if n.working_days_left is not None),
            default=None,
        )


def _categories(values: Sequence[str], what: str) -> list[str]:
    cleaned = list(dict.fromkeys(v.strip() for v in values if v.strip()))
    if not cleaned:
        raise InvalidInput(f"Name at least one category of {what}.")
    return cleaned


def _check_discovered(discovered_at: datetime) -> datetime:
    if discovered_at.tzinfo is None or discovered_at.utcoffset() is None:
        raise InvalidInput("discovered_at needs a timezone (e.g. 2026-12-23T10:00:00Z).")
    if discovered_at > clock.now():
        raise InvalidInput("discovered_at is in the future.")
    return discovered_at.astimezone(UTC)


async def affected_tenants(
    session: AsyncSession, affected: Affected
) -> tuple[dict[UUID, tuple[Tenant, AffectedBasis]], list[str]]:
    """The affected tenants with why, and the names of the affected sub-processors."""
    if not (affected.all_tenants or affected.tenant_ids or affected.sub_processor_ids):
        raise InvalidInput(
            "Say which tenants are affected: all_tenants, tenant_ids or sub_processor_ids."
        )
    tenants = {
        t.id: t
        for t in (
            await session.scalars(select(Tenant).where(Tenant.status != TenantStatus.DELETED))
        ).all()
    }
    unknown = [str(t) for t in affected.tenant_ids if t not in tenants]
    if unknown:
        raise InvalidInput("Unknown or deleted tenant(s).", tenant_ids=unknown)
    found: dict[UUID, tuple[Tenant, AffectedBasis]] = {
        t: (tenants[t], AffectedBasis.NAMED) for t in affected.tenant_ids
    }
    sub_processors = await sub_processors_by_id(session, affected.sub_processor_ids)
    unknown = [str(s) for s in affected.sub_processor_ids if s not in sub_processors]
    if unknown:
        raise InvalidInput("Unknown sub-processor(s).", sub_processor_ids=unknown)
    for tenant_id in await tenants_using(session, list(sub_processors)):
        if tenant_id in tenants:
            found.setdefault(tenant_id, (tenants[tenant_id], AffectedBasis.SUB_PROCESSOR))
    if affected.all_tenants:
        for tenant_id, tenant in tenants.items():
            found.setdefault(tenant_id, (tenant, AffectedBasis.ALL_TENANTS))
    if not found:
        raise InvalidInput("No tenant is affected by what the request names.")
    names = sorted(s.name for s in sub_processors.values())
    return found, names


async def record(
    session: AsyncSession, report: BreachReport, by: Acting, default_contact: str
) -> tuple[Breach, int]:
    """The incident and one notice per affected tenant (platform scope); each notice is
    sent by a job once this transaction commits. Returns the breach and the tenant count."""
    discovered_at = _check_discovered(report.discovered_at)
    affected, components = await affected_tenants(session, report.affected)
    breach = Breach(
        title=report.title,
        discovered_at=discovered_at,
        description=report.description,
        data_categories=_categories(report.data_categories, "personal data"),
        subject_categories=_categories(report.subject_categories, "data subjects"),
        approx_subjects=report.approx_subjects,
        approx_records=report.approx_records,
        likely_consequences=report.likely_consequences,
        measures_taken=report.measures_taken,
        measures_proposed=report.measures_proposed,
        contact_point=report.contact_point or default_contact,
        affected=report.affected.as_json(),
        recorded_by=by.user_id,
    )
    session.add(breach)
    await session.flush()
    content = notice_content(breach, components)
    notices = []
    for tenant_id, (tenant, basis) in sorted(affected.items()):
        calendar = notice_calendar(tenant.country, tenant.subdivision)
        notices.append(
            BreachNotice(
                tenant_id=tenant_id,
                breach_id=breach.id,
                basis=basis,
                calendar_country=calendar.country,
                calendar_subdivision=calendar.subdivision,
                due_date=calendar.due(discovered_at),
                content=content,
            )
        )
    session.add_all(notices)
    await session.flush()
    for notice in notices:
        start_after_commit(session, "send_breach_notice", str(notice.tenant_id), str(notice.id))
    return breach, len(notices)


def _status(
    notice: BreachNotice, slug: str, name: str, now: datetime, delivery: Delivery
) -> NoticeStatus:
    calendar = NoticeCalendar(notice.calendar_country, notice.calendar_subdivision)
    if notice.notified_at is None:
        days_left = calendar.working_days_left(notice.due_date, now)
        return NoticeStatus(notice, slug, name, calendar, days_left, None, delivery)
    in_time = notice.notified_at.astimezone(UTC).date() <= notice.due_date
    return NoticeStatus(notice, slug, name, calendar, None, in_time, delivery)


async def _deliveries(
    session: AsyncSession, breach_ids: list[UUID]
) -> dict[tuple[UUID, UUID], Delivery]:
    """Per (breach, tenant): how its notice's e-mails and notifications fared (platform
    scope). The rows themselves are personal data the platform cannot read; the
    ``breach_notice_delivery`` database function returns counts only (migration 0019)."""
    rows = await session.execute(
        text("SELECT * FROM breach_notice_delivery(CAST(:ids AS uuid[]))"), {"ids": breach_ids}
    )
    return {
        (row.breach_id, row.tenant_id): Delivery(
            row.mail_pending,
            row.mail_sent,
            row.mail_failed,
            row.in_app,
            row.in_app_read,
            row.first_read_at,
        )
        for row in rows.all()
    }


async def _incidents(session: AsyncSession, breaches: Sequence[Breach]) -> list[Incident]:
    if not breaches:
        return []
    rows = await session.execute(
        select(BreachNotice, Tenant.slug, Tenant.name)
        .join(Tenant, Tenant.id == BreachNotice.tenant_id)
        .where(BreachNotice.breach_id.in_([b.id for b in breaches]))
        .order_by(BreachNotice.due_date, Tenant.slug)
    )
    now = clock.now()
    deliveries = await _deliveries(session, [b.id for b in breaches])
    by_breach: dict[UUID, list[NoticeStatus]] = {b.id: [] for b in breaches}
    for notice, slug, name in rows.all():
        delivery = deliveries.get((notice.breach_id, notice.tenant_id), Delivery())
        by_breach[notice.breach_id].append(_status(notice, slug, name, now, delivery))
    return [Incident(b, by_breach[b.id]) for b in breaches]


async def list_incidents(session: AsyncSession, page: PageRequest) -> list[Incident]:
    """Incidents, newest discovery first, with every notice's state (platform scope)."""
    breaches = await fetch_page(
        session, select(Breach).order_by(Breach.discovered_at.desc(), Breach.id), page
    )
    return await _incidents(session, breaches)


async def get_incident(session: AsyncSession, breach_id: UUID) -> Incident:
    breach = await session.get(Breach, breach_id)
    if breach is None:
        raise NotFound("Breach")
    [incident] = await _incidents(session, [breach])
    return incident


async def tenant_notices(
    session: AsyncSession, tenant_id: UUID, page: PageRequest
) -> list[BreachNotice]:
    """The breaches that concern this tenant (tenant scope), newest first."""
    return await fetch_page(
        session,
        select(BreachNotice)
        .where(BreachNotice.tenant_id == tenant_id)
        .order_by(BreachNotice.created_at.desc(), BreachNotice.id),
        page,
    )


async def tenant_notice(
    session: AsyncSession, tenant_id: UUID, breach_id: UUID, *, for_update: bool = False
) -> BreachNotice:
    """This tenant's notice of a breach; another tenant's breach is not found."""
    query = select(BreachNotice).where(
        BreachNotice.tenant_id == tenant_id, BreachNotice.breach_id == breach_id
    )
    notice = await session.scalar(query.with_for_update() if for_update else query)
    if notice is None:
        raise NotFound("Breach")
    return notice


async def acknowledge(
    session: AsyncSession, tenant_id: UUID, breach_id: UUID, by: Acting
) -> tuple[BreachNotice, bool]:
    """Record that the client has the notice; a repeat changes nothing (returns False)."""
    notice = await tenant_notice(session, tenant_id, breach_id, for_update=True)
    if notice.acknowledged_at is not None:
        return notice, False
    notice.acknowledged_at, notice.acknowledged_by = clock.now(), by.user_id
    return notice, True


async def acknowledge_notice(
    session: AsyncSession, audit: AuditLog, tenant_id: UUID, breach_id: UUID, by: Acting
) -> BreachNotice:
    """:func:`acknowledge`, audited once on the tenant's chain (``breach.acknowledged``):
    what the API route and the admin page both do."""
    notice, first = await acknowledge(session, tenant_id, breach_id, by)
    if first:
        entry = AuditEntry.by(by, "breach.acknowledged", "breach", breach_id)
        await audit.append(session, tenant_id, entry)
    return notice


@dataclass(frozen=True)
class FollowUp:
    """Information added to a breach, and how far it has reached the tenants concerned."""

    id: UUID
    information: str
    added_at: datetime
    tenants: int
    notified: int


async def add_follow_up(
    session: AsyncSession, breach_id: UUID, information: str, by: Acting
) -> tuple[UUID, int]:
    """Follow-up information for every tenant the breach's notice went to (platform
    scope); each is told by a job once this transaction commits, by mail and in the app,
    like the notice. Returns the follow-up's id and the tenant count."""
    information = information.strip()
    if not information:
        raise InvalidInput.on_field("information", "Say what is new.")
    if await session.get(Breach, breach_id) is None:
        raise NotFound("Breach")
    tenants = (
        await session.scalars(
            select(BreachNotice.tenant_id)
            .where(BreachNotice.breach_id == breach_id)
            .order_by(BreachNotice.tenant_id)
        )
    ).all()
    follow_up_id = new_id()
    rows = [
        BreachFollowUpNotice(
            tenant_id=tenant_id,
            breach_id=breach_id,
            follow_up_id=follow_up_id,
            information=information,
            added_by=by.user_id,
        )
        for tenant_id in tenants
    ]
    session.add_all(rows)
    await session.flush()
    for row in rows:
        start_after_commit(session, "send_breach_follow_up", str(row.tenant_id), str(row.id))
    return follow_up_id, len(rows)


async def follow_ups(session: AsyncSession, breach_id: UUID) -> list[FollowUp]:
    """The breach's follow-ups, oldest first, each with its delivery count (platform scope)."""
    rows = (
        await session.scalars(
            select(BreachFollowUpNotice)
            .where(BreachFollowUpNotice.breach_id == breach_id)
            .order_by(BreachFollowUpNotice.created_at, BreachFollowUpNotice.follow_up_id)
        )
    ).all()
    grouped: dict[UUID, list[BreachFollowUpNotice]] = {}
    for row in rows:
        grouped.setdefault(row.follow_up_id, []).append(row)
    return [
        FollowUp(
            follow_up_id,
            notices[0].information,
            notices[0].created_at,
            len(notices),
            sum(1 for n in notices if n.notified_at is not None),
        )
        for follow_up_id, notices in grouped.items()
    ]
