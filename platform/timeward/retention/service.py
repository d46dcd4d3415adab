"""Retention periods and the purge.

For each tenant, each category of ``policies/retention.toml`` whose table exists (with
its timestamp column) is purged of rows older than the tenant's period, in batches of
``purge_batch_rows`` — one tenant-scoped transaction per batch, every statement bound
to ``tenant_id = :tenant_id``. Rows under a legal hold are kept (a tenant-wide hold skips
the tenant), and so is any row still referenced by a row that stays. Audit events go as a
prefix of the hash chain through ``purge_audit_events`` (the chain still verifies). Each
tenant's counts are logged and recorded in ``retention_runs``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import UUID

import structlog
from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from timeward import clock
from timeward.acting import Acting
from timeward.audit.log import AuditEntry, AuditLog
from timeward.datamap.catalog import Catalog, load_catalog
from timeward.datamap.deletion import batch_delete, not_referenced, quote
from timeward.db.queries import fetch_page
from timeward.db.session import Database, Scope
from timeward.errors import InvalidInput, NotFound
from timeward.identity.models import Tenant, TenantStatus
from timeward.instructions.holds import exclusions, holds_in_force, resolve_subjects
from timeward.jobs.after_commit import start_after_commit
from timeward.paging import PageRequest
from timeward.retention.models import RetentionRun, RetentionSetting
from timeward.retention.policy import Category, RetentionPolicy, RetentionPolicyError

log = structlog.get_logger("timeward.retention")

AUDIT_TABLE = "audit_events"


@dataclass(frozen=True)
class Period:
    category: Category
    days: int
    overridden: bool


@dataclass
class PurgeReport:
    tenant_id: UUID
    counts: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return sum(self.counts.values())


async def periods(session: AsyncSession, tenant_id: UUID, policy: RetentionPolicy) -> list[Period]:
    """Every category with the tenant's period (its override, else the default)."""
    overrides = {
        row.category: row.days
        for row in (
            await session.scalars(
                select(RetentionSetting).where(RetentionSetting.tenant_id == tenant_id)
            )
        ).all()
    }
    return [
        Period(c, overrides.get(name, c.days) if c.configurable else c.days, name in overrides)
        for name, c in sorted(policy.categories.items())
    ]


async def period_page(
    session: AsyncSession, tenant_id: UUID, policy: RetentionPolicy, page: PageRequest
) -> list[Period]:
    """A page of :func:`periods` (the categories are a short list from the policy file)."""
    found = await periods(session, tenant_id, policy)
    return found[page.offset : page.offset + page.fetch]


async def set_period(
    session: AsyncSession,
    tenant_id: UUID,
    policy: RetentionPolicy,
    category: str,
    days: int,
    updated_by: Acting,
) -> Period:
    found = policy.categories.get(category)
    if found is None:
        raise NotFound("Retention category")
    try:
        found.check_days(days)
    except RetentionPolicyError as exc:
        raise InvalidInput(str(exc)) from exc
    await session.execute(
        insert(RetentionSetting)
        .values(tenant_id=tenant_id, category=category, days=days, updated_by=updated_by.user_id)
        .on_conflict_do_update(
            index_elements=["tenant_id", "category"],
            set_={"days": days, "updated_by": updated_by.user_id, "updated_at": clock.now()},
        )
    )
    return Period(found, days, True)


async def change_period(
    session: AsyncSession,
    audit: AuditLog,
    tenant_id: UUID,
    policy: RetentionPolicy,
    category: str,
    days: int,
    by: Acting,
) -> Period:
    """:func:`set_period`, audited on the tenant's chain (``retention.changed``): what the
    API route and the admin page both do."""
    period = await set_period(session, tenant_id, policy, category, days, by)
    details = {"category": category, "days": days}
    await audit.append(
        session, tenant_id, AuditEntry.by(by, "retention.changed", "retention", None, details)
    )
    # the employee notice states the periods (docs/accountability.md, "Notice versions")
    start_after_commit(session, "refresh_privacy_notice", str(tenant_id))
    return period


async def recent_runs(
    session: AsyncSession, tenant_id: UUID, page: PageRequest
) -> list[RetentionRun]:
    """Purge reports, newest first."""
    return await fetch_page(
        session,
        select(RetentionRun)
        .where(RetentionRun.tenant_id == tenant_id)
        .order_by(RetentionRun.started_at.desc(), RetentionRun.id),
        page,
    )


