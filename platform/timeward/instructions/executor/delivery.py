"""Returning the data: build the export, tell the client admins it is ready, wait until
that notice has left the outbox, and (offboarding) wait out the grace period."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

from sqlalchemy import delete, select, text

from timeward import clock
from timeward.acting import SYSTEM
from timeward.crypto.data_keys import DataKeys
from timeward.datamap.catalog import load_catalog, tenant_tables
from timeward.db.session import Scope
from timeward.identity.models import TenantStatus
from timeward.identity.service import client_admins
from timeward.instructions.executor.job import (
    Job,
    Outcome,
    PermanentFailure,
    RunResult,
    ensure_progress,
    log,
    progress_row,
    set_tenant_status,
)
from timeward.instructions.executor.notices import Notice, receipt_links, tell_client_admins
from timeward.instructions.export import Unsealing, build_export
from timeward.instructions.finalisers import finaliser_tables
from timeward.instructions.models import DataExport, DataExportPart, Instruction
from timeward.instructions.records import change_status
from timeward.instructions.states import Kind, Status
from timeward.mail.models import EmailStatus, OutboundEmail

DELIVERY_POLL_SECONDS = 10.0
DELIVERY_PATIENCE_SECONDS = 5.0
# Not the client's data but the processor's records of handling it (the client reads its
# instructions through the API, which hides what a legal hold keeps from it).
EXPORT_EXCLUDED = frozenset(
    {
        "data_exports",
        "data_export_parts",
        "audit_chain_heads",
        "instructions",
        "instruction_events",
        "instruction_progress",
        "legal_holds",
        "deletion_certificates",
        # The register of requests from authorities: one under a non-disclosure order must
        # not reach the client through its returned data (docs/accountability.md).
        "authority_requests",
    }
)

JOIN_PARTS = text(
    "UPDATE data_exports e SET content = (SELECT string_agg(p.data, ''::bytea ORDER BY p.part) "
    "FROM data_export_parts p WHERE p.tenant_id = e.tenant_id "
    "AND p.instruction_id = e.instruction_id) WHERE e.tenant_id = :tenant_id AND e.id = :export_id"
)


async def export_data(job: Job) -> RunResult | None:
    async with job.step() as (_session, instruction):
        if instruction.export_id is not None:
            return None
    # Parts a killed run left behind: this run writes the archive again from the start.
    await _discard_parts(job)

    async def store(part: int, data: bytes) -> None:
        async with job.database.transaction(Scope.TENANT, job.tenant_id) as session:
            session.add(
                DataExportPart(
                    tenant_id=job.tenant_id,
                    instruction_id=job.instruction_id,
                    part=part,
                    data=data,
                )
            )

    async with job.database.transaction(Scope.TENANT, job.tenant_id, read_only=True) as session:
        catalog = await load_catalog(session)
        excluded = EXPORT_EXCLUDED | finaliser_tables()
        tables = [t.name for t in tenant_tables(catalog) if t.name not in excluded]
        built = await build_export(
            session,
            catalog,
            job.tenant_id,
            tables,
            store,
            instruction_id=job.instruction_id,
            unsealing=_unsealing(job),
        )
    await ensure_progress(job, sorted(built.row_counts))
    async with job.step() as (session, instruction):
        if instruction.export_id is not None:
            return None
        now = clock.now()
        export = DataExport(
            tenant_id=job.tenant_id,
            instruction_id=job.instruction_id,
            created_at=now,
            expires_at=now + timedelta(days=job.ctx.policy.instructions.export_days),
            content=b"",
            sha256=built.sha256,
            size_bytes=built.size_bytes,
            row_counts=built.row_counts,
        )
        session.add(export)
        await session.flush()
        # The parts are joined inside PostgreSQL: the archive never passes through here whole.
        await session.execute(JOIN_PARTS, {"tenant_id": job.tenant_id, "export_id": export.id})
        await session.execute(
            delete(DataExportPart).where(
                DataExportPart.tenant_id == job.tenant_id,
                DataExportPart.instruction_id == job.instruction_id,
            )
        )
        instruction.export_id = export.id
        for table, count in built.row_counts.items():
            (await progress_row(session, job, table)).exported = count
    log.info(
        "instruction.exported",
        instruction_id=str(job.instruction_id),
        tables=len(built.row_counts),
        bytes=built.size_bytes,
    )
    return None


async def _discard_parts(job: Job) -> None:
    async with job.database.transaction(Scope.TENANT, job.tenant_id) as session:
        await session.execute(
            delete(DataExportPart).where(
                DataExportPart.tenant_id == job.tenant_id,
                DataExportPart.instruction_id == job.instruction_id,
            )
        )


def _unsealing(job: Job) -> Unsealing:
    """The controller side's openers of sealed columns (clock-event locations)."""
    # The controller side imports the processor; reaching back into it at import time
    # would make the processor package depend on it (and cycle).
    from tenants.locations.service import SEALED, SEALED_COLUMNS

    return Unsealing(DataKeys(job.ctx.master_key), SEALED, SEALED_COLUMNS)


