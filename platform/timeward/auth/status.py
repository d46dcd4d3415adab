"""Is an identity still allowed to act? Checked at login, refresh and every request."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import text

from timeward.auth.account_cache import AccountCache
from timeward.db.session import Database

_ACTOR_ROLE = text("select actor_role(:user_id, :tenant_id)")


async def current_role(database: Database, user_id: UUID, tenant_id: UUID | None) -> str | None:
    """The role the user holds now in the tenant (or the platform), or None if none is valid.

    None when the user is disabled, the membership disabled or gone, or the tenant not
    active. One statement in autocommit: the ``actor_role`` database function applies
    the scope it needs (see migration 0002), so this costs a single round trip.
    """
    async with database.engine.connect() as connection:
        autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
        role = await autocommit.scalar(_ACTOR_ROLE, {"user_id": user_id, "tenant_id": tenant_id})
    return str(role) if role is not None else None


async def cached_role(
    cache: AccountCache, database: Database, user_id: UUID, tenant_id: UUID | None
) -> str | None:
    """:func:`current_role`, answered from the process's cache while it is listening.

    A disabled user, a removed membership or a changed role reaches every process
    through a notification (``timeward.auth.account_cache``), so a cached answer never
    outlives the change by more than the notification's trip.
    """
    role = cache.get(user_id, tenant_id)
    if role is not None:
        return role
    generation = cache.generation
    role = await current_role(database, user_id, tenant_id)
    if role is not None:
        cache.put(user_id, tenant_id, role, generation)
    return role
