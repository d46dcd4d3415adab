"""Rows whose text PostgreSQL forms (instructions/export_text.py) give the same files, byte
for byte, as rows formed in Python: a tenant with every value of every formed column
type (and sealed, unsealed and unopenable locations, fields appearing after the first
batch) is exported both ways and every file of the two zips compared."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID

import asyncpg
import msgspec
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tenants.locations.service import SEALED, SEALED_COLUMNS, Coordinates, location_aad
from tests.conftest import TenantFactory
from timeward.config import APP_ROLE_DEFAULT
from timeward.crypto.aead import seal
from timeward.crypto.data_keys import DataKeys
from timeward.datamap.catalog import load_catalog
from timeward.db.session import Database, Scope
from timeward.instructions import export
from timeward.instructions.export_text import RowText

MASTER_KEY = b"t" * 32
TEXTS = [
    None,
    "",
    "plain",
    "a,b",
    'say "hi"',
    "line\nbreak",
    "cr\rret",
    "crlf\r\n",
    " leading space ",
    "ünïcødé € 😀 \u2028\u2029",
    "back\\slash/ 'single'",
    "".join(map(chr, range(1, 32))) + "\x7f",
    '","',
]
TIMES = [
    None,
    "2026-01-02 03:04:05+00",
    "2026-01-02 03:04:05.000001+00",
    "2026-06-30 23:59:59.5+02",
    "1999-12-31 23:59:59.999999-11:30",
    "0099-01-01 00:00:00+00",
    "infinity",
    "-infinity",
]
DATES = [None, "2026-02-28", "0001-01-01", "9999-12-31", "infinity", "-infinity"]
INTEGERS = [None, 0, -1, 2_147_483_647, -2_147_483_648]
BIGINTS = [None, 0, -9_223_372_036_854_775_808, 9_223_372_036_854_775_807]
BYTES = [None, b"", b"\x00\xff", bytes(range(256))]
BOOLS = [None, True, False]
UUIDS = [None, UUID("00000000-0000-0000-0000-000000000000"), UUID(int=2**128 - 1)]
PROBE = """
create table export_probe (
    tenant_id uuid not null, n integer not null, t text, v varchar(40), i integer,
    b bigint, s smallint, bo boolean, ts timestamptz, d date, by bytea, u uuid,
    primary key (tenant_id, n)
);
create table export_probe_python (
    tenant_id uuid not null, n integer primary key, j jsonb, f double precision, a text[]
);
"""


def _pick(values: list[Any], n: int) -> Any:
    return values[n % len(values)]


@pytest.fixture
async def probe(owner: asyncpg.Pool) -> AsyncIterator[None]:
    async with owner.acquire() as conn:
        await conn.execute(PROBE)
        await conn.execute(
            f"grant select on export_probe, export_probe_python to {APP_ROLE_DEFAULT}"
        )
    try:
        yield
    finally:
        async with owner.acquire() as conn:
            await conn.execute("drop table export_probe, export_probe_python")


def _probe_row(tenant: UUID, n: int) -> tuple[Any, ...]:
    texts = _pick(TEXTS, n), _pick(TEXTS, n + 5)
    numbers = _pick(INTEGERS, n), _pick(BIGINTS, n), _pick(INTEGERS, n) and n
    moments = _pick(BOOLS, n), _pick(TIMES, n), _pick(DATES, n)
    return (tenant, n, *texts, *numbers, *moments, _pick(BYTES, n), _pick(UUIDS, n))


async def _seed(db: Database, owner: asyncpg.Pool, tenant: UUID) -> None:
    async with db.transaction(Scope.TENANT, tenant) as session:
        key = await DataKeys(MASTER_KEY).for_sealing(session, tenant)
    async with owner.acquire() as conn, conn.transaction():
        await conn.execute("select set_config('app.tenant_id', $1, true)", str(tenant))
        employee = await conn.fetchval(
            "insert into employees (tenant_id, id, name, work_email, status) values "
            "($1, gen_random_uuid(), 'Probe', 'probe@example.com', 'active') returning id",
            tenant,
        )
        events = []
        for n in range(40):
            event = UUID(int=n + 1)  # in key order: the sealed ones come after two batches
            sealed = None
            if n >= 6 and n % 3:
                point = Coordinates(52.5 + n / 1000, 13.4 - n / 7, 12.0 + n)
                sealed = seal(key.secret, msgspec.json.encode(point), location_aad(tenant, event))
            if n == 30:  # does not open: reported unavailable
                sealed = b"\x00" * 40
            status = "precise" if sealed else _pick(["not_collected", "geofence", "reduced"], n)
            mode = "precise" if sealed else "geofence"
            at, reduced = _pick(TIMES[1:], n), _pick(TIMES, n + 1)
            key_id = key.id if sealed else None
            kind, on_site = _pick(["in", "out"], n), _pick(BOOLS, n)
            location = (mode, status, on_site, None, sealed, key_id, reduced)
            events.append((tenant, event, employee, kind, at, *location))
        await conn.executemany(
            "insert into clock_events (tenant_id, id, employee_id, kind, at, location_mode, "
            "location_status, on_site, matched_site_id, location_sealed, location_key_id, "
            "location_reduced_at) values ($1, $2, $3, $4, $5::text::timestamptz, $6, $7, $8, "
            "$9, $10, $11, $12::text::timestamptz)",
            events,
        )
        await conn.executemany(
            "insert into export_probe values ($1, $2, $3, $4, $5, $6, $7, $8, "
            "$9::text::timestamptz, $10::text::date, $11, $12)",
            [_probe_row(tenant, n) for n in range(60)],
        )
        await conn.execute(
            "insert into export_probe_python values ($1, 1, '{\"b\": [1, 2.5]}', 0.1, "
            "'{a,\"b c\"}'), ($1, 2, null, null, null)",
            tenant,
        )


async def _files(db: Database, tenant: UUID, tables: list[str]) -> dict[str, bytes]:
    parts: list[bytes] = []

    async def store(part: int, data: bytes) -> None:
        parts.append(data)

    unsealing = export.Unsealing(DataKeys(MASTER_KEY), SEALED, SEALED_COLUMNS)
    async with db.transaction(Scope.TENANT, tenant, read_only=True) as session:
        catalog = await load_catalog(session)
        await export.build_export(session, catalog, tenant, tables, store, unsealing=unsealing)
    archive = zipfile.ZipFile(io.BytesIO(b"".join(parts)))
    return {name: archive.read(name) for name in archive.namelist() if name != "manifest.json"}


async def test_text_formed_in_postgresql_is_the_text_formed_in_python(
    db: Database,
    owner: asyncpg.Pool,
    make_tenant: TenantFactory,
    probe: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tenant = await make_tenant("export-text")
    await _seed(db, owner, tenant)
    tables = ["clock_events", "employees", "export_probe", "export_probe_python"]
    monkeypatch.setattr(export, "BATCH_ROWS", 7)
    in_postgresql: list[str] = []
    row_text = export._row_text

    async def recorded(session: AsyncSession, table: str, *rest: Any) -> RowText | None:
        if (query := await row_text(session, table, *rest)) is not None:
            in_postgresql.append(table)
        return query

    monkeypatch.setattr(export, "_row_text", recorded)
    formed = await _files(db, tenant, tables)
    assert in_postgresql == ["clock_events", "employees", "export_probe"]

    async def in_python(*_: object) -> None:
        return None

    monkeypatch.setattr(export, "_row_text", in_python)
    reference = await _files(db, tenant, tables)

    assert (
        sorted(formed)
        == sorted(reference)
        == sorted(f"{t}.{x}" for t in tables for x in ("json", "csv"))
    )
    for name, data in reference.items():
        assert formed[name] == data, name
    events = msgspec.json.decode(formed["clock_events.json"])
    assert len(events) == 40
    assert {e["location"]["status"] for e in events} >= {"precise", "unavailable"}
    assert b"location.latitude" in formed["clock_events.csv"]


@pytest.mark.parametrize("cell", [t for t in TEXTS if t is not None])
def test_an_opened_cell_is_quoted_as_csv_writer_quotes_it(cell: str) -> None:
    written = io.StringIO()
    csv.writer(written).writerow(["x", cell])
    assert written.getvalue() == "x," + export._csv_quoted(cell) + "\r\n"


def test_a_column_of_opened_cells_is_quoted_cell_by_cell() -> None:
    cells = [t for t in TEXTS if t is not None]
    assert export._csv_column(cells) == [export._csv_quoted(c) for c in cells]
    assert export._csv_column(["precise", "1.5"]) == ["precise", "1.5"]
