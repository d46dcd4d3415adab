"""Deleting: the plan per table, batched deletion under legal holds, the subject's erasure,
forgetting login identities, pseudonymising the audit log, and the final steps (data key)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from timeward import clock
from timeward.audit.service import pseudonymise_subject
from timeward.datamap.catalog import Catalog, Table, deletion_order, load_catalog, tenant_tables
from timeward.datamap.deletion import (
    RowCounts,
    batch_delete,
    count_rows,
    not_referenced,
    renamed_subject_filter,
    user_condition,
)
from timeward.datamap.subject import subject_paths, user_linked_tables
from timeward.db.session import Scope
from timeward.instructions.executor.job import (
    Job,
    Outcome,
    PermanentFailure,
    RunResult,
    describe_holds,
    ensure_progress,
    log,
    progress_row,
)
from timeward.instructions.finalisers import (
    DATA_KEY_FINALISER,
    finaliser_tables,
    offboarding_finalisers,
)
from timeward.instructions.holds import HeldSubject, exclusions, holds_in_force, resolve_subjects
from timeward.instructions.models import InstructionProgress
from timeward.instructions.states import Kind
from timeward.retention.policy import RetentionPolicy

OWN_TABLES = frozenset(
    {
        "instructions",
        "instruction_events",
        "instruction_progress",
        "legal_holds",
        "deletion_certificates",
        "data_exports",
        "audit_events",
        "audit_chain_heads",
    }
)
USERS_STEP = "users"
AUDIT_TABLE = "audit_events"


@dataclass(frozen=True)
class TableStep:
    table: str
    action: str  # "delete", "retain", "users"
    basis: str | None = None


def _check_policy(policy: RetentionPolicy) -> None:
    missing = OWN_TABLES - set(policy.instructions.retained_tables)
    if missing:
        raise PermanentFailure(
            f"policies/retention.toml must list {sorted(missing)} as retained tables"
        )


def plan(catalog: Catalog, job: Job) -> list[TableStep]:
    """What the delete phase does to each table, in an order that never breaks a key.

    A delete_subject instruction "erases" every table holding rows about the subject: the
    controller's erasure rules (policies/retention_bases.toml) applied to that subject
    (:func:`_erase_subject`), or, under a legal hold, the subject's rows counted as kept.
    """
    _check_policy(job.ctx.policy)
    retained = job.ctx.policy.instructions.retained_tables
    owned = finaliser_tables()
    order = deletion_order(tenant_tables(catalog))
    steps: list[TableStep] = []
    if job.kind == Kind.OFFBOARD_TENANT:
        for name in order:
            if name in retained:
                steps.append(TableStep(name, "retain", retained[name]))
            elif name not in owned:
                if name == "memberships":
                    steps.append(TableStep(USERS_STEP, "users"))
                steps.append(TableStep(name, "delete"))
        return steps
    paths = subject_paths(catalog) if job.subject_id else {}
    linked = user_linked_tables(catalog, exclude=set(paths)) if job.subject_user_id else []
    reached = (set(paths) | set(linked)) - set(retained) - owned
    return [TableStep(name, "erase") for name in order if name in reached]


@dataclass(frozen=True)
class Conditions:
    scope: list[str]  # the rows the instruction is about
    keep: list[str]  # rows that stay (legal holds, still referenced)
    params: dict[str, Any]


def _conditions(
    catalog: Catalog,
    table: Table,
    job: Job,
    held: list[HeldSubject],
) -> Conditions:
    params: dict[str, Any] = {"tenant_id": job.tenant_id, "batch": job.batch}
    paths = subject_paths(catalog)
    scope: list[str] = []
    keep: list[str] = []
    if job.kind == Kind.DELETE_SUBJECT:
        if table.name in paths and job.subject_id is not None:
            scope.append(renamed_subject_filter(paths[table.name], "s"))
            params["root_id_s"] = job.subject_id
        else:
            scope.append(user_condition("subject_user"))
            params["subject_user"] = job.subject_user_id
        keep.extend(not_referenced(catalog, table))
    else:
        held_keep, held_params = exclusions(catalog, table, held)
        keep.extend(held_keep)
        params.update(held_params)
    return Conditions(scope, keep, params)


async def _count(
    session: AsyncSession, table: Table, where: list[str], params: dict[str, Any]
) -> int:
    return int(await session.scalar(text(count_rows(table, where)), params) or 0)


async def delete_data(job: Job) -> RunResult | None:
    async with job.database.transaction(Scope.TENANT, job.tenant_id, read_only=True) as session:
        catalog = await load_catalog(session)
    steps = plan(catalog, job)
    if job.kind == Kind.DELETE_SUBJECT and not job.covering(
        await holds_in_force(job.database, job.tenant_id)
    ):
        return await _erase_subject(job, [s.table for s in steps])
    await _check_privileges(job, [s.table for s in steps if s.action == "delete"])
    await ensure_progress(job, [s.table for s in steps])
    for step in steps:
        async with job.step() as (session, _instruction):
            if (await progress_row(session, job, step.table)).done:
                continue
        if step.action == "retain":
            result = await _retain_table(job, catalog, step)
        elif step.action == "users":
            result = await _forget_users(job, catalog)
        else:  # "delete", or "erase" under a legal hold: the subject's rows counted as kept
            result = await _delete_table(job, catalog, catalog[step.table])
        if result is not None:
            return result
    return None


async def _erase_subject(job: Job, tables: list[str]) -> RunResult | None:
    """The subject's rows deleted or irreversibly anonymised by the controller's erasure
    rules, in one transaction that also records, per table, how many of THAT subject's
    rows were removed, anonymised or kept (and why); then the login identity is removed
    when no other employer uses it. Both parts are idempotent."""
    # instructions_link imports this package (through the instruction service): a top-level
    # import would cycle; the controller side is reached only when a subject is erased.
    from tenants.privacy_requests.instructions_link import erase_instruction_subject

    await ensure_progress(job, tables)
    async with job.step() as (session, instruction):
        if not all([(await progress_row(session, job, t)).done for t in tables]):
            outcomes = await erase_instruction_subject(
                session,
                job.tenant_id,
                job.subject_id,
                job.subject_user_id,
                keep_request=instruction.subject_request_id,
                audit_key=job.ctx.audit.key,
            )
            await _record_outcomes(session, job, tables, outcomes)
    if job.subject_user_id is not None:
        from tenants.privacy_requests.identity import remove_login_identity

        await remove_login_identity(job.database, job.subject_user_id, job.tenant_id)
    return None


async def _record_outcomes(
    session: AsyncSession, job: Job, tables: list[str], outcomes: list[RowCounts]
) -> None:
    extra = [o.table for o in outcomes if o.table not in tables]
    rows = [
        {
            "tenant_id": job.tenant_id,
            "instruction_id": job.instruction_id,
            "table_name": name,
            "position": len(tables) + n,
        }
        for n, name in enumerate(extra)
    ]
    if rows:
        await session.execute(insert(InstructionProgress).values(rows).on_conflict_do_nothing())
    for outcome in outcomes:
        progress = await progress_row(session, job, outcome.table)
        progress.removed, progress.anonymised = outcome.removed, outcome.anonymised
        progress.retained, progress.basis = outcome.retained, outcome.basis
    for name in [*tables, *extra]:
        (await progress_row(session, job, name)).done = True


async def _check_privileges(job: Job, tables: list[str]) -> None:
    """A table the application role may not delete from must be listed as retained (with its
    basis) in policies/retention.toml: say so at once rather than retrying."""
    async with job.database.transaction(Scope.TENANT, job.tenant_id, read_only=True) as session:
        refused = [
            table
            for table in tables
            if not await session.scalar(
                text("select has_table_privilege(current_user, :t, 'DELETE')"), {"t": table}
            )
        ]
    if refused:
        raise PermanentFailure(
            f"tables {refused} cannot be deleted by the application role and are not listed "
            "as retained in policies/retention.toml"
        )


async def _retain_table(job: Job, catalog: Catalog, step: TableStep) -> RunResult | None:
    async with job.step() as (session, _instruction):
        progress = await progress_row(session, job, step.table)
        table = catalog[step.table]
        progress.retained = await _count(session, table, [], {"tenant_id": job.tenant_id})
        progress.basis, progress.done = step.basis, True
    return None


async def _delete_table(job: Job, catalog: Catalog, table: Table) -> RunResult | None:
    while True:
        if job.out_of_time():
            return RunResult(Outcome.CONTINUE)
        holds = await holds_in_force(job.database, job.tenant_id)
        covering = job.covering(holds)
        async with job.step() as (session, _instruction):
            progress = await progress_row(session, job, table.name)
            held = (
                await resolve_subjects(session, catalog, job.tenant_id, holds)
                if job.kind == Kind.OFFBOARD_TENANT
                else []
            )
            where = _conditions(catalog, table, job, held)
            if covering:
                progress.retained = await _count(session, table, where.scope, where.params)
                progress.basis, progress.held, progress.done = describe_holds(covering), True, True
                return None
            result = await session.execute(
                text(batch_delete(table, where.scope + where.keep)), where.params
            )
            removed = int(result.rowcount)  # type: ignore[attr-defined]
            progress.removed += removed
            if removed < job.batch:
                if await _count(session, table, where.scope + where.keep, where.params):
                    continue  # rows changed under the batch (new ctid): take them next time
                remaining = await _count(session, table, where.scope, where.params)
                progress.retained, progress.done = remaining, True
                if remaining and held:
                    progress.basis, progress.held = describe_holds(holds.subjects), True
                elif remaining:
                    progress.basis = "still referenced by records outside this instruction's scope"
                return None


async def _forget_users(job: Job, catalog: Catalog) -> RunResult | None:
    """Login identities whose only tenant this is: user, refresh tokens, membership."""
    while True:
        if job.out_of_time():
            return RunResult(Outcome.CONTINUE)
        holds = await holds_in_force(job.database, job.tenant_id)
        async with job.step() as (session, _instruction):
            users = await progress_row(session, job, USERS_STEP)
            if job.covering(holds):
                users.basis, users.held, users.done = describe_holds(holds.tenant_wide), True, True
                return None
            keep = [
                u for _, u in await resolve_subjects(session, catalog, job.tenant_id, holds) if u
            ]
            keep += await _referenced_members(session, catalog, job.tenant_id)
            forgotten = int(
                await session.scalar(
                    text("select forget_tenant_only_users(:batch, CAST(:keep AS uuid[]))"),
                    {"batch": job.batch, "keep": keep},
                )
                or 0
            )
            users.removed += forgotten
            (await progress_row(session, job, "memberships")).removed += forgotten
            if forgotten < job.batch:
                users.done = True
                if keep:
                    users.basis = "accounts of people whose records are kept under a legal hold"
                return None


async def _referenced_members(
    session: AsyncSession, catalog: Catalog, tenant_id: UUID
) -> list[UUID]:
    """Members still referenced by rows that stay (held rows): their membership must stay."""
    members: set[UUID] = set()
    for table in catalog.values():
        for fk in table.foreign_keys:
            if fk.target != "memberships" or "user_id" not in fk.target_columns:
                continue
            column = fk.columns[fk.target_columns.index("user_id")]
            rows = await session.scalars(
                text(
                    f'SELECT DISTINCT "{column}" FROM "{table.name}" '
                    f'WHERE tenant_id = :t AND "{column}" IS NOT NULL'
                ),
                {"t": tenant_id},
            )
            members.update(rows.all())
    return sorted(members)


async def audit_identity(job: Job) -> RunResult | None:
    """The subject's identifiers in the audit log become a keyed pseudonym."""
    holds = await holds_in_force(job.database, job.tenant_id)
    await ensure_progress(job, [AUDIT_TABLE])
    async with job.step() as (session, _instruction):
        progress = await progress_row(session, job, AUDIT_TABLE)
        if progress.done:
            return None
        ids = [i for i in (job.subject_id, job.subject_user_id) if i is not None]
        covering = job.covering(holds)
        if covering:
            progress.retained = int(
                await session.scalar(
                    text(
                        "SELECT count(*) FROM audit_events WHERE tenant_id = :t AND "
                        "(actor_id = ANY(CAST(:ids AS uuid[])) "
                        "OR subject_id = ANY(CAST(:ids AS uuid[])))"
                    ),
                    {"t": job.tenant_id, "ids": ids},
                )
                or 0
            )
            progress.basis, progress.held, progress.done = describe_holds(covering), True, True
            return None
        changed = 0
        for subject in ids:
            changed += await pseudonymise_subject(
                session, job.ctx.audit.key, job.tenant_id, subject
            )
        progress.anonymised = changed
        progress.basis = (
            "events kept for accountability (GDPR Art. 5(2)); the subject's identifiers "
            "replaced by a keyed pseudonym, the hash chain still verifies"
        )
        progress.done = True
    return None


async def finalise(job: Job) -> RunResult | None:
    """Last of all: destroy the tenant's data key (unless a legal hold needs it)."""
    finalisers = offboarding_finalisers()
    names = [f.tables[0] if f.tables else f.name for f in finalisers]
    await ensure_progress(job, names)
    holds = await holds_in_force(job.database, job.tenant_id)
    for finaliser, name in zip(finalisers, names, strict=True):
        async with job.step() as (session, instruction):
            progress = await progress_row(session, job, name)
            if progress.done:
                continue
            if holds:
                progress.held, progress.done = True, True
                progress.basis = (
                    f"{finaliser.name} kept: data under legal hold is encrypted with it "
                    f"({describe_holds(holds.holds)})"
                )
                continue
            progress.removed = await finaliser.run(session, job.tenant_id)
            progress.basis = finaliser.description
            progress.done = True
            if finaliser.name == DATA_KEY_FINALISER:
                instruction.data_key_destroyed_at = clock.now()
            log.info("instruction.finalised", instruction_id=str(job.instruction_id), step=name)
    return None
