"""Certify and conclude: the signed deletion certificate, then the final status."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from timeward import clock
from timeward.acting import SYSTEM
from timeward.db.base import new_id
from timeward.identity.models import Tenant, TenantStatus
from timeward.instructions.certificate import CERTIFICATE_TYPE, sign
from timeward.instructions.executor.job import (
    Job,
    Outcome,
    Phase,
    RunResult,
    Stop,
    describe_holds,
    is_withheld,
    log,
    set_tenant_status,
    status_transaction,
)
from timeward.instructions.executor.notices import announce_outcome
from timeward.instructions.holds import holds_in_force
from timeward.instructions.models import DataExport, DeletionCertificate, InstructionProgress
from timeward.instructions.records import change_status
from timeward.instructions.states import Kind, Status
from timeward.webhooks.events import emit


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value else None


async def certify(job: Job) -> RunResult | None:
    holds = await holds_in_force(job.database, job.tenant_id)
    async with job.step() as (session, instruction):
        if instruction.phase != Phase.CERTIFY:
            return None
        rows = list(
            (
                await session.scalars(
                    select(InstructionProgress)
                    .where(
                        InstructionProgress.tenant_id == job.tenant_id,
                        InstructionProgress.instruction_id == job.instruction_id,
                    )
                    .order_by(InstructionProgress.position, InstructionProgress.table_name)
                )
            ).all()
        )
        tenant = await session.get(Tenant, job.tenant_id)
        assert tenant is not None
        export = (
            await session.get(DataExport, (job.tenant_id, instruction.export_id))
            if instruction.export_id
            else None
        )
        held = any(r.held for r in rows)
        kept_by = job.in_scope(holds) if held else ()
        withheld = any(not h.disclosed for h in kept_by)
        now = clock.now()
        certificate_id = new_id()
        payload: dict[str, Any] = {
            "type": CERTIFICATE_TYPE,
            "id": str(certificate_id),
            "issuer": job.ctx.settings.issuer,
            "issued_at": now.isoformat(),
            "tenant": {"id": str(tenant.id), "slug": tenant.slug, "name": tenant.name},
            "instruction": {
                "id": str(instruction.id),
                "kind": instruction.kind,
                "received_at": _iso(instruction.received_at),
                "due_on": instruction.due_on.isoformat(),
                "requested_by": str(instruction.requested_by),
                "requested_by_role": instruction.requested_by_role,
                "subject_request_id": (
                    str(instruction.subject_request_id) if instruction.subject_request_id else None
                ),
            },
            "scope": {
                "kind": "subject" if job.kind == Kind.DELETE_SUBJECT else "tenant",
                "subject_id": str(job.subject_id) if job.subject_id else None,
                "subject_user_id": str(job.subject_user_id) if job.subject_user_id else None,
            },
            "outcome": str(Status.PARTIALLY_COMPLETED if held else Status.COMPLETED),
            "tables": [
                {
                    "table": r.table_name,
                    "removed": r.removed,
                    "anonymised": r.anonymised,
                    "retained": r.retained,
                    "exported": r.exported,
                    "basis": r.basis,
                    "legal_hold": r.held,
                }
                for r in rows
            ],
            "legal_holds": [
                {"id": str(h.id), "reference": h.reference, "basis": h.basis} for h in kept_by
            ],
            "export": (
                {"id": str(export.id), "sha256": export.sha256, "bytes": export.size_bytes}
                if export
                else None
            ),
            "data_key": _iso(instruction.data_key_destroyed_at),
            "execution": {
                "started_at": _iso(instruction.started_at),
                "finished_at": now.isoformat(),
                "job_ids": list(instruction.job_ids),
            },
        }
        kid, token, signed = await sign(job.ctx.keys, payload)
        session.add(
            DeletionCertificate(
                tenant_id=job.tenant_id,
                id=certificate_id,
                instruction_id=job.instruction_id,
                issued_at=now,
                kid=kid,
                payload=signed,
                jws=token,
                client_visible=not withheld,
            )
        )
        instruction.certificate_id = certificate_id
        instruction.withheld = withheld
        if not withheld:
            data = {"instruction_id": instruction.id, "certificate_id": certificate_id}
            event = {**data, "kind": instruction.kind, "issued_at": now}
            await emit(session, job.tenant_id, "instruction.certificate_issued", event)
        instruction.phase = Phase.CONCLUDE  # in this transaction: one certificate per run
    return None


async def conclude(job: Job) -> RunResult | None:
    holds = await holds_in_force(job.database, job.tenant_id)
    disclosed = not await is_withheld(job.database, job.tenant_id, job.instruction_id)
    async with status_transaction(
        job.database, job.tenant_id, job.instruction_id, disclosed=disclosed
    ) as (
        session,
        instruction,
    ):
        if instruction is None or instruction.status != Status.IN_PROCESSING:
            raise Stop()
        held = bool(
            await session.scalar(
                select(InstructionProgress.table_name)
                .where(
                    InstructionProgress.tenant_id == job.tenant_id,
                    InstructionProgress.instruction_id == job.instruction_id,
                    InstructionProgress.held.is_(True),
                )
                .limit(1)
            )
        )
        if held:
            reason = "data retained under legal hold: " + (
                describe_holds(h for h in job.in_scope(holds) if h.disclosed)
                if disclosed
                else "a legal obligation"
            )
            target = Status.PARTIALLY_COMPLETED
        else:
            reason, target = None, Status.COMPLETED
        instruction.phase = Phase.DONE
        await change_status(
            session, job.ctx.audit, instruction, target, SYSTEM, reason, disclosed=disclosed
        )
        if disclosed:
            await announce_outcome(session, job.ctx, instruction)
    if job.kind == Kind.OFFBOARD_TENANT and target == Status.COMPLETED:
        await set_tenant_status(job.database, job.tenant_id, TenantStatus.DELETED)
    log.info("instruction.concluded", instruction_id=str(job.instruction_id), status=str(target))
    return RunResult(Outcome.FINISHED)
