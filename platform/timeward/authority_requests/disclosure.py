"""A disclosure to an authority: the subject export (``tenants.privacy_requests.export``,
the code an access request uses) cut to exactly the request's scope: its subjects, its
categories (data-map tables) and its period. Runs in the tenant's own session."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from timeward.authority_requests.models import AuthorityRequest
from timeward.crypto.data_keys import DataKeys

if TYPE_CHECKING:
    from tenants.privacy_requests.export import ExportFile

# The event time of a row, by column name; a table with none of these (the employee
# record, the login account) describes the person, not an event, and is given whole.
PERIOD_COLUMNS = ("at", "started_at", "occurred_at")
# Found by identifier rather than by key (``tenants.privacy_requests.export``).
IDENTIFIER_TABLES = ("audit_events", "outbound_emails", "users")


async def categories(session: AsyncSession) -> list[str]:
    """The categories a scope may name: every table the subject export reaches."""
    # The controller side imports the processor; importing it at module level would
    # make this package depend on it when the processing record imports the service.
    from tenants.privacy_requests.subject import load_data_map

    data_map = await load_data_map(session)
    return sorted({*data_map.linked_tables, *IDENTIFIER_TABLES})


def _day(value: Any) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value).astimezone(UTC).date()
    except ValueError:
        return None


def in_period(row: dict[str, Any], start: date | None, end: date | None) -> bool:
    column = next((c for c in PERIOD_COLUMNS if c in row), None)
    day = _day(row.get(column)) if column else None
    if day is None:
        return True
    return (start is None or day >= start) and (end is None or day <= end)


def _readme(request: AuthorityRequest, controller: str, counts: dict[str, int]) -> str:
    lines = [
        f"Disclosure to {request.authority}",
        "",
        f"Data of {controller} held by its processor in Timeward, disclosed under "
        f"{request.instrument} (reference {request.reference}).",
        "Scope: the subjects, categories and period of the request; nothing else.",
        "",
        "export.json: everything in one JSON document; csv/<table>.csv: one file per table.",
        "",
        "Tables:",
    ]
    lines += [f"  {name}: {count} row(s)" for name, count in sorted(counts.items())]
    return "\n".join(lines) + "\n"


async def build(
    session: AsyncSession,
    keys: DataKeys,
    request: AuthorityRequest,
    controller: str,
    generated_at: datetime,
) -> ExportFile:
    """The zip (content, sha256, rows per table) of exactly the scope."""
    from tenants.privacy_requests.export import (
        FORMAT,
        SCHEMA_VERSION,
        TableExport,
        archive,
        collect,
    )
    from tenants.privacy_requests.subject import load_data_map, resolve_subject

    data_map = await load_data_map(session)
    wanted = set(request.categories)
    merged: dict[str, TableExport] = {}
    seen: dict[str, set[str]] = {}
    for employee_id in request.subject_ids:
        subject = await resolve_subject(session, request.tenant_id, employee_id, None, None)
        for table in await collect(session, keys, subject, data_map=data_map):
            if table.name not in wanted:
                continue
            found = merged.setdefault(
                table.name, TableExport(table.name, table.label, table.columns, [])
            )
            keys_seen = seen.setdefault(table.name, set())
            for row in table.rows:
                key = repr(sorted(row.items()))
                if key not in keys_seen and in_period(row, request.period_from, request.period_to):
                    keys_seen.add(key)
                    found.rows.append(row)
    tables = [merged[name] for name in sorted(merged)]
    document = {
        "format": FORMAT,
        "schema_version": SCHEMA_VERSION,
        "generated_at": generated_at.isoformat(),
        "controller": {"name": controller, "tenant_id": str(request.tenant_id)},
        "disclosure": {
            "request_id": str(request.id),
            "authority": request.authority,
            "instrument": request.instrument,
            "reference": request.reference,
            "subjects": [str(s) for s in request.subject_ids],
            "categories": sorted(wanted),
            "period_from": request.period_from.isoformat() if request.period_from else None,
            "period_to": request.period_to.isoformat() if request.period_to else None,
        },
        "tables": {
            t.name: {"description": t.label, "columns": t.columns, "rows": t.rows} for t in tables
        },
    }
    counts = {t.name: len(t.rows) for t in tables}
    return archive(_readme(request, controller, counts), document, tables, generated_at)


async def unknown_in_scope(
    session: AsyncSession, tenant_id: UUID, subject_ids: list[UUID], named: list[str]
) -> tuple[list[str], list[str]]:
    """The subjects (employee ids) and categories of a scope the tenant does not have."""
    from sqlalchemy import select

    from tenants.employees.models import Employee

    found = set(
        (
            await session.scalars(
                select(Employee.id).where(
                    Employee.tenant_id == tenant_id, Employee.id.in_(subject_ids)
                )
            )
        ).all()
    )
    known = set(await categories(session))
    return [str(s) for s in subject_ids if s not in found], [c for c in named if c not in known]
