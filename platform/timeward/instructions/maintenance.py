"""Periodic work on instructions: the reconciler, escalation and staff alerts.

Instructions are processor metadata, so these read them in platform scope across tenants
(never a personal-data table).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import structlog
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from timeward import clock
from timeward.audit.log import PLATFORM_CHAIN, AuditEntry, AuditLog
from timeward.config import SmtpSettings
from timeward.db.session import Database, Scope
from timeward.deadlines import Escalation, instruction_escalation
from timeward.identity.models import PlatformStaff, Tenant, User, UserStatus
from timeward.instructions.due import tenant_calendar
from timeward.instructions.locks import live_jobs
from timeward.instructions.models import Instruction
from timeward.instructions.states import OPEN, RUNNABLE
from timeward.jobs.after_commit import enqueue_after_commit
from timeward.links import link
from timeward.mail import smtp

log = structlog.get_logger("timeward.instructions")

# Longer than a slice plus the time a healthy queue takes to deliver a message.
STRANDED_AFTER = timedelta(minutes=2)
REMIND_AFTER = timedelta(hours=24)

EnqueueActor = Any  # a dramatiq actor; typed loosely to keep this module import-light


async def reconcile(
    database: Database, actor: EnqueueActor, *, older_than: timedelta = STRANDED_AFTER
) -> list[UUID]:
    """Re-enqueue scheduled or in-processing instructions that no live job holds and that
    have not been enqueued for ``older_than`` (a lost message or a dead worker)."""
    now = clock.now()
    async with database.transaction(Scope.PLATFORM) as session:
        candidates = list(
            (
                await session.scalars(
                    select(Instruction)
                    .where(
                        Instruction.status.in_([str(s) for s in RUNNABLE]),
                        or_(Instruction.not_before.is_(None), Instruction.not_before <= now),
                        or_(
                            Instruction.enqueued_at.is_(None),
                            Instruction.enqueued_at < now - older_than,
                        ),
                    )
                    .order_by(Instruction.due_on)
                    .with_for_update(skip_locked=True)
                )
            ).all()
        )
        alive = await live_jobs(session, [i.id for i in candidates])
        stranded = [i for i in candidates if i.id not in alive]
        for instruction in stranded:
            instruction.enqueued_at = now
            enqueue_after_commit(session, actor, str(instruction.tenant_id), str(instruction.id))
    ids = [i.id for i in stranded]
    log.info("instruction.reconciled", re_enqueued=len(ids), running=len(alive))
    return ids


@dataclass(frozen=True)
class EscalationReport:
    nearing: list[UUID]
    overdue: list[UUID]


async def escalate(
    database: Database,
    audit: AuditLog,
    alert: EnqueueActor,
    *,
    now: datetime | None = None,
    threshold_business_days: int | None = None,
    remind_after: timedelta = REMIND_AFTER,
) -> EscalationReport:
    """Flag open instructions nearing their due date (at most ``threshold`` business days
    left; default from policies/deadlines.toml) or overdue, and alert platform staff once
    per level change and then once a day while it lasts."""
    now = now or clock.now()
    report = EscalationReport([], [])
    async with database.transaction(Scope.PLATFORM) as session:
        rows = await session.execute(
            select(Instruction, Tenant)
            .join(Tenant, Tenant.id == Instruction.tenant_id)
            .where(Instruction.status.in_([str(s) for s in OPEN]))
            .order_by(Instruction.due_on)
            .with_for_update(of=Instruction)
        )
        for instruction, tenant in rows.all():
            level = instruction_escalation(
                instruction.due_on,
                now,
                tenant_calendar(tenant),
                threshold_business_days=threshold_business_days,
            )
            if level == Escalation.OK:
                instruction.escalation = str(level)
                continue
            (report.overdue if level == Escalation.OVERDUE else report.nearing).append(
                instruction.id
            )
            stale = (
                instruction.escalated_at is None or instruction.escalated_at < now - remind_after
            )
            if instruction.escalation == level and not stale:
                continue
            instruction.escalation, instruction.escalated_at = str(level), now
            details = {
                "tenant_id": str(tenant.id),
                "level": str(level),
                "due_on": instruction.due_on.isoformat(),
            }
            await audit.append(
                session,
                PLATFORM_CHAIN,
                AuditEntry(
                    "instruction.escalated",
                    None,
                    "system",
                    "instruction",
                    instruction.id,
                    details=details,
                ),
            )
            enqueue_after_commit(session, alert, str(instruction.id), str(level))
    log.info("instruction.escalation", nearing=len(report.nearing), overdue=len(report.overdue))
    return report


async def staff_addresses(session: AsyncSession) -> list[str]:
    rows = await session.scalars(
        select(User.email)
        .join(PlatformStaff, PlatformStaff.user_id == User.id)
        .where(User.status == UserStatus.ACTIVE)
        .order_by(User.email)
    )
    return list(rows.all())


async def send_staff_alert(
    database: Database, settings: SmtpSettings, instruction_id: UUID, level: str
) -> int:
    """E-mail every platform staff member about one escalated instruction (metadata only)."""
    async with database.transaction(Scope.PLATFORM, read_only=True) as session:
        found = (
            await session.execute(
                select(Instruction, Tenant)
                .join(Tenant, Tenant.id == Instruction.tenant_id)
                .where(Instruction.id == instruction_id)
            )
        ).first()
        if found is None:
            return 0
        instruction, tenant = found
        recipients = await staff_addresses(session)
    subject = f"Instruction {level}: {instruction.kind} for {tenant.slug}, due {instruction.due_on}"
    body = (
        f"Instruction {instruction.id} ({instruction.kind}) of tenant {tenant.slug} "
        f"({tenant.id}) is {level}: due {instruction.due_on}, status {instruction.status}.\n"
        f"See the queue: {link('/api/v1/platform/instructions')}\n"
    )
    stamp = f"{instruction.id}:{level}:{clock.now():%Y-%m-%d}"
    return await mail_staff(settings, recipients, stamp, subject, body)


async def mail_staff(
    settings: SmtpSettings, recipients: list[str], stamp: str, subject: str, body: str
) -> int:
    """One e-mail to each staff address, its Message-ID derived from ``stamp`` (a retry
    sends the same message again, never a second one)."""
    for address in recipients:
        message_id = uuid.uuid5(uuid.NAMESPACE_URL, f"{stamp}:{address}")
        await smtp.send(settings, smtp.build_message(settings, message_id, address, subject, body))
    return len(recipients)
