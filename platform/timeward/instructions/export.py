"""The tenant's data as a zip: ``manifest.json`` and, per table, ``<table>.json`` and
``<table>.csv`` — every tenant table the data map finds, so tables added later are in it.

Built in one tenant-scoped, repeatable-read transaction, so all tables come from one
snapshot. Stored in ``data_exports`` (tenant-scoped, never visible to platform scope)
until it expires.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import msgspec
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from timeward.datamap.catalog import TENANT_COLUMN, Catalog
from timeward.datamap.deletion import quote

FORMAT = "timeward.tenant-export.v1"


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


async def build_export(
    session: AsyncSession,
    catalog: Catalog,
    tenant_id: UUID,
    tables: Iterable[str],
    *,
    instruction_id: UUID | None = None,
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
            columns = list(result.keys())
            rows = [dict(row) for row in result.mappings().all()]
            counts[table] = len(rows)
            archive.writestr(f"{table}.json", msgspec.json.encode(rows, enc_hook=_enc_hook))
            text_buffer = io.StringIO()
            writer = csv.writer(text_buffer)
            writer.writerow(columns)
            for row in rows:
                writer.writerow([_cell(row[c]) for c in columns])
            archive.writestr(f"{table}.csv", text_buffer.getvalue())
        manifest = {
            "format": FORMAT,
            "tenant_id": str(tenant_id),
            "instruction_id": str(instruction_id) if instruction_id else None,
            "created_at": datetime.now(UTC).isoformat(),
            "tables": counts,
            "notes": "One JSON and one CSV file per table; binary values are base64.",
        }
        archive.writestr("manifest.json", msgspec.json.encode(manifest))
    content = buffer.getvalue()
    return BuiltExport(content, hashlib.sha256(content).hexdigest(), counts)
