"""SQL that puts a table under row-level security; used by migrations only.

Policies follow docs/architecture.md, "Known pitfalls": the tenant comes from the transaction-local
``app.tenant_id`` setting, read through a sub-select so it is evaluated once per
query, with ``NULLIF`` because a connection that ever set it returns ``''``.
"""

from __future__ import annotations

import enum

CURRENT_TENANT = "(SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid)"
CURRENT_SCOPE = "(SELECT current_setting('app.scope', true))"

# The processor's own audit chain lives under the nil tenant id (platform scope only).
PLATFORM_CHAIN_ID = "00000000-0000-0000-0000-000000000000"


class PlatformAccess(enum.Enum):
    NONE = "none"  # personal data: never across tenants
    READ = "read"  # processor metadata the platform may list
    WRITE = "write"  # processor metadata the platform also changes


def tenant_isolation(
    table: str,
    *,
    tenant_column: str = "tenant_id",
    platform: PlatformAccess = PlatformAccess.NONE,
) -> list[str]:
    predicate = f"{tenant_column} = {CURRENT_TENANT}"
    statements = [
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY",
        f"CREATE POLICY tenant_isolation ON {table} USING ({predicate}) WITH CHECK ({predicate})",
    ]
    return statements + platform_policy(table, platform)


def platform_policy(table: str, access: PlatformAccess) -> list[str]:
    is_platform = f"{CURRENT_SCOPE} = 'platform'"
    if access is PlatformAccess.READ:
        return [f"CREATE POLICY platform_read ON {table} FOR SELECT USING ({is_platform})"]
    if access is PlatformAccess.WRITE:
        return [
            f"CREATE POLICY platform_write ON {table} "
            f"USING ({is_platform}) WITH CHECK ({is_platform})"
        ]
    return []


def scope_policy(table: str, name: str, scopes: tuple[str, ...], command: str = "ALL") -> str:
    """A policy granting whole-table access to sessions in the given scopes."""
    allowed = ", ".join(f"'{s}'" for s in scopes)
    check = f"{CURRENT_SCOPE} IN ({allowed})"
    if command == "INSERT":
        return f"CREATE POLICY {name} ON {table} FOR INSERT WITH CHECK ({check})"
    with_check = "" if command in ("SELECT", "DELETE") else f" WITH CHECK ({check})"
    return f"CREATE POLICY {name} ON {table} FOR {command} USING ({check}){with_check}"


def grant_to_app(
    table: str, app_role: str, privileges: str = "SELECT, INSERT, UPDATE, DELETE"
) -> str:
    return f"GRANT {privileges} ON {table} TO {app_role}"
