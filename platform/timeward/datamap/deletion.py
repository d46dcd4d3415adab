"""Batched, tenant-bound DELETE statements built from the catalog.

Every statement names ``tenant_id = :tenant_id`` (row-level security is the backstop, not
the filter) and deletes at most ``:batch`` rows, so a caller can commit after each batch
and resume after a crash. Conditions are written against the alias ``t0`` like
:mod:`timeward.datamap.subject`.

The rows of a batch are picked by their physical id (``ctid``) inside the one statement:
a TID scan deletes them about three times faster than probing the primary key index for
each (bench/purge_throughput.py), and it works for tables without a key. A row updated
concurrently gets a new ``ctid`` and is simply left for the next batch. Each statement is
bound to one tenant, so on Citus it is a single-shard router query, where ``ctid`` is the
shard's own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from timeward.datamap.catalog import TENANT_COLUMN, Catalog, Table
from timeward.datamap.subject import SubjectPath, subject_filter

_PARAM = re.compile(r":(root_id|user_id)\b")


@dataclass(frozen=True)
class RowCounts:
    """What happened to one table's rows about one subject: each row counted once."""

    table: str
    removed: int = 0
    anonymised: int = 0
    retained: int = 0
    basis: str | None = None  # why rows stay (anonymised or retained)


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def batch_delete(table: Table, where: Iterable[str]) -> str:
    """DELETE up to ``:batch`` of the tenant's rows of ``table`` matching every condition."""
    conditions = " AND ".join([f"t0.{TENANT_COLUMN} = :tenant_id", *where])
    name = quote(table.name)
    return (
        f"DELETE FROM {name} WHERE {TENANT_COLUMN} = :tenant_id AND ctid = ANY(ARRAY("
        f"SELECT t0.ctid FROM {name} t0 WHERE {conditions} LIMIT :batch))"
    )


def count_rows(table: Table, where: Iterable[str]) -> str:
    conditions = " AND ".join([f"t0.{TENANT_COLUMN} = :tenant_id", *where])
    return f"SELECT count(*) FROM {quote(table.name)} t0 WHERE {conditions}"


def not_referenced(catalog: Catalog, table: Table) -> list[str]:
    """Conditions keeping rows another table still references: deleting them would break
    (or, with ON DELETE CASCADE, silently widen) the deletion."""
    clauses = []
    for other in sorted(catalog.values(), key=lambda t: t.name):
        for n, fk in enumerate(other.foreign_keys):
            if fk.target != table.name or other.name == table.name:
                continue
            alias = f"r_{other.name}_{n}"
            joins = " AND ".join(
                f"{alias}.{quote(col)} = t0.{quote(target)}"
                for col, target in zip(fk.columns, fk.target_columns, strict=True)
            )
            clauses.append(f"NOT EXISTS (SELECT 1 FROM {quote(other.name)} {alias} WHERE {joins})")
    return clauses


def renamed_subject_filter(path: SubjectPath, suffix: str) -> str:
    """:func:`subject_filter` with its ``:root_id`` / ``:user_id`` renamed ``:<name>_<suffix>``,
    so several subjects can appear in one statement."""
    return _PARAM.sub(lambda m: f":{m.group(1)}_{suffix}", subject_filter(path))


def user_condition(param: str) -> str:
    return f"t0.user_id = :{param}"
