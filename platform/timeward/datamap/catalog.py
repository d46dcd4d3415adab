"""Tables, keys and foreign keys as PostgreSQL's catalog describes them."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from graphlib import TopologicalSorter

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

TENANT_COLUMN = "tenant_id"

_COLUMNS = text(
    """
    select c.relname as table, a.attname as column
    from pg_class c
    join pg_namespace n on n.oid = c.relnamespace
    join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
    where n.nspname = :schema and c.relkind in ('r', 'p') and c.relname <> 'alembic_version'
    order by c.relname, a.attnum
    """
)
_CONSTRAINTS = text(
    """
    select c.relname as table, k.contype::text as kind, t.relname as target,
           array(select a.attname from unnest(k.conkey) with ordinality u(n, i)
                 join pg_attribute a on a.attrelid = k.conrelid and a.attnum = u.n
                 order by u.i) as columns,
           array(select a.attname from unnest(k.confkey) with ordinality u(n, i)
                 join pg_attribute a on a.attrelid = k.confrelid and a.attnum = u.n
                 order by u.i) as target_columns
    from pg_constraint k
    join pg_class c on c.oid = k.conrelid
    join pg_namespace n on n.oid = c.relnamespace
    left join pg_class t on t.oid = k.confrelid
    where n.nspname = :schema and k.contype in ('p', 'f')
    order by c.relname, k.conname
    """
)


@dataclass(frozen=True)
class ForeignKey:
    columns: tuple[str, ...]
    target: str
    target_columns: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[str, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[ForeignKey, ...]

    @property
    def is_tenant_scoped(self) -> bool:
        return TENANT_COLUMN in self.columns


Catalog = dict[str, Table]


async def load_catalog(session: AsyncSession, schema: str = "public") -> Catalog:
    columns: dict[str, list[str]] = defaultdict(list)
    for row in await session.execute(_COLUMNS, {"schema": schema}):
        columns[row.table].append(row.column)
    keys: dict[str, tuple[str, ...]] = {}
    foreign: dict[str, list[ForeignKey]] = defaultdict(list)
    for row in await session.execute(_CONSTRAINTS, {"schema": schema}):
        if row.kind == "p":
            keys[row.table] = tuple(row.columns)
        else:
            foreign[row.table].append(
                ForeignKey(tuple(row.columns), row.target, tuple(row.target_columns))
            )
    return {
        name: Table(name, tuple(cols), keys.get(name, ()), tuple(foreign[name]))
        for name, cols in columns.items()
    }


def tenant_tables(catalog: Catalog) -> list[Table]:
    return [table for table in catalog.values() if table.is_tenant_scoped]


def deletion_order(tables: list[Table]) -> list[str]:
    """Referencing tables before the tables they reference, so deletes never break a key."""
    names = {table.name for table in tables}
    graph = {
        table.name: {fk.target for fk in table.foreign_keys if fk.target in names} - {table.name}
        for table in tables
    }
    parents_first = list(TopologicalSorter(graph).static_order())
    return parents_first[::-1]
