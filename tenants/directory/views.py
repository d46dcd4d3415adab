"""Directory entries: names and titles from the employee rows, site names in one query."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tenants.directory.schemas import DirectoryEntry
from tenants.employees.models import Employee
from tenants.sites.models import JobSite


async def directory_entries(
    session: AsyncSession, tenant_id: UUID, employees: Sequence[Employee]
) -> list[DirectoryEntry]:
    site_ids = {e.site_id for e in employees if e.site_id is not None}
    names: dict[UUID, str] = {}
    if site_ids:
        rows = await session.execute(
            select(JobSite.id, JobSite.name).where(
                JobSite.tenant_id == tenant_id, JobSite.id.in_(site_ids)
            )
        )
        names = {row.id: row.name for row in rows}
    return [
        DirectoryEntry(e.name, e.job_title, names.get(e.site_id) if e.site_id else None)
        for e in employees
    ]
