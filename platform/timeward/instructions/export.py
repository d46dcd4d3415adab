"""The tenant's data as a zip: ``manifest.json`` and, per table, ``<table>.json`` and
``<table>.csv`` — every tenant table the data map finds, so tables added later are in it.

Built in one tenant-scoped, repeatable-read transaction, so all tables come from one
snapshot, and streamed: rows are read in batches and the zip leaves in parts as it grows
(``data_export_parts``, joined into ``data_exports.content`` when complete). Stored in
``data_exports`` (tenant-scoped, never visible to platform scope)
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
import tempfile
import zipfile
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any
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
# Stores one part of the zip: (number from 0, bytes).
StorePart = Callable[[int, bytes], Awaitable[None]]
BATCH_ROWS = 5_000
PART_BYTES = 4 * 1024 * 1024
# Opens a table's sealed columns in place: (session, keys, tenant id, rows).
Opener = Callable[[AsyncSession, DataKeys, UUID, Rows], Awaitable[None]]


@dataclass(frozen=True)
class Unsealing:
    keys: DataKeys
    openers: Mapping[str, Opener]


@dataclass(frozen=True)
class BuiltExport:
    sha256: str
    size_bytes: int
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


class _Parts(io.RawIOBase):
    """The zip's output: collects bytes and hands them out as parts of ``PART_BYTES``; the
    archive is written without seeking, so no part changes once handed out."""

    def __init__(self) -> None:
        super().__init__()
        self._buffer = bytearray()
        self.size = 0
        self.digest = hashlib.sha256()

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        view = memoryview(data).cast("B")
        self._buffer += view
        self.size += len(view)
        self.digest.update(view)
        return len(view)

    def take(self, *, everything: bool = False) -> Iterator[bytes]:
        while len(self._buffer) >= PART_BYTES or (everything and self._buffer):
            part = bytes(self._buffer[:PART_BYTES])
            del self._buffer[:PART_BYTES]
            yield part


class _Writer:
    """Numbers the parts and hands them to the caller's store."""

    def __init__(self, store: StorePart) -> None:
        self.parts = _Parts()
        self._store = store
        self._next = 0

    async def drain(self, *, everything: bool = False) -> None:
        for part in self.parts.take(everything=everything):
            await self._store(self._next, part)
            self._next += 1


class _CsvSpool:
    """A table's CSV rows kept on disk until the table's JSON file is written: the header
    of an opened column (one column per field) is known only after the last row."""

    def __init__(self, columns: list[str], opened: set[str]) -> None:
        self.columns = columns
        self.opened = opened
        self.fields: dict[str, dict[str, None]] = {c: {} for c in opened}
        self._file = tempfile.TemporaryFile()  # noqa: SIM115 (closed by close())
        self._encoder = msgspec.msgpack.Encoder()

    def add(self, rows: Rows) -> None:
        spooled = []
        for row in rows:
            cells: list[Any] = []
            for c in self.columns:
                if c in self.opened:
                    value = row.get(c) or {}
                    self.fields[c].update(dict.fromkeys(value))
                    cells.append({k: _cell(v) for k, v in value.items()})
                else:
                    cells.append(_cell(row.get(c)))
            spooled.append(cells)
        frame = self._encoder.encode(spooled)
        self._file.write(len(frame).to_bytes(8, "big") + frame)

    def write_to(self, out: IO[bytes]) -> None:
        """Header and rows as CSV (UTF-8), the same lines ``_csv`` writes for all rows."""
        fields = {c: list(self.fields[c]) for c in self.opened}
        text_out = io.TextIOWrapper(out, encoding="utf-8", newline="")
        writer = csv.writer(text_out)
        writer.writerow(
            [f"{c}.{k}" if c in fields else c for c in self.columns for k in fields.get(c, [""])]
        )
        self._file.seek(0)
        decoder = msgspec.msgpack.Decoder(list[list[Any]])
        while header := self._file.read(8):
            for cells in decoder.decode(self._file.read(int.from_bytes(header, "big"))):
                if fields:
                    cells = [
                        cell.get(k, "") if c in fields else cell
                        for c, cell in zip(self.columns, cells, strict=True)
                        for k in fields.get(c, [""])
                    ]
                writer.writerow(cells)
        text_out.detach()

    def close(self) -> None:
        self._file.close()


async def build_export(
    session: AsyncSession,
    catalog: Catalog,
    tenant_id: UUID,
    tables: Iterable[str],
    store: StorePart,
    *,
    instruction_id: UUID | None = None,
    unsealing: Unsealing | None = None,
) -> BuiltExport:
    """Zip every listed table's rows of the tenant (the caller's tenant-scoped session).

    Rows are read with a server-side cursor, ``BATCH_ROWS`` at a time; each table's JSON
    file is written as its rows arrive and its CSV from a spool on disk afterwards; the
    zip goes to ``store`` in parts as it grows. Memory stays flat whatever the size."""
    writer = _Writer(store)
    counts: dict[str, int] = {}
    with zipfile.ZipFile(writer.parts, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for table in sorted(tables):
            counts[table] = await _write_table(
                session, archive, writer, catalog, tenant_id, table, unsealing
            )
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
    await writer.drain(everything=True)
    return BuiltExport(writer.parts.digest.hexdigest(), writer.parts.size, counts)


async def _write_table(
    session: AsyncSession,
    archive: zipfile.ZipFile,
    writer: _Writer,
    catalog: Catalog,
    tenant_id: UUID,
    table: str,
    unsealing: Unsealing | None,
) -> int:
    order = ", ".join(quote(c) for c in catalog[table].primary_key) or "ctid"
    result = await session.stream(
        text(f"SELECT * FROM {quote(table)} WHERE {TENANT_COLUMN} = :tenant_id ORDER BY {order}"),
        {"tenant_id": tenant_id},
    )
    stored = list(result.keys())
    opener = unsealing.openers.get(table) if unsealing else None
    spool: _CsvSpool | None = None
    count = 0
    # The size is unknown until the last row: allow a table file past 4 GiB.
    with archive.open(f"{table}.json", "w", force_zip64=True) as json_file:
        json_file.write(b"[")
        async for batch in result.mappings().partitions(BATCH_ROWS):
            rows = [dict(row) for row in batch]
            if opener is not None and unsealing is not None:
                await opener(session, unsealing.keys, tenant_id, rows)
            if spool is None:
                columns = list(rows[0])
                spool = _CsvSpool(columns, set(columns) - set(stored))
            spool.add(rows)
            # A list encodes as "[" + items joined by "," + "]": batches join the same way.
            encoded = msgspec.json.encode(rows, enc_hook=_enc_hook)
            json_file.write((b"," if count else b"") + encoded[1:-1])
            count += len(rows)
            await writer.drain()
        json_file.write(b"]")
    spool = spool or _CsvSpool(stored, set())
    try:
        with archive.open(f"{table}.csv", "w", force_zip64=True) as csv_file:
            spool.write_to(csv_file)
    finally:
        spool.close()
    await writer.drain()
    return count