def _applicable(catalog: Catalog, category: Category) -> str | None:
    """Why a category cannot be purged in this database, or None."""
    table = catalog.get(category.table)
    if table is None:
        return "table not in the database"
    if not table.is_tenant_scoped:
        return "table is not tenant-scoped"
    if category.timestamp not in table.columns:
        return f"no column {category.timestamp}"
    return None


async def purge_tenant(
    database: Database,
    tenant_id: UUID,
    policy: RetentionPolicy,
    *,
    now: datetime | None = None,
    batch_rows: int | None = None,
    record: bool = True,
) -> PurgeReport:
    """Purge one tenant's expired rows of every applicable category."""
    started, timer = clock.now(), time.perf_counter()
    now = now or started
    batch = batch_rows or policy.instructions.purge_batch_rows
    report = PurgeReport(tenant_id)
    holds = await holds_in_force(database, tenant_id)
    async with database.transaction(Scope.TENANT, tenant_id, read_only=True) as session:
        catalog = await load_catalog(session)
        tenant_periods = await periods(session, tenant_id, policy)
        held = await resolve_subjects(session, catalog, tenant_id, holds)
    for period in tenant_periods:
        category = period.category
        reason = _applicable(catalog, category)
        if reason is None and holds.tenant_wide:
            reason = "legal hold on the tenant"
        if reason is None and category.table == AUDIT_TABLE and held:
            reason = "legal hold on a subject: the audit chain is kept whole"
        if reason is not None:
            report.skipped[category.name] = reason
            continue
        cutoff = now - timedelta(days=period.days)
        if category.table == AUDIT_TABLE:
            report.counts[category.name] = await _purge_audit(database, tenant_id, cutoff, batch)
            continue
        table = catalog[category.table]
        keep, params = exclusions(catalog, table, held)
        where = [f"t0.{quote(category.timestamp)} < :cutoff", *keep]
        if category.where:
            where.append(f"({category.where})")
        if not held:
            where.extend(not_referenced(catalog, table))
        statement = text(batch_delete(table, where))
        removed = 0
        while True:
            async with database.transaction(Scope.TENANT, tenant_id) as session:
                result = await session.execute(
                    statement, {"tenant_id": tenant_id, "cutoff": cutoff, "batch": batch, **params}
                )
            count = int(result.rowcount)  # type: ignore[attr-defined]
            removed += count
            if count < batch:
                break
        report.counts[category.name] = removed
    report.seconds = time.perf_counter() - timer
    if record:
        await _record(database, tenant_id, report, started)
    log.info(
        "retention.purged",
        tenant_id=str(tenant_id),
        counts=report.counts,
        skipped=report.skipped,
        seconds=round(report.seconds, 3),
    )
    return report


async def _purge_audit(database: Database, tenant_id: UUID, cutoff: datetime, batch: int) -> int:
    removed = 0
    while True:
        async with database.transaction(Scope.TENANT, tenant_id) as session:
            count = int(
                await session.scalar(
                    text("select purge_audit_events(:cutoff, :batch)"),
                    {"cutoff": cutoff, "batch": batch},
                )
                or 0
            )
        removed += count
        if count < batch:
            return removed


async def _record(
    database: Database, tenant_id: UUID, report: PurgeReport, started: datetime
) -> None:
    async with database.transaction(Scope.TENANT, tenant_id) as session:
        tenant = await session.get(Tenant, tenant_id)
        if tenant is None or tenant.status == TenantStatus.DELETED:
            return  # nothing is written back into an offboarded tenant
        session.add(
            RetentionRun(
                tenant_id=tenant_id,
                started_at=started,
                finished_at=clock.now(),
                counts=report.counts,
                skipped=report.skipped,
            )
        )


async def all_tenant_ids(database: Database) -> list[UUID]:
    """Every tenant, offboarded ones included (their returned data still expires)."""
    async with database.transaction(Scope.PLATFORM, read_only=True) as session:
        return list((await session.scalars(select(Tenant.id).order_by(Tenant.id))).all())


async def purge_all(database: Database, policy: RetentionPolicy) -> list[PurgeReport]:
    return [await purge_tenant(database, t, policy) for t in await all_tenant_ids(database)]
