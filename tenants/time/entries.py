"""A manager's time entries: enter, correct, approve or reject, each audited.

Nobody enters, changes or decides their own entries; a restricted employee's entries
are frozen; entries starting in a month closed for payroll are frozen
(`tenants.time.locks`); entries of one employee never overlap (rejected ones aside).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tenants.employees.models import Employee
from tenants.employees.service import ensure_writable, get_employee
from tenants.sites.service import referenced_site
from tenants.time.locks import ensure_open
from tenants.time.models import ApprovalState, EntrySource, TimeEntry
from tenants.time.service import get_time_entry, not_in_future
from timeward import clock
from timeward.acting import Acting
from timeward.audit.log import AuditEntry, AuditLog
from timeward.errors import Conflict, InvalidInput, NotFound

MAX_ENTRY_LENGTH = timedelta(hours=24)


async def _audit(
    session: AsyncSession,
    audit: AuditLog,
    action: str,
    entry: TimeEntry,
    by: Acting,
    fields: list[str] | None = None,
) -> None:
    details: dict[str, object] = {"time_entry_id": str(entry.id)}
    if fields:
        details["fields"] = fields
    await audit.append(
        session,
        entry.tenant_id,
        AuditEntry(action, by.user_id, by.role, "employee", entry.employee_id, details=details),
    )


def _not_own(employee: Employee, by_user: UUID | None) -> None:
    if employee.user_id is not None and employee.user_id == by_user:
        raise Conflict(
            "You cannot create, change or decide your own time entries: another manager must."
        )


def _check_span(started_at: datetime, ended_at: datetime, now: datetime) -> None:
    if ended_at <= started_at:
        raise InvalidInput.on_field("ended_at", "must be later than started_at")
    if ended_at - started_at > MAX_ENTRY_LENGTH:
        raise InvalidInput.on_field("ended_at", "an entry may last at most 24 hours")
    not_in_future(ended_at, now, "ended_at")


async def _no_overlap(
    session: AsyncSession,
    employee: Employee,
    started_at: datetime,
    ended_at: datetime,
    entry_id: UUID | None,
) -> None:
    statement = select(TimeEntry.id).where(
        TimeEntry.tenant_id == employee.tenant_id,
        TimeEntry.employee_id == employee.id,
        TimeEntry.approval_state != ApprovalState.REJECTED,
        TimeEntry.started_at < ended_at,
        TimeEntry.ended_at > started_at,
    )
    if entry_id is not None:
        statement = statement.where(TimeEntry.id != entry_id)
    clash = await session.scalar(statement.limit(1))
    if clash is not None:
        raise Conflict(
            "This overlaps another time entry of the employee.", overlapping_entry_id=str(clash)
        )


async def referenced_employee(
    session: AsyncSession, tenant_id: UUID, employee_id: UUID
) -> Employee:
    try:
        return await get_employee(session, tenant_id, employee_id, lock=True)
    except NotFound as exc:
        raise InvalidInput.on_field("employee_id", "unknown employee") from exc


async def create_manual_entry(
    session: AsyncSession, audit: AuditLog, tenant_id: UUID, values: Mapping[str, Any], by: Acting
) -> TimeEntry:
    """Enter time for another employee: a pending entry, audited."""
    now, by_user = clock.now(), by.user_id
    employee = await referenced_employee(session, tenant_id, values["employee_id"])
    ensure_writable(employee)
    _not_own(employee, by_user)
    started_at, ended_at = values["started_at"], values["ended_at"]
    _check_span(started_at, ended_at, now)
    await ensure_open(session, tenant_id, [started_at])
    site_id = values.get("site_id")
    if site_id is not None:
        await referenced_site(session, tenant_id, site_id)
    await _no_overlap(session, employee, started_at, ended_at, None)
    entry = TimeEntry(
        tenant_id=tenant_id,
        employee_id=employee.id,
        site_id=site_id,
        started_at=started_at,
        ended_at=ended_at,
        source=EntrySource.MANUAL,
        notes=values.get("notes"),
        approval_state=ApprovalState.PENDING,
        created_by=by_user,
    )
    session.add(entry)
    await session.flush()
    await session.refresh(entry)
    await _audit(session, audit, "time_entry.created", entry, by)
    return entry


async def _entry_for_change(
    session: AsyncSession, tenant_id: UUID, entry_id: UUID, by_user: UUID | None
) -> TimeEntry:
    """Lock the entry's employee, then the entry (the order clocking uses), and check both."""
    entry = await get_time_entry(session, tenant_id, entry_id)
    employee = await get_employee(session, tenant_id, entry.employee_id, lock=True)
    entry = await get_time_entry(session, tenant_id, entry_id, lock=True)
    ensure_writable(employee)
    _not_own(employee, by_user)
    return entry


