"""Job sites of one tenant."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tenants.sites.models import JobSite
from timeward import clock
from timeward.acting import Acting
from timeward.audit.log import AuditEntry, AuditLog
from timeward.db.queries import fetch_page
from timeward.errors import Conflict, InvalidInput, NotFound
from timeward.paging import PageRequest

EDITABLE_FIELDS = frozenset(
    {"name", "address", "geofence_latitude", "geofence_longitude", "geofence_radius_m", "active"}
)


class Fence(Protocol):
    """A circle around a site, as a request gives it."""

    @property
    def latitude(self) -> float: ...
    @property
    def longitude(self) -> float: ...
    @property
    def radius_m(self) -> int: ...


def site_columns(values: dict[str, Any]) -> dict[str, Any]:
    """Flatten a ``geofence`` value into its three columns (null clears all three)."""
    if "geofence" in values:
        fence: Fence | None = values.pop("geofence")
        values["geofence_latitude"] = fence.latitude if fence else None
        values["geofence_longitude"] = fence.longitude if fence else None
        values["geofence_radius_m"] = fence.radius_m if fence else None
    return values


async def get_site(session: AsyncSession, tenant_id: UUID, site_id: UUID) -> JobSite:
    site = await session.scalar(
        select(JobSite).where(JobSite.tenant_id == tenant_id, JobSite.id == site_id)
    )
    if site is None:
        raise NotFound("Job site")
    return site


async def referenced_site(
    session: AsyncSession, tenant_id: UUID, site_id: UUID, field: str = "site_id"
) -> JobSite:
    """A site named in a request body: unknown (or another tenant's) is a 422 on that field."""
    site = await session.scalar(
        select(JobSite).where(JobSite.tenant_id == tenant_id, JobSite.id == site_id)
    )
    if site is None:
        raise InvalidInput.on_field(field, "unknown job site")
    if not site.active:
        raise InvalidInput.on_field(field, "this job site is archived")
    return site


async def list_sites(
    session: AsyncSession, tenant_id: UUID, page: PageRequest, active: bool | None
) -> list[JobSite]:
    statement = select(JobSite).where(JobSite.tenant_id == tenant_id)
    if active is not None:
        statement = statement.where(JobSite.active.is_(active))
    return await fetch_page(session, statement.order_by(JobSite.name, JobSite.id), page)


async def _name_free(
    session: AsyncSession, tenant_id: UUID, name: str, site_id: UUID | None
) -> None:
    taken = await session.scalar(
        select(JobSite.id).where(JobSite.tenant_id == tenant_id, JobSite.name == name)
    )
    if taken is not None and taken != site_id:
        raise Conflict("Another job site already has this name.")


async def create_site(session: AsyncSession, tenant_id: UUID, values: Mapping[str, Any]) -> JobSite:
    assert set(values) <= EDITABLE_FIELDS
    await _name_free(session, tenant_id, values["name"], None)
    site = JobSite(tenant_id=tenant_id, **values)
    session.add(site)
    await session.flush()
    await session.refresh(site)
    return site


async def update_site(
    session: AsyncSession, tenant_id: UUID, site_id: UUID, changes: Mapping[str, Any]
) -> tuple[JobSite, list[str]]:
    assert set(changes) <= EDITABLE_FIELDS
    site = await get_site(session, tenant_id, site_id)
    changed = [name for name, value in changes.items() if getattr(site, name) != value]
    if "name" in changed:
        await _name_free(session, tenant_id, changes["name"], site.id)
    for name in changed:
        setattr(site, name, changes[name])
    if changed:
        site.updated_at = clock.now()
        await session.flush()
    return site, sorted(changed)


async def add_site(
    session: AsyncSession, audit: AuditLog, tenant_id: UUID, values: dict[str, Any], by: Acting
) -> JobSite:
    """A new site from request values (a ``geofence`` flattened), audited."""
    site = await create_site(session, tenant_id, site_columns(values))
    entry = AuditEntry("site.created", by.user_id, by.role, "site", site.id)
    await audit.append(session, tenant_id, entry)
    return site


async def change_site(
    session: AsyncSession,
    audit: AuditLog,
    tenant_id: UUID,
    site_id: UUID,
    changes: dict[str, Any],
    by: Acting,
) -> JobSite:
    """Apply the given request values (a ``geofence`` flattened); audit the fields changed."""
    site, changed = await update_site(session, tenant_id, site_id, site_columns(changes))
    if changed:
        details = {"fields": changed}
        entry = AuditEntry("site.updated", by.user_id, by.role, "site", site.id, details=details)
        await audit.append(session, tenant_id, entry)
    return site
