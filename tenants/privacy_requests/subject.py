"""Whose data a request is about, and where that data lives, read from the catalog.

Every table the data map links to the employee record (foreign keys, at any depth) and
every tenant table naming the person's login account (``user_id``) holds rows about the
subject. Export and erasure both start here, so a table added later is exported and
erased without new code. Two tables are found by identifier instead of by key and are
handled explicitly: the audit log (``subject_id`` / ``actor_id``) and the outbox (the
recipient address).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from tenants.employees.models import Employee
from tenants.privacy_requests.models import PrivacyRequest
from timeward.datamap.catalog import Catalog, deletion_order, load_catalog
from timeward.datamap.subject import (
    SubjectPath,
    select_rows,
    subject_filter,
    subject_paths,
    user_filter,
    user_linked_tables,
)
from timeward.identity.models import User

# Stands in for an absent employee record or account: matches no row.
NO_ROW = UUID(int=0)

_COLUMN_TYPES = text(
    """
    select c.relname as table, a.attname as column,
           format_type(a.atttypid, a.atttypmod) as type,
           a.attnotnull as not_null, a.attgenerated <> '' as generated
    from pg_class c
    join pg_namespace n on n.oid = c.relnamespace
    join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
    where n.nspname = 'public' and c.relkind in ('r', 'p')
    order by c.relname, a.attnum
    """
)
_TEXT_TYPES = ("text", "json", "jsonb", "character varying", "character", "citext")


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    not_null: bool
    generated: bool

    @property
    def is_text(self) -> bool:
        """Text, varchar, char or json (arrays of them too): where free values can hide."""
        base = self.type.removesuffix("[]")
        return base.split("(")[0].strip() in _TEXT_TYPES


@dataclass(frozen=True)
class SubjectRef:
    """The person: their employee record and/or their login account in this tenant."""

    tenant_id: UUID
    employee_id: UUID | None
    user_id: UUID | None

    @property
    def params(self) -> dict[str, Any]:
        return {
            "tenant_id": self.tenant_id,
            "root_id": self.employee_id or NO_ROW,
            "user_id": self.user_id or NO_ROW,
        }


@dataclass(frozen=True)
class DataMap:
    catalog: Catalog
    columns: dict[str, dict[str, Column]]
    paths: dict[str, SubjectPath]  # linked to the employee record
    user_tables: list[str]  # linked to the login account only

    @property
    def linked_tables(self) -> list[str]:
        """Every table holding rows about a subject, in alphabetical order."""
        return sorted({*self.paths, *self.user_tables})

    def where(self, table: str) -> str:
        """The WHERE clause (alias ``t0``) selecting the subject's rows of ``table``."""
        path = self.paths.get(table)
        return subject_filter(path) if path is not None else user_filter()

    def children_first(self, tables: Sequence[str]) -> list[str]:
        order = deletion_order([self.catalog[t] for t in tables])
        return [t for t in order if t in tables]


async def load_data_map(session: AsyncSession) -> DataMap:
    catalog = await load_catalog(session)
    columns: dict[str, dict[str, Column]] = {}
    for row in await session.execute(_COLUMN_TYPES):
        columns.setdefault(row.table, {})[row.column] = Column(
            row.column, row.type, bool(row.not_null), bool(row.generated)
        )
    paths = subject_paths(catalog)
    return DataMap(catalog, columns, paths, user_linked_tables(catalog, exclude=set(paths)))


async def subject_rows(
    session: AsyncSession, data_map: DataMap, subject: SubjectRef, table: str
) -> list[dict[str, Any]]:
    result = await session.execute(select_rows(table, data_map.where(table)), subject.params)
    return [dict(row) for row in result.mappings().all()]


async def subject_of(session: AsyncSession, request: PrivacyRequest) -> SubjectRef:
    """The request's subject; the account is taken from the employee record when linked."""
    user_id = request.subject_user_id
    if request.subject_employee_id is not None and user_id is None:
        user_id = await session.scalar(
            select(Employee.user_id).where(
                Employee.tenant_id == request.tenant_id,
                Employee.id == request.subject_employee_id,
            )
        )
    return SubjectRef(request.tenant_id, request.subject_employee_id, user_id)


async def subject_emails(
    session: AsyncSession, subject: SubjectRef, extra: Sequence[str | None] = ()
) -> set[str]:
    """Every address the tenant holds for the person (lower case): work e-mail, login e-mail,
    the contact addresses given in their requests."""
    found = {e.strip().lower() for e in extra if e}
    if subject.employee_id is not None:
        work = await session.scalar(
            select(Employee.work_email).where(
                Employee.tenant_id == subject.tenant_id, Employee.id == subject.employee_id
            )
        )
        if work:
            found.add(work.strip().lower())
    if subject.user_id is not None:  # visible in tenant scope while the membership exists
        login = await session.scalar(select(User.email).where(User.id == subject.user_id))
        if login:
            found.add(login.strip().lower())
    contacts = await session.scalars(
        select(func.lower(PrivacyRequest.contact_email)).where(
            PrivacyRequest.tenant_id == subject.tenant_id,
            PrivacyRequest.contact_email.is_not(None),
            (PrivacyRequest.subject_employee_id == (subject.employee_id or NO_ROW))
            | (PrivacyRequest.subject_user_id == (subject.user_id or NO_ROW)),
        )
    )
    found.update(c for c in contacts.all() if c)
    return found
