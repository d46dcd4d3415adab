"""Reading privacy requests: one request, the queues, timelines, exports and deadlines."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple, TypeVar
from uuid import UUID

from sqlalchemy import Select, func, select
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.ext.asyncio import AsyncSession

from tenants.employees.models import Employee
from tenants.privacy_requests.deadlines import (
    Deadline,
    Standing,
    deadlines_at,
    request_calendar,
    standings_at,
)
from tenants.privacy_requests.models import (
    PrivacyExport,
    PrivacyRequest,
    PrivacyRequestEvent,
    RequestType,
)
from tenants.privacy_requests.transitions import (
    OPEN,
    Status,
)
from timeward.db.queries import fetch_page, one_or_not_found
from timeward.deadlines import TenantCalendar
from timeward.errors import Gone, NotFound
from timeward.identity.models import Tenant
from timeward.paging import PageRequest


async def get_request(
    session: AsyncSession, tenant_id: UUID, request_id: UUID, *, lock: bool = False
) -> PrivacyRequest:
    """The tenant's request; another tenant's (or none) is not found."""
    query = select(PrivacyRequest).where(
        PrivacyRequest.tenant_id == tenant_id, PrivacyRequest.id == request_id
    )
    return await one_or_not_found(session, query, "Privacy request", lock=lock)


async def my_request(
    session: AsyncSession, tenant_id: UUID, user_id: UUID, request_id: UUID, *, lock: bool = False
) -> PrivacyRequest:
    """A request the caller filed; anyone else's is not found."""
    query = select(PrivacyRequest).where(
        PrivacyRequest.tenant_id == tenant_id,
        PrivacyRequest.id == request_id,
        PrivacyRequest.requester_user_id == user_id,
    )
    return await one_or_not_found(session, query, "Privacy request", lock=lock)


@dataclass(frozen=True)
class QueueFilter:
    status: Status | None = None
    open_only: bool = False
    overdue_only: bool = False
    request_type: RequestType | None = None


_OPEN_STATUSES = [s.value for s in OPEN]


QueueRead = TypeVar("QueueRead", bound=Select[*tuple[Any, ...]])


def _queue_statement(
    columns: QueueRead, tenant_id: UUID, where: QueueFilter, today: date
) -> QueueRead:
    query = columns.where(PrivacyRequest.tenant_id == tenant_id)
    if where.status is not None:
        query = query.where(PrivacyRequest.status == where.status)
    if where.request_type is not None:
        query = query.where(PrivacyRequest.request_type == where.request_type)
    if where.open_only or where.overdue_only:
        query = query.where(PrivacyRequest.status.in_(_OPEN_STATUSES))
    if where.overdue_only:
        query = query.where(PrivacyRequest.due_date < today)
    return query.order_by(PrivacyRequest.due_date, PrivacyRequest.received_at, PrivacyRequest.id)


async def list_queue(
    session: AsyncSession, tenant_id: UUID, page: PageRequest, where: QueueFilter, today: date
) -> list[PrivacyRequest]:
    """The tenant's requests, the nearest deadline first (so the overdue ones lead)."""
    return await fetch_page(
        session, _queue_statement(select(PrivacyRequest), tenant_id, where, today), page
    )


class QueueLine(NamedTuple):
    """What a line of the admin's queue page shows of a request."""

    id: UUID
    request_type: str
    status: str
    channel: str
    subject_name: str | None
    received_at: datetime
    due_date: date
    identity_verified: bool
    calendar_country: str
    calendar_subdivision: str | None


_QUEUE_LINE = select(
    PrivacyRequest.id,
    PrivacyRequest.request_type,
    PrivacyRequest.status,
    PrivacyRequest.channel,
    Employee.name,
    PrivacyRequest.received_at,
    PrivacyRequest.due_date,
    PrivacyRequest.identity_verified_at.is_not(None),
    PrivacyRequest.calendar_country,
    PrivacyRequest.calendar_subdivision,
).outerjoin(
    Employee,
    (Employee.tenant_id == PrivacyRequest.tenant_id)
    & (Employee.id == PrivacyRequest.subject_employee_id),
)


async def list_queue_lines(
    session: AsyncSession, tenant_id: UUID, page: PageRequest, where: QueueFilter, today: date
) -> list[QueueLine]:
    """``list_queue`` as columns, not entities, with the subject's name joined: one
    statement for the page (docs/performance.md, "Pages, quiet-machine round")."""
    query = _queue_statement(_QUEUE_LINE, tenant_id, where, today)
    rows = await session.execute(query.limit(page.fetch).offset(page.offset))
    return [QueueLine._make(row) for row in rows]


@dataclass(frozen=True)
class QueueCounts:
    open: int
    overdue: int  # open and past the due date (the queue's "overdue" filter)


async def queue_counts(session: AsyncSession, tenant_id: UUID, today: date) -> QueueCounts:
    """How many requests are open and how many of them overdue, in one query."""
    row = (
        await session.execute(
            select(
                func.count(),
                func.count().filter(PrivacyRequest.due_date < today),
            ).where(
                PrivacyRequest.tenant_id == tenant_id,
                PrivacyRequest.status.in_(_OPEN_STATUSES),
            )
        )
    ).one()
    return QueueCounts(int(row[0]), int(row[1]))


