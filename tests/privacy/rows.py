"""A subject's rows counted by hand, table by table, to check an erasure's report against.

The conditions are written out here rather than taken from the datamap the code under
test uses.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

import asyncpg

SUBJECT_ROWS = {
    "employees": "id = :employee",
    "clock_events": "employee_id = :employee",
    "time_entries": "employee_id = :employee",
    # A request names the person by their record, their login, or both.
    "privacy_requests": "subject_employee_id = :employee OR subject_user_id = :user",
    "privacy_request_events": (
        "request_id IN (SELECT id FROM privacy_requests"
        " WHERE subject_employee_id = :employee OR subject_user_id = :user)"
    ),
    "privacy_exports": (
        "request_id IN (SELECT id FROM privacy_requests"
        " WHERE subject_employee_id = :employee OR subject_user_id = :user)"
    ),
    "notifications": "user_id = :user",
    "memberships": "user_id = :user",
    "browser_sessions": "user_id = :user",
    "notice_responses": "user_id = :user",
}


async def subject_rows(
    owner: asyncpg.Pool, tenant_id: UUID, employee_id: UUID, user_id: UUID
) -> dict[str, int]:
    """The person's rows per table of the tenant (read as the owner, in the tenant)."""
    async with owner.acquire() as conn, conn.transaction():
        await conn.execute("select set_config('app.tenant_id', $1, true)", str(tenant_id))
        ids = {":employee": f"'{employee_id}'::uuid", ":user": f"'{user_id}'::uuid"}
        counts = {}
        for table, where in SUBJECT_ROWS.items():
            for name, value in ids.items():
                where = where.replace(name, value)
            counts[table] = await conn.fetchval(
                f"SELECT count(*) FROM {table} WHERE tenant_id = $1 AND ({where})", tenant_id
            )
        return counts


def assert_every_row_accounted(
    tables: Mapping[str, Mapping[str, Any]], expected: Mapping[str, int]
) -> None:
    """Each table's removed, anonymised and retained rows add up to the rows counted."""
    for table, rows in expected.items():
        row = tables[table]
        assert row["removed"] + row["anonymised"] + row["retained"] == rows, (table, row, rows)
