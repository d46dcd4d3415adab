"""Returned data is streamed: read in batches, stored in parts joined inside PostgreSQL.
With one row per batch and parts of a few hundred bytes, the client still gets one valid
zip whose checksum is the one announced, with every row in JSON and CSV; parts a killed
run left behind never end up in it, and none remain afterwards."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from uuid import UUID

import asyncpg
import httpx
import pytest

from tests.accounts import Accounts
from tests.fixtures.jobs import Jobs
from tests.instructions.support import follow, instruct
from tests.instructions.test_returned_locations import _check_locations, _clock_a_shift
from timeward.instructions import export


async def _parts(owner: asyncpg.Pool, tenant_id: UUID) -> int:
    async with owner.acquire() as conn, conn.transaction():
        await conn.execute("select set_config('app.tenant_id', $1, true)", str(tenant_id))
        return int(await conn.fetchval("select count(*) from data_export_parts"))


async def test_tiny_batches_and_parts_make_one_complete_zip(
    client: httpx.AsyncClient,
    jobs: Jobs,
    acme: Accounts,
    owner: asyncpg.Pool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert acme.tenant_id
    monkeypatch.setattr(export, "BATCH_ROWS", 1)
    monkeypatch.setattr(export, "PART_BYTES", 300)
    await _clock_a_shift(client, acme)
    created = await instruct(client, acme, kind="return_data")
    instruction_id = UUID(created["instruction"]["id"])
    # what a worker killed in the middle of the export leaves behind
    async with owner.acquire() as conn, conn.transaction():
        await conn.execute("select set_config('app.tenant_id', $1, true)", str(acme.tenant_id))
        await conn.executemany(
            "insert into data_export_parts (tenant_id, instruction_id, part, data) "
            "values ($1, $2, $3, $4)",
            [(acme.tenant_id, instruction_id, n, b"stale part " * 40) for n in range(40)],
        )
    await jobs.drain(timeout_s=30)

    download = await follow(client, created["links"]["export"])
    assert download.status_code == 200, download.text
    assert download.headers["x-content-sha256"] == hashlib.sha256(download.content).hexdigest()
    assert b"stale part" not in download.content
    assert await _parts(owner, acme.tenant_id) == 0
    archive = zipfile.ZipFile(io.BytesIO(download.content))
    assert archive.testzip() is None
    _check_locations(archive)
    manifest = json.loads(archive.read("manifest.json"))
    for table, count in manifest["tables"].items():
        rows = json.loads(archive.read(f"{table}.json"))
        lines = list(csv.DictReader(io.StringIO(archive.read(f"{table}.csv").decode())))
        assert len(rows) == len(lines) == count, table
        if rows and "id" in rows[0]:
            assert [r["id"] for r in rows] == [line["id"] for line in lines], table
    assert manifest["tables"]["clock_events"] == 2
    assert manifest["tables"]["employees"] >= 1
