"""The tenant's data as a zip: ``manifest.json`` and, per table, ``<table>.json`` and
``<table>.csv`` — every tenant table the data map finds, so tables added later are in it.

Built in one tenant-scoped, repeatable-read transaction, so all tables come from one
snapshot. Stored in ``data_exports`` (tenant-scoped, never visible to platform scope)
until it expires.

Sealed columns are opened (the client is the controller of that data and must be able to
read it after the processor destroys its key): each table with a registered opener has
its rows opened in place, e.g. ``clock_events.location_sealed`` becomes ``location``
(status, latitude, longitude, accuracy in metres). In the CSV an opened value is spread
over one column per field (``location.latitude``...).
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import zipfile
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from timeward import clock
from timeward.crypto.data_keys import DataKeys
from timeward.datamap.catalog import TENANT_COLUMN, Catalog
from timeward.datamap.deletion import quote

FORMAT = "timeward.tenant-export.v1"

Rows = list[dict[str, Any]]
# Opens a table's sealed columns in place: (session, keys, tenant id, rows).
Opener = Callable[[AsyncSession, DataKeys, UUID, Rows], Awaitable[None]]


@dataclass(frozen=True)
class Unsealing:
    keys: DataKeys
    openers: Mapping[str, Opener]


@dataclass(frozen=True)
class BuiltExport:
    content: bytes
    sha256: str
    row_counts: dict[str, int]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode()
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict | list):
        return msgspec.json.encode(value).decode()
    return str(value)


def _enc_hook(value: Any) -> Any:
    if isinstance(value, memoryview):
        return bytes(value)
    return str(value)


def _csv(columns: list[str], rows: Rows, opened: set[str]) -> str:
    """One line per row; an opened value (a mapping) gets one column per field."""
    fields = {c: list(dict.fromkeys(k for r in rows for k in r.get(c) or {})) for c in opened}
    header = [f"{c}.{k}" if c in opened else c for c in columns for k in fields.get(c, [""])]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow(
            [
                _cell((row.get(c) or {}).get(k)) if c in opened else _cell(row.get(c))
                for c in columns
                for k in fields.get(c, [""])
            ]
        )
    return buffer.getvalue()


async def build_export(
    session: AsyncSession,
    catalog: Catalog,
    tenant_id: UUID,
    tables: Iterable[str],
    *,
    instruction_id: UUID | None = None,
    unsealing: Unsealing | None = None,
) -> BuiltExport:
    """Zip every listed table's rows of the tenant (the caller's tenant-scoped session)."""
    buffer = io.BytesIO()
    counts: dict[str, int] = {}
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for table in sorted(tables):
            order = ", ".join(quote(c) for c in catalog[table].primary_key) or "ctid"
            result = await session.execute(
                text(
                    f"SELECT * FROM {quote(table)} WHERE {TENANT_COLUMN} = :tenant_id "
                    f"ORDER BY {order}"
                ),
                {"tenant_id": tenant_id},
            )
            stored = list(result.keys())
            rows = [dict(row) for row in result.mappings().all()]
            counts[table] = len(rows)
            opener = unsealing.openers.get(table) if unsealing else None
            if opener is not None and unsealing is not None and rows:
                await opener(session, unsealing.keys, tenant_id, rows)
            columns = list(rows[0]) if rows else stored
            archive.writestr(f"{table}.json", msgspec.json.encode(rows, enc_hook=_enc_hook))
            archive.writestr(f"{table}.csv", _csv(columns, rows, set(columns) - set(stored)))
        manifest = {
            "format": FORMAT,
            "tenant_id": str(tenant_id),
            "instruction_id": str(instruction_id) if instruction_id else None,
            "created_at": clock.now().isoformat(),
            "tables": counts,
            "notes": (
                "One JSON and one CSV file per table; binary values are base64. Sealed values "
                "are opened: clock_events.location holds the coordinates (CSV: location.*)."
            ),
        }
        archive.writestr("manifest.json", msgspec.json.encode(manifest))
    content = buffer.getvalue()
    return BuiltExport(content, hashlib.sha256(content).hexdigest(), counts)
