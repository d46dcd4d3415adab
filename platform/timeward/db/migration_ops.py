"""Small helpers for migration scripts (run inside Alembic's context)."""

from __future__ import annotations

from collections.abc import Iterable

from alembic import context, op

from timeward.db.rls import PlatformAccess, grant_to_app, tenant_isolation


def app_role() -> str:
    return str(context.config.attributes["app_role"])


def execute_all(statements: Iterable[str]) -> None:
    for statement in statements:
        op.execute(statement)


def isolate_tenant_table(
    table: str,
    *,
    platform: PlatformAccess = PlatformAccess.NONE,
    privileges: str = "SELECT, INSERT, UPDATE, DELETE",
) -> None:
    """Force RLS on a tenant table and grant the application role what it needs."""
    execute_all(tenant_isolation(table, platform=platform))
    op.execute(grant_to_app(table, app_role(), privileges))
