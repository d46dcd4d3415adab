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

import asyncio
import base64
import csv
import gc
import hashlib
import io
import re
import tempfile
import zipfile
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from itertools import chain, repeat
from operator import methodcaller
from typing import IO, Any
from uuid import UUID

import msgspec
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from timeward import clock
from timeward.crypto.data_keys import DataKeys
from timeward.datamap.catalog import TENANT_COLUMN, Catalog
from timeward.datamap.deletion import quote
from timeward.instructions.export_text import SETTINGS, RowText, column_types, row_text

FORMAT = "timeward.tenant-export.v1"

Rows = list[dict[str, Any]]
# Stores one part of the zip: (number from 0, bytes).
StorePart = Callable[[int, bytes], Awaitable[None]]
BATCH_ROWS = 5_000
PART_BYTES = 4 * 1024 * 1024
# Deflate's fastest level: 2.5x the speed of the default (6) for 11 % more bytes on this
# data (docs/performance.md, "Exports, sweeps and pages").
COMPRESS_LEVEL = 1
# Opens a table's sealed columns in place: (session, keys, tenant id, rows).
Opener = Callable[[AsyncSession, DataKeys, UUID, Rows], Awaitable[None]]


@dataclass(frozen=True)
class Unsealing:
    keys: DataKeys
    openers: Mapping[str, Opener]
    # Per table: the columns its opener reads and, of those, the sealed ones it replaces
    # (with its opened columns, at the end of the row; it changes no other value). A table
    # listed here has its other columns formed by PostgreSQL (export_text); one not
    # listed is read whole.
    columns: Mapping[str, tuple[Sequence[str], Sequence[str]]] = field(default_factory=dict)


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


_NEEDS_QUOTES = re.compile('[,"\r\n]').search


def _csv_quoted(cell: str) -> str:
    """A cell as csv.writer writes it (excel dialect, minimal quoting)."""
    return '"' + cell.replace('"', '""') + '"' if _NEEDS_QUOTES(cell) else cell


def _csv_column(cells: list[str]) -> list[str]:
    """``_csv_quoted`` of every cell; one search when none needs quotes (the usual)."""
    return list(map(_csv_quoted, cells)) if _NEEDS_QUOTES("|".join(cells)) else cells


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


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """A batch allocates some ten objects a row, none in a cycle (refcounting frees them);
    the cycle collector would run every 700 allocations and walk the process's objects:
    70 % of the time of building 200,000 row dicts (docs/performance.md). Other tasks
    may run at the batch's two short awaits, without it too."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class _InThread:
    """At most one write at a time in a thread: deflate and sha256 release the GIL, so
    they overlap the next batch's work."""

    def __init__(self) -> None:
        self._pending: asyncio.Future[Any] | None = None

    def start(self, write: Callable[[bytes], Any], data: bytes) -> None:
        assert self._pending is None
        self._pending = asyncio.ensure_future(asyncio.to_thread(write, data))

    async def done(self) -> None:
        pending, self._pending = self._pending, None
        if pending is not None:
            await pending


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


def _texts(values: list[Any]) -> list[str]:
    """``_cell`` of every value of one column; a column of one plain type in one pass."""
    kinds = set(map(type, values))
    kinds.discard(type(None))
    if len(kinds) != 1:
        return [_cell(v) for v in values]
    (kind,) = kinds
    if issubclass(kind, bytes | bytearray | memoryview | dict | list):
        return [_cell(v) for v in values]
    convert = datetime.isoformat if issubclass(kind, datetime) else str
    if None in values:
        return ["" if v is None else convert(v) for v in values]
    return list(map(convert, values))


