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


@dataclass(frozen=True)
class _Form:
    """How a value of one type becomes text: ``first`` of the column (``{v}``), ``then``
    of that (``{a}``), each computed once per row; the CSV cell and the JSON value of
    those (``{b}``, ``{a}``)."""

    first: str
    csv: str
    json: str
    then: str = "{a}"


# csv.writer's minimal quoting (excel dialect): a cell with a comma, quote, CR or LF is
# quoted, its quotes doubled.
_CSV_QUOTED = (
    "CASE WHEN {b} ~ ('[,\"' || chr(13) || chr(10) || ']') "
    "THEN '\"' || replace({b}, '\"', '\"\"') || '\"' ELSE {b} END"
)
_QUOTED = "'\"' || {b} || '\"'"
_TEXT = _Form("{v}::text", _CSV_QUOTED, "to_json({b})::text")
_DIGITS = _Form("{v}::text", "{b}", "{b}")
# Python's isoformat() of a UTC datetime: 'T', six digits of microseconds when there are
# any. PostgreSQL's ISO output (DateStyle set by the query's caller) drops trailing zeros.
# asyncpg reads infinity as the largest (smallest) naive datetime: no offset.
_INFINITE = "{a} IN ('infinity', '-infinity')"
_UTC_ISO = _Form(
    "({v} AT TIME ZONE 'UTC')::text",
    f"{{b}} || CASE WHEN {_INFINITE} THEN '' ELSE '+00:00' END",
    f"'\"' || {{b}} || CASE WHEN {_INFINITE} THEN '' ELSE 'Z' END || '\"'",
    then=(
        "CASE {a} WHEN 'infinity' THEN '9999-12-31T23:59:59.999999' "
        "WHEN '-infinity' THEN '0001-01-01T00:00:00' "
        "ELSE replace(CASE WHEN length({a}) = 19 THEN {a} ELSE rpad({a}, 26, '0') END, ' ', 'T') "
        "END"
    ),
)
_DATE = (
    "CASE WHEN isfinite({v}) THEN to_char({v}, 'YYYY-MM-DD') "
    "WHEN {v} > 'epoch' THEN '9999-12-31' WHEN {v} < 'epoch' THEN '0001-01-01' END"
)

# Column type (regtype) -> its form.
_FORMS: dict[str, _Form] = {
    "uuid": _Form("{v}::text", "{b}", _QUOTED),
    "text": _TEXT,
    "character varying": _TEXT,
    "boolean": _Form(
        "{v}",
        "CASE {b} WHEN true THEN 'True' WHEN false THEN 'False' END",
        "CASE {b} WHEN true THEN 'true' WHEN false THEN 'false' END",
    ),
    "smallint": _DIGITS,
    "integer": _DIGITS,
    "bigint": _DIGITS,
    "timestamp with time zone": _UTC_ISO,
    "date": _Form(_DATE, "{b}", _QUOTED),
    "bytea": _Form("translate(encode({v}, 'base64'), chr(10), '')", "{b}", _QUOTED),
}
# For the transaction, before the query: the text of timestamps depends on DateStyle.
# Memoize would cache each row's second subquery by the first's output (never a hit).
SETTINGS = (
    "select set_config('datestyle', 'ISO, MDY', true), set_config('enable_memoize', 'off', true)"
)

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
    order_by: Sequence[str],
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
    forms = [_FORMS[types[c]] for c in formed]
    # Each column's text is computed once, in subqueries per row (OFFSET 0 keeps the
    # planner from folding them into the outer expressions, which would repeat them).
    first = ", ".join(
        f"{f.first.format(v='t.' + quote(c))} AS a{n}"
        for n, (c, f) in enumerate(zip(formed, forms, strict=True))
    )
    then = ", ".join(f"{f.then.format(a=f'a.a{n}')} AS b{n}" for n, f in enumerate(forms))
    json_parts, csv_parts = [], []
    for n, (column, form) in enumerate(zip(formed, forms, strict=True)):
        key = ("{" if n == 0 else ",") + msgspec.json.encode(column).decode() + ":"
        texts = {"a": f"a.a{n}", "b": f"b.b{n}"}
        json_parts.append(f"{_literal(key)}, coalesce({form.json.format(**texts)}, 'null')")
        csv_parts.append(form.csv.format(**texts))  # concat() takes NULL as ''
    # As bytes: asyncpg hands bytea over without decoding it.
    # concat() builds the line in one piece; a chain of || copies it once per piece.
    json_object, csv_line = ", ".join(json_parts), ", ',', ".join(csv_parts)
    select = [
        f"convert_to(concat({json_object}), 'UTF8')",
        f"convert_to(concat({csv_line}), 'UTF8')",
        *(f"t.{quote(c)}" for c in raw),
    ]
    order = ", ".join(f"t.{quote(c)}" for c in order_by) or "t.ctid"
    sql = (
        f"SELECT {', '.join(select)} FROM {quote(table)} AS t "
        f"CROSS JOIN LATERAL (SELECT {first} OFFSET 0) AS a "
        f"CROSS JOIN LATERAL (SELECT {then} OFFSET 0) AS b "
        f"WHERE t.{TENANT_COLUMN} = $1 ORDER BY {order}"
    )
    return RowText(sql, list(types), formed, list(raw))