async def list_mine(
    session: AsyncSession, tenant_id: UUID, user_id: UUID, page: PageRequest
) -> list[PrivacyRequest]:
    return await fetch_page(
        session,
        select(PrivacyRequest)
        .where(PrivacyRequest.tenant_id == tenant_id, PrivacyRequest.requester_user_id == user_id)
        .order_by(PrivacyRequest.received_at.desc(), PrivacyRequest.id),
        page,
    )


async def timeline(
    session: AsyncSession, tenant_id: UUID, request_id: UUID, *, requester_view: bool
) -> list[PrivacyRequestEvent]:
    found = await timelines(session, tenant_id, [request_id], requester_view=requester_view)
    return found[request_id]


async def latest_export(
    session: AsyncSession, tenant_id: UUID, request_id: UUID
) -> PrivacyExport | None:
    return (await latest_exports(session, tenant_id, [request_id])).get(request_id)


async def downloadable(
    session: AsyncSession, request: PrivacyRequest, now: datetime
) -> PrivacyExport:
    """The export's bytes while the link lives: 404 before one exists, 410 after expiry."""
    export = await latest_export(session, request.tenant_id, request.id)
    if export is None:
        raise NotFound("Export")
    if export.content is None or export.expires_at <= now:
        raise Gone("This export has expired and its file has been deleted.")
    return export


async def tenant_name(session: AsyncSession, tenant_id: UUID) -> str:
    name = await session.scalar(select(Tenant.name).where(Tenant.id == tenant_id))
    assert name is not None
    return name


def calendar_of(request: PrivacyRequest) -> TenantCalendar:
    return request_calendar(request.calendar_country, request.calendar_subdivision)


def deadline_of(request: PrivacyRequest, now: datetime) -> Deadline:
    return deadline_reader(now)(request)


def deadline_reader(now: datetime) -> Callable[[PrivacyRequest], Deadline]:
    """``deadline_of`` for many requests at one instant (a page, a sweep)."""
    of = deadlines_at(now)
    return lambda r: of(r.received_at, r.due_date, r.original_due_date, calendar_of(r))


def standing_reader(now: datetime) -> Callable[[date, str, str | None], Standing]:
    """A due day's days left, traffic light and overdue flag at one instant, by due day
    and jurisdiction (a queue line's ``due_date``, ``calendar_country`` and
    ``calendar_subdivision``), counted once per due day and calendar (``standings_at``)."""
    standing = standings_at(now)
    return lambda due, country, subdivision: standing(due, request_calendar(country, subdivision))


async def overdue_requests(
    session: AsyncSession, tenant_id: UUID, now: datetime
) -> list[PrivacyRequest]:
    """Open requests past their due date not yet flagged today (UTC day: see deadlines)."""
    today = now.date()
    rows = await session.scalars(
        select(PrivacyRequest)
        .where(
            PrivacyRequest.tenant_id == tenant_id,
            PrivacyRequest.status.in_(_OPEN_STATUSES),
            PrivacyRequest.due_date < today,
            (PrivacyRequest.overdue_notified_on.is_(None))
            | (PrivacyRequest.overdue_notified_on < today),
        )
        .order_by(PrivacyRequest.due_date, PrivacyRequest.id)
        .with_for_update(skip_locked=True)
    )
    deadline_now = deadline_reader(now)
    return [r for r in rows.all() if deadline_now(r).overdue]


# --- Batched loads for a page of views: one query each, whatever the page size -------------


async def subject_names(
    session: AsyncSession, tenant_id: UUID, requests: Sequence[PrivacyRequest]
) -> dict[UUID, str]:
    """The employee name of each request's subject, by employee id."""
    ids = {r.subject_employee_id for r in requests if r.subject_employee_id is not None}
    if not ids:
        return {}
    rows = await session.execute(
        select(Employee.id, Employee.name).where(
            Employee.tenant_id == tenant_id, Employee.id.in_(ids)
        )
    )
    return {employee_id: name for employee_id, name in rows}


async def timelines(
    session: AsyncSession,
    tenant_id: UUID,
    request_ids: Sequence[UUID],
    *,
    requester_view: bool,
) -> dict[UUID, list[PrivacyRequestEvent]]:
    """Each request's timeline in order (for the requester: the steps with a message)."""
    found: dict[UUID, list[PrivacyRequestEvent]] = {rid: [] for rid in request_ids}
    if not request_ids:
        return found
    query = select(PrivacyRequestEvent).where(
        PrivacyRequestEvent.tenant_id == tenant_id,
        PrivacyRequestEvent.request_id.in_(request_ids),
    )
    if requester_view:
        query = query.where(PrivacyRequestEvent.message.is_not(None))
    events = await session.scalars(
        query.order_by(PrivacyRequestEvent.request_id, PrivacyRequestEvent.seq)
    )
    for event in events:
        found[event.request_id].append(event)
    return found


async def latest_exports(
    session: AsyncSession, tenant_id: UUID, request_ids: Sequence[UUID]
) -> dict[UUID, PrivacyExport]:
    """Each request's newest export, for those that have one."""
    if not request_ids:
        return {}
    exports = await session.scalars(
        select(PrivacyExport)
        .where(PrivacyExport.tenant_id == tenant_id, PrivacyExport.request_id.in_(request_ids))
        .ext(distinct_on(PrivacyExport.request_id))
        .order_by(PrivacyExport.request_id, PrivacyExport.created_at.desc(), PrivacyExport.id)
    )
    return {export.request_id: export for export in exports}