class _CsvSpool:
    """A table's CSV lines kept on disk until its JSON file is written (one entry of the
    zip is written at a time).

    An opened column gets one CSV column per field, in the order the fields first appear
    over all rows, so the header is known only after the last row. Each batch is written
    with the fields known so far and remembered as a segment; at the end a segment with
    the final fields is copied as it is, an earlier one (fields only ever get added, at the
    end of their column) is padded with empty cells."""

    def __init__(self, columns: list[str], opened: set[str]) -> None:
        self.columns = columns
        self.opened = [c for c in columns if c in opened]
        self.fields: dict[str, dict[str, None]] = {c: {} for c in self.opened}
        self._file = tempfile.TemporaryFile()  # noqa: SIM115 (closed by close())
        self._segments: list[tuple[int, dict[str, tuple[str, ...]]]] = []

    def _layout(self) -> dict[str, tuple[str, ...]]:
        return {c: tuple(self.fields[c]) for c in self.opened}

    def _cells(self, rows: Rows, column: str) -> list[list[str]]:
        """The cells of one column: one list per CSV column it is spread over."""
        values = list(map(methodcaller("get", column), rows))
        if column not in self.fields:
            return [_texts(values)]
        seen = self.fields[column]
        seen.update(dict.fromkeys(chain.from_iterable(filter(None, values))))
        opened = [v or {} for v in values]
        return [_texts(list(map(methodcaller("get", k), opened))) for k in seen]

    def add(self, rows: Rows) -> None:
        cells = [cell for c in self.columns for cell in self._cells(rows, c)]
        buffer = io.StringIO()
        csv.writer(buffer).writerows(zip(*cells, strict=True))
        self.add_lines(buffer.getvalue().encode())

    def add_formed(self, lines: list[bytes], rows: Rows) -> None:
        """Lines whose first columns PostgreSQL formed (``lines``, without their ends),
        completed with the opened columns of ``rows`` (the columns at the end)."""
        if not self.opened:
            self.add_lines(b"\r\n".join(lines) + b"\r\n")
            return
        cells = [_csv_column(cell) for c in self.opened for cell in self._cells(rows, c)]
        tails = [",".join(row).encode() for row in zip(*cells, strict=True)]
        self.add_lines(b"\r\n".join(map(b",".join, zip(lines, tails, strict=True))) + b"\r\n")

    def add_lines(self, data: bytes) -> None:
        self._file.write(data)
        self._segments.append((len(data), self._layout()))

    def _header(self, layout: dict[str, tuple[str, ...]]) -> list[str]:
        return [
            f"{c}.{k}" if c in layout else c for c in self.columns for k in layout.get(c, ("",))
        ]

    async def write_to(self, out: IO[bytes], drain: Callable[[], Awaitable[None]]) -> None:
        """Header and rows as CSV (UTF-8); ``drain`` is awaited after every segment."""
        final = self._layout()
        header = self._header(final)
        buffer = io.StringIO()
        csv.writer(buffer).writerow(header)
        out.write(buffer.getvalue().encode())
        self._file.seek(0)
        deflating = _InThread()  # the next segment is read while this one is deflated
        try:
            for size, layout in self._segments:
                data = self._file.read(size)
                if layout != final:
                    data = self._padded(data, layout, header)
                await deflating.done()
                await drain()
                deflating.start(out.write, data)
        finally:
            await deflating.done()
        await drain()

    def _padded(self, data: bytes, layout: dict[str, tuple[str, ...]], header: list[str]) -> bytes:
        position = {name: i for i, name in enumerate(self._header(layout))}
        source = [position.get(name) for name in header]
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        for row in csv.reader(io.StringIO(data.decode(), newline="")):
            writer.writerow(["" if i is None else row[i] for i in source])
        return buffer.getvalue().encode()

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
    archive = zipfile.ZipFile(
        writer.parts, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL
    )
    with archive:
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
    primary_key = catalog[table].primary_key
    opener = unsealing.openers.get(table) if unsealing else None
    formed = await _row_text(session, table, primary_key, unsealing if opener else None)
    if formed is not None:
        return await _write_formed(session, archive, writer, tenant_id, table, formed, unsealing)
    order = ", ".join(quote(c) for c in primary_key) or "ctid"
    result = await session.stream(
        text(f"SELECT * FROM {quote(table)} WHERE {TENANT_COLUMN} = :tenant_id ORDER BY {order}"),
        {"tenant_id": tenant_id},
    )
    stored = list(result.keys())
    spool: _CsvSpool | None = None
    count = 0
    # The size is unknown until the last row: allow a table file past 4 GiB.
    with archive.open(f"{table}.json", "w", force_zip64=True) as json_file:
        json_file.write(b"[")
        async for batch in result.partitions(BATCH_ROWS):
            rows = [dict(zip(stored, row, strict=True)) for row in batch]
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
    await _write_csv(archive, writer, table, spool or _CsvSpool(stored, set()))
    return count