async def update_entry(
    session: AsyncSession,
    audit: AuditLog,
    tenant_id: UUID,
    entry_id: UUID,
    changes: Mapping[str, Any],
    by: Acting,
) -> TimeEntry:
    """Correct an entry, audited when anything changed. A change to a decided entry sends
    it back to pending. ``correction_note`` says why; it is kept with a change (replacing
    the previous one) and is not a change by itself."""
    now = clock.now()
    note = changes.get("correction_note")
    changes = {name: value for name, value in changes.items() if name != "correction_note"}
    entry = await _entry_for_change(session, tenant_id, entry_id, by.user_id)
    changed = sorted(name for name, value in changes.items() if getattr(entry, name) != value)
    if not changed:
        return entry
    started_at = changes.get("started_at", entry.started_at)
    ended_at = changes.get("ended_at", entry.ended_at)
    await ensure_open(session, tenant_id, [entry.started_at, started_at])
    if {"started_at", "ended_at"} & set(changed):
        _check_span(started_at, ended_at, now)
        employee = await get_employee(session, tenant_id, entry.employee_id)
        await _no_overlap(session, employee, started_at, ended_at, entry.id)
    if "site_id" in changed and changes["site_id"] is not None:
        await referenced_site(session, tenant_id, changes["site_id"])
    for name in changed:
        setattr(entry, name, changes[name])
    entry.correction_note = note
    if entry.approval_state != ApprovalState.PENDING:
        entry.approval_state = ApprovalState.PENDING
        entry.decided_by = entry.decided_at = entry.decision_note = None
    entry.updated_at = now
    await session.flush()
    await session.refresh(entry)
    fields = [*changed, "correction_note"] if note else changed
    await _audit(session, audit, "time_entry.updated", entry, by, fields)
    return entry


@dataclass(frozen=True)
class EntryDecision:
    state: ApprovalState
    note: str | None = None


async def decide_entry(
    session: AsyncSession,
    audit: AuditLog,
    tenant_id: UUID,
    entry_id: UUID,
    decision: EntryDecision,
    by: Acting,
) -> TimeEntry:
    """Approve or reject; a later decision replaces an earlier one (both are audited)."""
    state, note, now, by_user = decision.state, decision.note, clock.now(), by.user_id
    if state is ApprovalState.PENDING:
        raise InvalidInput.on_field("state", "a decision is 'approved' or 'rejected'")
    entry = await _entry_for_change(session, tenant_id, entry_id, by_user)
    await ensure_open(session, tenant_id, [entry.started_at])
    if state is ApprovalState.APPROVED:
        employee = await get_employee(session, tenant_id, entry.employee_id)
        await _no_overlap(session, employee, entry.started_at, entry.ended_at, entry.id)
    entry.approval_state = state
    entry.decided_by = by_user
    entry.decided_at = now
    entry.decision_note = note
    entry.updated_at = now
    await session.flush()
    await session.refresh(entry)
    await _audit(session, audit, f"time_entry.{state}", entry, by)
    return entry
