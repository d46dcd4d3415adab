"""The demo tenant's timesheets: last week in the middle of a manager's routine, so the
timesheet console is worth looking at on first start.

On top of the clocked shifts `timeward.demo` seeds: last week's Monday to Wednesday are
approved (the manager's own shifts by the admin), Thursday and Friday wait for a
decision, one manual entry (a weekend survey, with a note) waits too, and one manual
entry is rejected with a note. Runs once: skipped when the tenant has a manual entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from uuid import UUID

import structlog
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tenants.employees.models import Employee
from tenants.time.models import ApprovalState, EntrySource, TimeEntry
from tenants.time.periods import Period
from timeward.db.session import Database, Scope
from timeward.identity.models import Membership, TenantRole

log = structlog.get_logger(__name__)

APPROVED_WEEKDAYS = 3  # Monday to Wednesday of last week


@dataclass(frozen=True)
class DemoManualEntry:
    employee_number: str
    weekday: int  # 0 = Monday of last week
    start: time
    minutes: int
    notes: str
    state: ApprovalState
    decision_note: str | None = None


DEMO_MANUAL_ENTRIES = (
    DemoManualEntry(
        "D005",
        5,
        time(9, 0),
        150,
        "Weekend survey at the Spandau depot; the terminal was offline.",
        ApprovalState.PENDING,
    ),
    DemoManualEntry(
        "D004",
        1,
        time(17, 0),
        60,
        "Crane inspection after hours.",
        ApprovalState.REJECTED,
        "Already paid with the monthly inspection flat fee.",
    ),
)


async def _staff(session: AsyncSession, tenant_id: UUID) -> tuple[UUID, UUID]:
    """The demo's first admin and first manager."""
    rows = await session.execute(
        select(Membership.role, Membership.user_id)
        .where(Membership.tenant_id == tenant_id)
        .order_by(Membership.created_at)
    )
    held: dict[str, UUID] = {}
    for role, user_id in rows.all():
        held.setdefault(role, user_id)
    return held[TenantRole.CLIENT_ADMIN], held[TenantRole.CLIENT_MANAGER]


async def _decide_last_week(
    session: AsyncSession, tenant_id: UUID, week: Period, admin: UUID, manager: UUID, now: datetime
) -> int:
    """Monday to Wednesday approved, the rest of the week pending."""
    span = week.range
    assert span.start is not None and span.end is not None
    cut = span.start + timedelta(days=APPROVED_WEEKDAYS)
    in_week = (
        TimeEntry.tenant_id == tenant_id,
        TimeEntry.started_at >= span.start,
        TimeEntry.started_at < span.end,
    )
    manager_record = select(Employee.id).where(
        Employee.tenant_id == tenant_id, Employee.user_id == manager
    )
    approved = 0
    for approver, own in ((manager, False), (admin, True)):
        whose = TimeEntry.employee_id.in_(manager_record)
        result = await session.execute(
            update(TimeEntry)
            .where(*in_week, TimeEntry.started_at < cut, whose if own else ~whose)
            .values(
                approval_state=ApprovalState.APPROVED,
                decided_by=approver,
                decided_at=now,
                updated_at=now,
            )
        )
        approved += int(getattr(result, "rowcount", 0) or 0)
    await session.execute(
        update(TimeEntry)
        .where(*in_week, TimeEntry.started_at >= cut)
        .values(approval_state=ApprovalState.PENDING, decided_by=None, decided_at=None)
    )
    return approved


async def seed_demo_timesheets(database: Database, tenant_id: UUID, now: datetime) -> int:
    """Shape last week's timesheets (see the module); returns the manual entries added."""
    async with database.transaction(Scope.TENANT, tenant_id) as session:
        manual = select(func.count()).where(
            TimeEntry.tenant_id == tenant_id, TimeEntry.source == EntrySource.MANUAL
        )
        if await session.scalar(manual):
            log.debug("demo.timesheets_already_seeded")
            return 0
        employees = {
            e.employee_number: e
            for e in await session.scalars(select(Employee).where(Employee.tenant_id == tenant_id))
        }
        if not employees:
            return 0
        admin, manager = await _staff(session, tenant_id)
        week = Period.week_of(now.date()).previous()
        approved = await _decide_last_week(session, tenant_id, week, admin, manager, now)
        for spec in DEMO_MANUAL_ENTRIES:
            on = week.first_day + timedelta(days=spec.weekday)
            start = datetime.combine(on, spec.start, tzinfo=UTC)
            decided = spec.state is not ApprovalState.PENDING
            session.add(
                TimeEntry(
                    tenant_id=tenant_id,
                    employee_id=employees[spec.employee_number].id,
                    started_at=start,
                    ended_at=start + timedelta(minutes=spec.minutes),
                    source=EntrySource.MANUAL,
                    notes=spec.notes,
                    approval_state=spec.state,
                    decided_by=manager if decided else None,
                    decided_at=now if decided else None,
                    decision_note=spec.decision_note,
                    created_by=manager,
                )
            )
        await session.flush()
    log.debug("demo.timesheets_seeded", approved=approved, manual=len(DEMO_MANUAL_ENTRIES))
    return len(DEMO_MANUAL_ENTRIES)