async def _write_csv(
    archive: zipfile.ZipFile, writer: _Writer, table: str, spool: _CsvSpool
) -> None:
    try:
        with archive.open(f"{table}.csv", "w", force_zip64=True) as csv_file:
            await spool.write_to(csv_file, writer.drain)
    finally:
        spool.close()
    await writer.drain()


async def _row_text(
    session: AsyncSession, table: str, order_by: Sequence[str], unsealing: Unsealing | None
) -> RowText | None:
    """The query forming the table's text in PostgreSQL, if every column allows it."""
    types = await column_types(session, table)
    if unsealing is None:
        return row_text(table, types, order_by)
    if table not in unsealing.columns:
        return None
    reads, replaces = unsealing.columns[table]
    return row_text(table, types, order_by, raw=reads, left_out=replaces)


def _opened_names(
    table: str, raw: list[str], row: dict[str, Any], replaces: Sequence[str]
) -> list[str]:
    """The columns the opener added (in its order), checking it replaced what it said."""
    opened = [k for k in row if k not in raw]
    if set(row) - set(opened) != set(raw) - set(replaces):
        raise RuntimeError(f"the opener of {table} did not replace just {replaces}")
    return opened


def _json_objects(objects: list[bytes], rows: Rows | None, opened: list[str]) -> bytes:
    """The batch's JSON objects joined by commas, each completed with its opened columns."""
    if not rows:
        return b"},".join(objects) + b"}"
    encode = msgspec.json.encode
    columns = []
    for name in opened:
        key = b"," + encode(name) + b":"
        values = map(methodcaller("get", name), rows)
        columns.append([key + encode(value, enc_hook=_enc_hook) for value in values])
    ends = repeat(b"}", len(rows))
    return b",".join(map(b"".join, zip(objects, *columns, ends, strict=True)))


async def _write_formed(
    session: AsyncSession,
    archive: zipfile.ZipFile,
    writer: _Writer,
    tenant_id: UUID,
    table: str,
    formed: RowText,
    unsealing: Unsealing | None,
) -> int:
    """``_write_table`` with the rows' text formed by PostgreSQL; only the raw columns
    (what an opener reads) become Python values."""
    opener = unsealing.openers.get(table) if unsealing else None
    replaces = unsealing.columns[table][1] if unsealing and opener else ()
    driver = (await (await session.connection()).get_raw_connection()).driver_connection
    assert driver is not None
    await driver.execute(SETTINGS)
    cursor = await driver.cursor(formed.sql, tenant_id)
    spool = _CsvSpool(formed.formed, set()) if opener is None else None
    opened: list[str] = []
    count = 0
    deflating = _InThread()
    # The next batch is fetched while this one is formatted and deflated: PostgreSQL
    # forms its text on another core (docs/performance.md, "Returned data").
    fetching: asyncio.Future[list[Any]] | None = None
    with archive.open(f"{table}.json", "w", force_zip64=True) as json_file:
        json_file.write(b"[")
        try:
            while batch := await (fetching or cursor.fetch(BATCH_ROWS)):
                rows: Rows | None = None
                with _no_cycle_collection():
                    if opener is not None and unsealing is not None:  # may read keys: no fetch
                        rows = [dict(zip(formed.raw, r[2:], strict=True)) for r in batch]
                        await opener(session, unsealing.keys, tenant_id, rows)
                        if spool is None:
                            opened = _opened_names(table, formed.raw, rows[0], replaces)
                            spool = _CsvSpool(formed.formed + opened, set(opened))
                    fetching = asyncio.ensure_future(cursor.fetch(BATCH_ROWS))
                    await asyncio.sleep(0)  # lets the fetch send its request
                    assert spool is not None
                    spool.add_formed([record[1] for record in batch], rows or [])
                    objects = _json_objects([record[0] for record in batch], rows, opened)
                await deflating.done()
                await writer.drain()
                deflating.start(json_file.write, (b"," if count else b"") + objects)
                count += len(batch)
        finally:  # the entry is closed, and the connection used, only when both are idle
            await deflating.done()
            if fetching is not None and not fetching.done():
                await asyncio.wait([fetching])
        json_file.write(b"]")
    await _write_csv(archive, writer, table, spool or _CsvSpool(formed.stored, set()))
    return count
