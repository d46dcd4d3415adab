"""Which rows are about one person: found by following foreign keys to the subject's root.

A row belongs to a subject when its table is the root (``employees``), references the
root, or references a table that does — at any depth. Tables holding a ``user_id``
are linked through the subject's user account as well.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import TextClause, text

from timeward.datamap.catalog import TENANT_COLUMN, Catalog, ForeignKey

SUBJECT_ROOT = "employees"
USER_COLUMN = "user_id"


@dataclass(frozen=True)
class SubjectPath:
    """How a table reaches the root: the foreign keys to follow, nearest first."""

    table: str
    hops: tuple[ForeignKey, ...]


@dataclass(frozen=True)
class Subject:
    tenant_id: UUID
    root_id: UUID
    user_id: UUID | None = None


def subject_paths(catalog: Catalog, root: str = SUBJECT_ROOT) -> dict[str, SubjectPath]:
    """The shortest foreign-key path from every tenant table that reaches the root."""
    if root not in catalog:
        return {}
    paths = {root: SubjectPath(root, ())}
    queue = deque([root])
    while queue:
        target = queue.popleft()
        for table in catalog.values():
            if table.name in paths or not table.is_tenant_scoped:
                continue
            for fk in table.foreign_keys:
                if fk.target == target:
                    paths[table.name] = SubjectPath(table.name, (fk, *paths[target].hops))
                    queue.append(table.name)
                    break
    return paths


def user_linked_tables(catalog: Catalog, exclude: set[str]) -> list[str]:
    """Tenant tables naming the subject's user account but not reachable from the root."""
    return sorted(
        table.name
        for table in catalog.values()
        if table.is_tenant_scoped and USER_COLUMN in table.columns and table.name not in exclude
    )


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _root_condition(path: SubjectPath, alias: str) -> str:
    if not path.hops:
        return f"{alias}.{TENANT_COLUMN} = :tenant_id AND {alias}.id = :root_id"
    fk, rest = path.hops[0], SubjectPath(path.hops[0].target, path.hops[1:])
    inner = f"t{len(path.hops)}"
    columns = ", ".join(f"{alias}.{_quote(c)}" for c in fk.columns)
    targets = ", ".join(f"{inner}.{_quote(c)}" for c in fk.target_columns)
    return (
        f"({columns}) IN (SELECT {targets} FROM {_quote(fk.target)} {inner} "
        f"WHERE {_root_condition(rest, inner)})"
    )


def subject_filter(path: SubjectPath) -> str:
    """A WHERE clause (alias ``t0``) selecting the subject's rows of ``path.table``."""
    return f"t0.{TENANT_COLUMN} = :tenant_id AND {_root_condition(path, 't0')}"


def user_filter() -> str:
    return f"t0.{TENANT_COLUMN} = :tenant_id AND t0.{USER_COLUMN} = :user_id"


def select_rows(table: str, where: str) -> TextClause:
    return text(f"SELECT t0.* FROM {_quote(table)} t0 WHERE {where}")
