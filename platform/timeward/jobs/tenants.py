"""Tenant iteration for periodic jobs: list ids in platform scope, then work per tenant.

Personal-data tables are never read in platform scope (RLS would show nothing
anyway); a periodic job opens one tenant-scoped transaction per tenant instead.
"""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import select

from timeward.db.session import Database, Scope
from timeward.identity.models import Tenant, TenantStatus


async def tenant_ids(database: Database) -> list[UUID]:
    """Every tenant not deleted, in a stable order."""
    async with database.transaction(Scope.PLATFORM) as session:
        query = select(Tenant.id).where(Tenant.status != TenantStatus.DELETED).order_by(Tenant.id)
        return list((await session.scalars(query)).all())
