"""The text of exported rows formed by PostgreSQL itself: per row, the JSON object and the
CSV line of every column that needs no Python, byte for byte what the export writes for
those values (``export._cell`` in CSV, msgspec in JSON). Python only joins the lines and
adds the columns an opener makes of sealed ones.

Only types whose text forms are known to match are formed here (``_FORMS``); a table with
any other column type (JSON, arrays, floats...) is exported in Python as before
(docs/performance.md, "Returned data")."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import msgspec
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from timeward.datamap.catalog import TENANT_COLUMN
from timeward.datamap.deletion import quote

# Python's isoformat() of a UTC datetime: microseconds only when there are any.
_UTC_ISO = (
    "to_char({v} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS') || "
    "CASE WHEN date_trunc('second', {v}) = {v} THEN '' "
    "ELSE to_char({v} AT TIME ZONE 'UTC', '.US') END"
)
# csv.writer's minimal quoting (excel dialect): a cell with a comma, quote, CR or LF is
# quoted, its quotes doubled.
_CSV_QUOTED = (
    "CASE WHEN {v} ~ ('[,\"' || chr(13) || chr(10) || ']') "
    "THEN '\"' || replace({v}, '\"', '\"\"') || '\"' ELSE {v} END"
)
_BASE64 = "translate(encode({v}, 'base64'), chr(10), '')"

# Column type (regtype) -> (CSV cell, JSON value) of a non-null value.
_FORMS: dict[str, tuple[str, str]] = {
    "uuid": ("{v}::text", "'\"' || {v}::text || '\"'"),
    "text": (_CSV_QUOTED, "to_json({v})::text"),
    "character varying": (_CSV_QUOTED, "to_json({v})::text"),
    "boolean": (
        "CASE {v} WHEN true THEN 'True' WHEN false THEN 'False' END",
        "CASE {v} WHEN true THEN 'true' WHEN false THEN 'false' END",
    ),
    "smallint": ("{v}::text", "{v}::text"),
    "integer": ("{v}::text", "{v}::text"),
    "bigint": ("{v}::text", "{v}::text"),
    "timestamp with time zone": (f"{_UTC_ISO} || '+00:00'", f"'\"' || {_UTC_ISO} || 'Z\"'"),
    "date": ("to_char({v}, 'YYYY-MM-DD')", "'\"' || to_char({v}, 'YYYY-MM-DD') || '\"'"),
    "bytea": (_BASE64, f"'\"' || {_BASE64} || '\"'"),
}

_COLUMN_TYPES = text(
    "select a.attname as name, a.atttypid::regtype::text as type from pg_attribute a "
    "where a.attrelid = cast(:table as regclass) and a.attnum > 0 and not a.attisdropped "
    "order by a.attnum"
)


@dataclass(frozen=True)
class RowText:
    """A query whose rows are (JSON object without its closing brace, CSV line without
    its end, both UTF-8, then the ``raw`` columns)."""

    sql: str
    stored: list[str]
    formed: list[str]
    raw: list[str]


async def column_types(session: AsyncSession, table: str) -> dict[str, str]:
    rows = await session.execute(_COLUMN_TYPES, {"table": quote(table)})
    return {name: kind for name, kind in rows}


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def row_text(
    table: str,
    types: dict[str, str],
    order: str,
    *,
    raw: Sequence[str] = (),
    left_out: Sequence[str] = (),
) -> RowText | None:
    """The query forming the text of every column but ``left_out`` (in table order) and
    returning ``raw`` as they are; None when a formed column has a type not in
    ``_FORMS`` or the row would be a single CSV cell (csv.writer quotes an empty one)."""
    formed = [c for c in types if c not in left_out]
    if any(types[c] not in _FORMS for c in formed) or not set(raw) <= set(types):
        return None
    if not formed or (len(formed) < 2 and not raw):
        return None
    json_parts, csv_parts = [], []
    for n, column in enumerate(formed):
        csv_form, json_form = _FORMS[types[column]]
        key = ("{" if n == 0 else ",") + msgspec.json.encode(column).decode() + ":"
        json_parts.append(
            f"{_literal(key)} || coalesce({json_form.format(v=quote(column))}, 'null')"
        )
        csv_parts.append(f"coalesce({csv_form.format(v=quote(column))}, '')")
    # As bytes: asyncpg hands bytea over without decoding it.
    json_object, csv_line = " || ".join(json_parts), " || ',' || ".join(csv_parts)
    select = [
        f"convert_to({json_object}, 'UTF8')",
        f"convert_to({csv_line}, 'UTF8')",
        *map(quote, raw),
    ]
    sql = (
        f"SELECT {', '.join(select)} FROM {quote(table)} "
        f"WHERE {TENANT_COLUMN} = $1 ORDER BY {order}"
    )
    return RowText(sql, list(types), formed, list(raw))
