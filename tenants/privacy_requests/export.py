"""The machine-readable copy of everything about a subject: one zip holding one JSON
document (with a schema version) and one CSV file per table.

Tables come from the catalog (:mod:`tenants.privacy_requests.subject`): a table added
later is exported without new code. Sealed values are opened for the subject, who has a
right to them: a clock event's coordinates are exported in clear, or as
``"unavailable"`` when the tenant's data key has been destroyed. Other binary columns are
described (size) rather than copied.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from tenants.locations.service import SEALED, SEALED_COLUMN
from tenants.privacy_requests.models import PrivacyRequest
from tenants.privacy_requests.retention import retention_policy
from tenants.privacy_requests.subject import (
    DataMap,
    SubjectRef,
    load_data_map,
    subject_emails,
    subject_rows,
)
from timeward.crypto.data_keys import DataKeys

SCHEMA_VERSION = "1"
FORMAT = "timeward.subject-export"
JSON_NAME = "export.json"
README_NAME = "README.txt"

Rows = list[dict[str, Any]]
NOT_EXPORTED = frozenset({SEALED_COLUMN, "password_hash"})


def _plain(value: Any) -> Any:
    """A JSON-ready value."""
    if isinstance(value, UUID | Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return f"binary data ({len(bytes(value))} bytes), not included"
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    return str(value)


@dataclass(frozen=True)
class TableExport:
    name: str
    label: str
    columns: list[str]
    rows: Rows


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    sha256: str
    tables: dict[str, int]  # rows per table


async def _identifier_tables(
    session: AsyncSession, subject: SubjectRef, emails: set[str]
) -> list[tuple[str, str, Rows]]:
    """Rows found by identifier rather than by key: the login account (never its password
    hash), audit events and e-mails sent."""
    ids = [i for i in (subject.employee_id, subject.user_id) if i is not None]
    account = await session.execute(  # visible in tenant scope while the membership exists
        text(
            "SELECT t0.id, t0.email, t0.status, t0.created_at FROM users t0 WHERE t0.id = :user_id"
        ),
        {"user_id": subject.user_id},
    )
    audit = await session.execute(
        text(
            "SELECT t0.* FROM audit_events t0 WHERE t0.tenant_id = :tenant_id "
            "AND (t0.subject_id = ANY(:ids) OR t0.actor_id = ANY(:ids)) ORDER BY t0.seq"
        ),
        {"tenant_id": subject.tenant_id, "ids": ids},
    )
    emails_sent = await session.execute(
        text(
            "SELECT t0.* FROM outbound_emails t0 WHERE t0.tenant_id = :tenant_id "
            "AND lower(t0.recipient) = ANY(:emails) ORDER BY t0.created_at"
        ),
        {"tenant_id": subject.tenant_id, "emails": sorted(emails)},
    )
    return [
        ("users", "your login account", [dict(r) for r in account.mappings()]),
        ("audit_events", "audit log entries about you", [dict(r) for r in audit.mappings()]),
        ("outbound_emails", "e-mails sent to you", [dict(r) for r in emails_sent.mappings()]),
    ]


async def collect(
    session: AsyncSession,
    keys: DataKeys,
    subject: SubjectRef,
    *,
    data_map: DataMap | None = None,
    extra_emails: tuple[str | None, ...] = (),
) -> list[TableExport]:
    """Every row about the subject, per table (linked tables first, then by identifier)."""
    data_map = data_map or await load_data_map(session)
    policy = retention_policy()
    found: list[tuple[str, str, Rows]] = []
    for table in data_map.linked_tables:
        rows = await subject_rows(session, data_map, subject, table)
        opener = SEALED.get(table)
        if opener is not None and rows:
            await opener(session, keys, subject.tenant_id, rows)
        found.append((table, policy.rule(table).label, rows))
    emails = await subject_emails(session, subject, extra_emails)
    found += await _identifier_tables(session, subject, emails)
    tables = []
    for name, label, rows in found:
        if rows:  # opened values have replaced sealed columns
            columns = list(rows[0])
        else:
            columns = [c for c in data_map.columns.get(name, {}) if c not in NOT_EXPORTED]
        tables.append(TableExport(name, label, columns, [_plain(r) for r in rows]))
    return tables


def _readme(request: PrivacyRequest, controller: str, tables: list[TableExport]) -> str:
    lines = [
        f"Your personal data held by {controller} in Timeward",
        "",
        f"{controller} is the controller of this data and prepared this copy in answer to",
        f"your request {request.id} ({request.request_type}).",
        "",
        f"{JSON_NAME}: everything in one JSON document (format {FORMAT}, schema version "
        f"{SCHEMA_VERSION}).",
        "csv/<table>.csv: the same rows, one CSV file per table (UTF-8, header row).",
        "",
        "Tables:",
    ]
    lines += [f"  {t.name}: {len(t.rows)} row(s) - {t.label}" for t in tables]
    lines += [
        "",
        "Locations of clock events are shown in clear when they are still stored; a location",
        "whose encryption key has been destroyed is shown as 'unavailable'.",
    ]
    return "\n".join(lines) + "\n"


def _csv(table: TableExport) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow([_cell(row.get(c)) for c in table.columns])
    return buffer.getvalue().encode("utf-8")


def package(
    request: PrivacyRequest,
    controller: str,
    subject: SubjectRef,
    tables: list[TableExport],
    generated_at: datetime,
) -> ExportFile:
    document = {
        "format": FORMAT,
        "schema_version": SCHEMA_VERSION,
        "generated_at": generated_at.isoformat(),
        "controller": {"name": controller, "tenant_id": str(request.tenant_id)},
        "request": {
            "id": str(request.id),
            "type": request.request_type,
            "received_at": request.received_at.isoformat(),
        },
        "subject": {
            "employee_id": _plain(subject.employee_id),
            "user_id": _plain(subject.user_id),
        },
        "tables": {
            t.name: {"description": t.label, "columns": t.columns, "rows": t.rows} for t in tables
        },
    }
    return archive(_readme(request, controller, tables), document, tables, generated_at)


def archive(
    readme: str, document: dict[str, Any], tables: list[TableExport], generated_at: datetime
) -> ExportFile:
    """The zip: the readme, the JSON document and one CSV file per table, with its digest.
    A subject export and a disclosure to an authority (``timeward.authority_requests``)
    are both written here."""
    buffer = io.BytesIO()
    stamp = generated_at.timetuple()[:6]
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zipped:

        def add(name: str, data: bytes) -> None:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            zipped.writestr(info, data)

        add(README_NAME, readme.encode("utf-8"))
        add(JSON_NAME, json.dumps(document, indent=2, ensure_ascii=False).encode("utf-8"))
        for table in tables:
            add(f"csv/{table.name}.csv", _csv(table))
    content = buffer.getvalue()
    return ExportFile(
        content, hashlib.sha256(content).hexdigest(), {t.name: len(t.rows) for t in tables}
    )
