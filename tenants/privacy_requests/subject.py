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
from timeward.errors import Conflict
from timeward.identity.models import Membership, User

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


def own_requests(subject: SubjectRef) -> dict[str, str]:
    """The person's requests are those naming their employee record OR their login: a
    request filed before the record existed names only the login (no key path reaches
    it from the record), and a person with no record is found by the login alone."""
    if subject.user_id is None:
        return {}
    own = (
        "SELECT r.tenant_id, r.id FROM privacy_requests r WHERE r.tenant_id = :tenant_id "
        "AND (r.subject_employee_id = :root_id OR r.subject_user_id = :user_id)"
    )
    return {
        "privacy_requests": f"t0.tenant_id = :tenant_id AND (t0.tenant_id, t0.id) IN ({own})",
        "privacy_request_events": f"(t0.tenant_id, t0.request_id) IN ({own})",
        "privacy_exports": f"(t0.tenant_id, t0.request_id) IN ({own})",
    }


async def subject_rows(
    session: AsyncSession, data_map: DataMap, subject: SubjectRef, table: str
) -> list[dict[str, Any]]:
    where = own_requests(subject).get(table) or data_map.where(table)
    result = await session.execute(select_rows(table, where), subject.params)
    return [dict(row) for row in result.mappings().all()]


class SubjectUnclear(Conflict):
    """The request leads to more than one employee record or more than one login in the
    tenant: which one is the person is the admin's call (link or correct the records),
    never a guess. Nothing is exported or erased until it is clear."""

    def __init__(self, records: int, logins: int) -> None:
        super().__init__(
            f"This request matches {records} employee records and {logins} logins in your "
            "company, which cannot all be the one person asking. Link the person's employee "
            "record to their login (or correct the work e-mail of the record that is not "
            "theirs), then start it again.",
            reason="subject_unclear",
        )


async def resolve_subject(
    session: AsyncSession,
    tenant_id: UUID,
    employee_id: UUID | None,
    user_id: UUID | None,
    email: str | None,
) -> SubjectRef:
    """The whole person in this tenant: their employee record AND their login, whichever
    of the two (or only an address) the caller knows.

    Both handles are followed to each other (``employees.user_id``), and the address
    finds the record whose work e-mail it is and the member whose login it is — the same
    rule the public intake routes by, so a request reaches what matched it. The result
    names at most one record and one login; more raises :class:`SubjectUnclear`.
    See docs/privacy-requests.md ("Whose data: the whole person").
    """
    records: set[UUID] = {employee_id} if employee_id is not None else set()
    logins: set[UUID] = {user_id} if user_id is not None else set()
    address = email.strip().lower() if email else None
    if address:
        records.update(
            await session.scalars(
                select(Employee.id).where(
                    Employee.tenant_id == tenant_id, func.lower(Employee.work_email) == address
                )
            )
        )
        logins.update(
            await session.scalars(
                select(Membership.user_id)
                .join(User, User.id == Membership.user_id)
                .where(Membership.tenant_id == tenant_id, func.lower(User.email) == address)
            )
        )
    while True:  # follow the links both ways until nothing new is found
        linked = await session.execute(
            select(Employee.id, Employee.user_id).where(
                Employee.tenant_id == tenant_id,
                Employee.id.in_(records or {NO_ROW}) | Employee.user_id.in_(logins or {NO_ROW}),
            )
        )
        found = linked.all()
        more_records = records | {row.id for row in found}
        more_logins = logins | {row.user_id for row in found if row.user_id is not None}
        if (more_records, more_logins) == (records, logins):
            break
        records, logins = more_records, more_logins
    if len(records) > 1 or len(logins) > 1:
        raise SubjectUnclear(len(records), len(logins))
    return SubjectRef(tenant_id, next(iter(records), None), next(iter(logins), None))


async def subject_of(session: AsyncSession, request: PrivacyRequest) -> SubjectRef:
    """The request's subject, resolved completely (:func:`resolve_subject`): the record
    and the login it names, each other's, and those of the address it came from."""
    return await resolve_subject(
        session,
        request.tenant_id,
        request.subject_employee_id,
        request.subject_user_id,
        request.contact_email,
    )


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