async def deliver(job: Job) -> RunResult | None:
    links = receipt_links(job.ctx, job.instruction_id)
    async with job.step() as (session, instruction):
        if instruction.delivery_email_ids:
            return None
        admins = await client_admins(session, job.tenant_id)
        if not admins:
            raise PermanentFailure("no active client admin to deliver the returned data to")
        export = await session.get(DataExport, (job.tenant_id, instruction.export_id))
        assert export is not None
        expires = f"{export.expires_at:%Y-%m-%d %H:%M} UTC"
        offboarding = job.kind == Kind.OFFBOARD_TENANT
        title = "Your data is ready to download"
        body = (
            f"As you instructed ({job.kind}, instruction {job.instruction_id}), your data is "
            f"ready: a zip with one JSON and one CSV file per table "
            f"(SHA-256 {export.sha256}).\n\nDownload it until {expires}:\n{links['export']}\n\n"
            f"Status of the instruction: {links['status']}\n"
        )
        if offboarding:
            body += _offboarding_notice(instruction, links)
        instruction.delivery_email_ids = await tell_client_admins(
            session, job.tenant_id, admins, Notice("instruction.export_ready", title, body)
        )
    log.info("instruction.delivered", instruction_id=str(job.instruction_id), notices=len(admins))
    return None


def _offboarding_notice(instruction: Instruction, links: dict[str, str]) -> str:
    starts = instruction.deletion_starts_at or instruction.received_at
    return (
        f"\nDeletion starts at {starts:%Y-%m-%d %H:%M} UTC (the grace period). Until then "
        "your account stays open and a client admin can cancel the offboarding: "
        f"POST /api/v1/instructions/{instruction.id}/cancel with a reason. This download "
        "holds your data as of the instruction; ask for a return of data (return_data) if "
        "you need a newer copy before deletion starts. When the grace period ends, access "
        "closes, every record of your company is deleted and its data key destroyed; the "
        f"signed deletion certificate will then be at:\n{links['certificate']}\n"
    )


async def grace(job: Job) -> RunResult | None:
    """An offboarding deletes nothing before its grace period ends: until then it waits as
    ``scheduled`` (a client admin may cancel) and the reconciler picks it up again at
    ``deletion_starts_at``. Then the tenant's access closes and deletion starts."""
    now = clock.now()
    async with job.step() as (session, instruction):
        starts = instruction.deletion_starts_at
        if starts is not None and starts > now:
            reason = (
                f"grace period: deletion starts at {starts:%Y-%m-%d %H:%M} UTC "
                "unless a client admin cancels"
            )
            await change_status(
                session, job.ctx.audit, instruction, Status.SCHEDULED, SYSTEM, reason
            )
            instruction.not_before = starts
            log.info("instruction.grace_period", instruction_id=str(job.instruction_id))
            return RunResult(Outcome.NOTHING)
    await set_tenant_status(job.database, job.tenant_id, TenantStatus.OFFBOARDING)
    return None


async def await_delivery(job: Job) -> RunResult | None:
    """Deletion starts only once the notice that the data is ready has left the outbox.
    Mail is usually out within a second: poll briefly, then come back later."""
    patience = time.monotonic() + DELIVERY_PATIENCE_SECONDS
    while True:
        async with job.step() as (session, instruction):
            statuses = list(
                (
                    await session.scalars(
                        select(OutboundEmail.status).where(
                            OutboundEmail.tenant_id == job.tenant_id,
                            OutboundEmail.id.in_(instruction.delivery_email_ids),
                        )
                    )
                ).all()
            )
        if EmailStatus.PENDING not in statuses:
            break
        if time.monotonic() > min(patience, job.deadline):
            return RunResult(Outcome.WAIT, DELIVERY_POLL_SECONDS)
        await asyncio.sleep(0.2)
    if EmailStatus.SENT not in statuses:
        raise PermanentFailure("the notice that the returned data is ready could not be sent")
    return None
