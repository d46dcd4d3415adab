"""The streamed CSV of the returned data is the CSV written from all rows at once: for
opened columns whose fields first appear in a later batch, for mixed and plain types."""

from __future__ import annotations

import asyncio
import csv
import io
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from timeward.instructions.export import _cell, _CsvSpool


def _all_at_once(columns: list[str], rows: list[dict[str, Any]], opened: set[str]) -> bytes:
    """How the export wrote a table's CSV before it was streamed (all rows in memory)."""
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
    return buffer.getvalue().encode()


def _streamed(columns: list[str], batches: list[list[dict[str, Any]]], opened: set[str]) -> bytes:
    spool = _CsvSpool(columns, opened)
    out = io.BytesIO()

    async def nothing() -> None:
        return None

    for batch in batches:
        spool.add(batch)
    asyncio.run(spool.write_to(out, nothing))
    spool.close()
    return out.getvalue()


def test_fields_that_appear_late_pad_the_earlier_batches() -> None:
    columns = ["id", "note", "location"]
    rows = [
        {"id": uuid.uuid4(), "note": 'say "hi",\nthen go', "location": {"status": "geofence"}},
        {"id": uuid.uuid4(), "note": None, "location": None},
        {
            "id": uuid.uuid4(),
            "note": "x",
            "location": {"status": "precise", "latitude": 52.5, "longitude": 13.4},
        },
        {"id": uuid.uuid4(), "note": "y", "location": {"status": "reduced", "accuracy_m": 3.5}},
    ]
    expected = _all_at_once(columns, rows, {"location"})
    assert b"location.accuracy_m" in expected
    for size in (1, 2, 3, 4):
        batches = [rows[i : i + size] for i in range(0, len(rows), size)]
        assert _streamed(columns, batches, {"location"}) == expected, size


def test_every_kind_of_value_is_written_as_before() -> None:
    columns = ["id", "at", "day", "amount", "flag", "blob", "doc", "n", "mixed"]
    now = datetime(2026, 12, 4, 17, 0, tzinfo=UTC)
    rows = [
        {
            "id": uuid.uuid4(),
            "at": now,
            "day": date(2026, 12, 4),
            "amount": Decimal("1.50"),
            "flag": True,
            "blob": b"\x00\xff",
            "doc": {"a": [1, 2]},
            "n": 7,
            "mixed": "text",
        },
        {
            "id": None,
            "at": None,
            "day": None,
            "amount": None,
            "flag": False,
            "blob": None,
            "doc": [1],
            "n": None,
            "mixed": {"k": "v"},
        },
    ]
    assert _streamed(columns, [rows], set()) == _all_at_once(columns, rows, set())
    assert _streamed(columns, [rows[:1], rows[1:]], set()) == _all_at_once(columns, rows, set())
    assert _streamed(columns, [], set()) == _all_at_once(columns, [], set())
