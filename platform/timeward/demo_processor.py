"""The processor's side of the demo, so the staff console is worth opening: a second
client tenant with its client admin, instructions from both tenants in different states
(due at different dates, so the queue shows each escalation), and one breach that
concerns both. Seeded once, after the demo tenant (``timeward.demo``).

The instructions are written as rows with their history, like the demo's workforce:
paused ones stay where they are (the worker picks up neither paused nor failed ones), so
the queue keeps its shape until staff act on it from the console. The delete-subject
instruction names a subject id that holds no data, so resuming it erases nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

import structlog
from sqlalchemy import select

from timeward.acting import SYSTEM
from timeward.breaches import service as breaches
from timeward.db.base import new_id
from timeward.db.session import Database, Scope
from timeward.deadlines import instruction_due
from timeward.identity.models import Membership, Tenant, TenantRole
from timeward.identity.service import NewTenant, add_member, create_tenant, tenant_by_slug
from timeward.instructions.due import tenant_calendar
from timeward.instructions.models import Instruction, InstructionEvent
from timeward.instructions.states import Kind, Status

log = structlog.get_logger(__name__)

SECOND_SLUG = "demo-north"
SECOND_ADMIN = "admin@north.demo.timeward.test"
PAUSED = "demo: paused by staff so the demo keeps its shape"
# (tenant: 0 the demo tenant, 1 the second; kind; status; days since receipt; reason; error)
DEMO_INSTRUCTIONS = (
    (0, Kind.RETURN_DATA, Status.PAUSED, 50, PAUSED, None),
    (1, Kind.DELETE_SUBJECT, Status.PAUSED, 40, PAUSED, None),
    (1, Kind.RETURN_DATA, Status.FAILED, 12, "delivery failed: the mail server refused it",
     "SMTPRecipientsRefused"),
    (0, Kind.RETURN_DATA, Status.PAUSED, 2, PAUSED, None),
)  # fmt: skip


async def seed_processor_demo(
    database: Database, password: str, demo_tenant_id: UUID, now: datetime
) -> None:
    """The second tenant, the instructions and the breach, unless already there."""
    if await tenant_by_slug(database, SECOND_SLUG) is not None:
        log.debug("demo.processor_already_seeded")
        return
    second_id = await create_tenant(
        database, NewTenant(slug=SECOND_SLUG, name="Demo Logistics AG", country="DE",
                            subdivision="HH")
    )  # fmt: skip
    await add_member(database, second_id, SECOND_ADMIN, password, TenantRole.CLIENT_ADMIN)
    tenants = (demo_tenant_id, second_id)
    for index, kind, status, days, reason, error in DEMO_INSTRUCTIONS:
        await _instruction(database, tenants[index], kind, status, now - timedelta(days=days),
                           reason, error)  # fmt: skip
    report = breaches.BreachReport(
        title="Misrouted backup copy",
        discovered_at=now - timedelta(days=2),
        description="A backup copy was written to a storage bucket of the wrong account.",
        data_categories=("names", "work e-mail addresses", "working hours"),
        subject_categories=("employees",),
        measures_taken="The copy was deleted and the bucket's access keys were rotated.",
        affected=breaches.Affected(False, tenants, ()),
        approx_subjects=12,
        approx_records=480,
    )
    async with database.transaction(Scope.PLATFORM) as session:
        await breaches.record(session, report, SYSTEM, "privacy@timeward.test")
    log.debug("demo.processor_seeded", tenant_id=str(second_id))


async def _instruction(
    database: Database,
    tenant_id: UUID,
    kind: Kind,
    status: Status,
    received_at: datetime,
    reason: str,
    error: str | None,
) -> None:
    async with database.transaction(Scope.TENANT, tenant_id) as session:
        tenant = await session.get(Tenant, tenant_id)
        assert tenant is not None
        admin = await session.scalar(
            select(Membership.user_id).where(
                Membership.tenant_id == tenant_id, Membership.role == TenantRole.CLIENT_ADMIN
            )
        )
        assert admin is not None
        instruction = Instruction(
            tenant_id=tenant_id,
            id=new_id(),
            kind=kind,
            status=status,
            subject_id=new_id() if kind == Kind.DELETE_SUBJECT else None,
            requested_by=admin,
            requested_by_role=TenantRole.CLIENT_ADMIN,
            received_at=received_at,
            due_on=instruction_due(received_at, tenant_calendar(tenant)),
            status_reason=reason,
            last_error=error,
            attempts=5 if status == Status.FAILED else 0,
        )
        session.add(instruction)
        session.add_all(
            [
                InstructionEvent(tenant_id=tenant_id, instruction_id=instruction.id,
                                 at=received_at, to_status=Status.RECEIVED,
                                 actor_id=admin, actor_role=TenantRole.CLIENT_ADMIN),
                InstructionEvent(tenant_id=tenant_id, instruction_id=instruction.id,
                                 at=received_at + timedelta(hours=1), from_status=Status.RECEIVED,
                                 to_status=status, actor_id=None, actor_role="system",
                                 reason=reason),
            ]
        )  # fmt: skip
