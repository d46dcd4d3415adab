"""Erasure of one subject in one tenant: every personal value deleted or irreversibly
anonymised wherever the tenant's own data reaches, in the caller's transaction.

Driven by the catalog and ``policies/retention_bases.toml``, never by a table list:

1. the subject's sealed locations are destroyed (ciphertexts nulled);
2. every table linked to the employee record is handled children first by its rule:
   deleted (the default, also for tables added later), anonymised (a tombstone) or
   retained with a legal basis; anonymised and retained rows lose every text and json
   value not kept on purpose;
3. references to the person's membership in other rows (who decided, who created) are
   emptied;
4. tables linked to the login account (membership, in-app notifications) are handled
   the same way, the membership last;
5. e-mails in the outbox to any of the person's addresses are deleted;
6. the zips of stored returned-data exports (each holds every employee) are deleted;
7. audit events keep the fact while the person's identifiers become a pseudonym.

The login identity itself (``users``) is shared by every employer of the person; it is
removed afterwards by the job when no other membership uses it (:mod:`.identity`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from tenants.locations.service import destroy_employee_locations
from tenants.privacy_requests.retention import (
    AUDIT_BASIS,
    ErasureAction,
    RetentionPolicy,
    TableRule,
    retention_policy,
)
from tenants.privacy_requests.subject import DataMap, SubjectRef, load_data_map, own_requests
from timeward.audit.service import pseudonymise_subject
from timeward.datamap.catalog import Table
from timeward.datamap.deletion import RowCounts

MEMBERSHIPS = "memberships"
OUTBOX = "outbound_emails"
AUDIT = "audit_events"
RETURNED_DATA = "data_exports"
WITHDRAWN = (
    "This export was deleted on {date:%Y-%m-%d}: it held the data of a person whose data "
    "has since been erased. Give a new return_data instruction for a current copy."
)


class ErasurePolicyMismatch(RuntimeError):
    """The retention policy does not fit the schema (a column it names is missing, a
    column that may not be empty has no replacement, a kept row would point to a deleted
    one). Raised before anything is changed; fix the policy file."""


@dataclass
class TableOutcome:
    table: str
    label: str
    removed: int = 0
    anonymised: int = 0
    retained: int = 0
    basis: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "table": self.table,
            "label": self.label,
            "removed": self.removed,
            "anonymised": self.anonymised,
            "retained": self.retained,
            "basis": self.basis,
        }


@dataclass
class ErasureReport:
    tables: dict[str, TableOutcome] = field(default_factory=dict)
    locations_destroyed: int = 0

    def outcome(self, table: str, label: str) -> TableOutcome:
        return self.tables.setdefault(table, TableOutcome(table, label))

    def row_counts(self, policy: RetentionPolicy) -> list[RowCounts]:
        """Per table, the subject's rows removed, anonymised and kept, with why rows stay."""
        return [
            RowCounts(
                o.table,
                o.removed,
                o.anonymised,
                o.retained,
                _basis_text(policy, o.basis) if o.basis else ANONYMISED if o.anonymised else None,
            )
            for o in (self.tables[name] for name in sorted(self.tables))
        ]

    def as_json(self, policy: RetentionPolicy) -> dict[str, Any]:
        used = sorted({o.basis for o in self.tables.values() if o.basis and o.retained})
        return {
            "tables": [self.tables[name].as_json() for name in sorted(self.tables)],
            "locations_destroyed": self.locations_destroyed,
            "bases": {
                key: {
                    "title": policy.bases[key].title,
                    "legal_basis": policy.bases[key].legal_basis,
                    "explanation": policy.bases[key].explanation,
                }
                for key in used
            },
        }


ANONYMISED = (
    "anonymised: the row stays as a tombstone that identifies nobody (its personal values "
    "emptied), so the records kept by law still point to it"
)


def _basis_text(policy: RetentionPolicy, key: str) -> str:
    basis = policy.bases[key]
    return f"{basis.title} ({basis.legal_basis})"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _count(result: Any) -> int:
    return int(result.rowcount)


def check_policy(data_map: DataMap, policy: RetentionPolicy) -> None:
    """Refuse a policy that does not fit the schema, before anything is changed."""
    problems = []
    tables = data_map.linked_tables
    for table in tables:
        rule = policy.rule(table)
        columns = data_map.columns[table]
        named = rule.keep | set(rule.replace) | rule.clear
        problems += [f"{table}.{c} does not exist" for c in sorted(named - set(columns))]
        if rule.action is ErasureAction.DELETE:
            continue
        problems += [
            f"{table}.{c.name} may not be empty: keep or replace it"
            for c in columns.values()
            if c.is_text and c.not_null and c.name not in rule.keep | set(rule.replace)
        ]
        for fk in data_map.catalog[table].foreign_keys:
            target = policy.rule(fk.target)
            if fk.target in data_map.paths and target.action is ErasureAction.DELETE:
                problems.append(f"{table} is kept but references deleted {fk.target}")
    if problems:
        raise ErasurePolicyMismatch("; ".join(problems))


def _assignments(
    data_map: DataMap, rule: TableRule, preserve: frozenset[str]
) -> tuple[list[str], dict[str, Any]]:
    """SET clauses emptying every text value not kept, plus the columns to clear."""
    keys = set(data_map.catalog[rule.table].primary_key)
    foreign = {c for fk in data_map.catalog[rule.table].foreign_keys for c in fk.columns}
    sets: list[str] = []
    params: dict[str, Any] = {}
    for n, column in enumerate(data_map.columns[rule.table].values()):
        name = column.name
        if column.generated or name in keys or name in rule.keep:
            continue
        if name in rule.replace:
            params[f"r{n}"] = rule.replace[name]
            sets.append(f"{_quote(name)} = :r{n}")
        elif (column.is_text and name not in foreign) or name in rule.clear:
            value = "NULL"
            if name in preserve:  # kept on the row being answered (see erase_subject)
                value = f"CASE WHEN t0.id = :keep_row THEN t0.{_quote(name)} END"
            sets.append(f"{_quote(name)} = {value}")
    return sets, params


async def _apply(
    session: AsyncSession,
    data_map: DataMap,
    rule: TableRule,
    where: str,
    params: dict[str, Any],
    report: ErasureReport,
    preserve: frozenset[str] = frozenset(),
) -> None:
    outcome = report.outcome(rule.table, rule.label)
    table = _quote(rule.table)
    if rule.action is ErasureAction.DELETE:
        result = await session.execute(text(f"DELETE FROM {table} AS t0 WHERE {where}"), params)
        outcome.removed += _count(result)
        return
    sets, extra = _assignments(data_map, rule, preserve)
    if not sets:  # nothing personal to empty: count the rows
        result = await session.execute(
            text(f"SELECT count(*) FROM {table} t0 WHERE {where}"), params
        )
        changed = int(result.scalar_one())
    else:
        statement = f"UPDATE {table} AS t0 SET {', '.join(sets)} WHERE {where}"
        changed = _count(await session.execute(text(statement), {**params, **extra}))
    if rule.action is ErasureAction.ANONYMISE:
        outcome.anonymised += changed
    else:
        outcome.retained += changed
        outcome.basis = rule.basis


def _membership_columns(data_map: DataMap, table: Table) -> list[str]:
    """The columns of ``table`` naming a member (decided_by, created_by...), other than the
    person's own ``user_id`` rows there (handled by the table's rule)."""
    return [
        fk.columns[1]
        for fk in table.foreign_keys
        if fk.target == MEMBERSHIPS
        and len(fk.columns) == 2
        and not (table.name in data_map.user_tables and fk.columns[1] == "user_id")
    ]


async def _membership_references(
    session: AsyncSession,
    data_map: DataMap,
    subject: SubjectRef,
    report: ErasureReport,
    own_rows: Callable[[str], str | None],
) -> None:
    """Empty every other reference to the person's membership (decided_by, created_by...).

    A column that may not be empty takes its row with it. Each row is counted once, and
    not at all when it is one of the person's own rows (counted by its table's rule).
    """
    if subject.user_id is None:
        return
    params = subject.params
    for table in sorted(data_map.catalog.values(), key=lambda t: t.name):
        columns = [] if table.name == MEMBERSHIPS else _membership_columns(data_map, table)
        if not columns:
            continue
        outcome = report.outcome(table.name, table.name.replace("_", " "))
        name = _quote(table.name)
        required = [c for c in columns if data_map.columns[table.name][c].not_null]
        optional = [c for c in columns if c not in required]
        if required:
            where = " OR ".join(f"t0.{_quote(c)} = :user_id" for c in required)
            statement = f"DELETE FROM {name} AS t0 WHERE t0.tenant_id = :tenant_id AND ({where})"
            outcome.removed += _count(await session.execute(text(statement), params))
        if not optional:
            continue
        refers = " OR ".join(f"t0.{_quote(c)} = :user_id" for c in optional)
        sets = ", ".join(
            f"{_quote(c)} = CASE WHEN t0.{_quote(c)} = :user_id THEN NULL ELSE t0.{_quote(c)} END"
            for c in optional
        )
        update = f"UPDATE {name} AS t0 SET {sets} WHERE t0.tenant_id = :tenant_id AND ({refers})"
        own = own_rows(table.name)
        # IS NOT TRUE, not NOT: a row whose link to the person is NULL (a request naming
        # only the login) is someone else's row here, and NOT NULL would skip it, leaving a
        # reference that then blocks deleting the membership.
        others = f"{update} AND ({own}) IS NOT TRUE" if own else update
        outcome.anonymised += _count(await session.execute(text(others), params))
        if own:
            await session.execute(text(f"{update} AND ({own})"), params)


async def _withdraw_returned_data(
    session: AsyncSession, tenant_id: UUID, now: datetime, report: ErasureReport
) -> None:
    """Every stored return of the tenant's data holds every employee: its zip is deleted
    (the row stays, so its link answers 410 with the reason)."""
    result = await session.execute(
        text(
            f"UPDATE {RETURNED_DATA} SET content = NULL, deleted_at = :now, deleted_reason = :why "
            "WHERE tenant_id = :tenant_id AND content IS NOT NULL"
        ),
        {"tenant_id": tenant_id, "now": now, "why": WITHDRAWN.format(date=now)},
    )
    withdrawn = _count(result)
    if withdrawn:
        report.outcome(
            RETURNED_DATA, "copies of the company's data returned to it"
        ).removed += withdrawn


async def erase_subject(
    session: AsyncSession,
    data_map: DataMap,
    policy: RetentionPolicy,
    subject: SubjectRef,
    *,
    emails: Iterable[str],
    audit_key: bytes,
    now: datetime,
    keep_row: UUID | None = None,
    preserve: dict[str, frozenset[str]] | None = None,
    extra_paths: dict[str, str] | None = None,
) -> ErasureReport:
    """Erase the subject in the caller's transaction; returns what happened per table.

    ``keep_row``/``preserve``: the row ``keep_row`` keeps the columns ``preserve`` names for
    its table (the request being answered keeps its contact address until the answer has
    been sent; the job clears it afterwards). ``extra_paths`` replaces the WHERE clause
    (alias ``t0``) of a linked table for rows it cannot reach by key (the person's
    requests, which name their employee record or their login or both).
    """
    check_policy(data_map, policy)
    report = ErasureReport()
    params: dict[str, Any] = {**subject.params, "keep_row": keep_row or subject.params["root_id"]}
    if subject.employee_id is not None:
        report.locations_destroyed = await destroy_employee_locations(
            session, subject.tenant_id, subject.employee_id, now
        )
    for table in data_map.children_first(list(data_map.paths)):
        rule = policy.rule(table)
        kept = (preserve or {}).get(table, frozenset())
        where = (extra_paths or {}).get(table) or data_map.where(table)
        await _apply(session, data_map, rule, where, params, report, kept)
    own = {t: (extra_paths or {}).get(t) or data_map.where(t) for t in data_map.linked_tables}
    await _membership_references(session, data_map, subject, report, own.get)
    for table in data_map.children_first(data_map.user_tables):
        await _apply(session, data_map, policy.rule(table), data_map.where(table), params, report)
    addresses = sorted({e.strip().lower() for e in emails if e})
    if addresses:
        result = await session.execute(
            text(
                f"DELETE FROM {OUTBOX} WHERE tenant_id = :tenant_id "
                "AND lower(recipient) = ANY(:addresses)"
            ),
            {"tenant_id": subject.tenant_id, "addresses": addresses},
        )
        report.outcome(OUTBOX, "e-mails sent to you").removed += _count(result)
    await _withdraw_returned_data(session, subject.tenant_id, now, report)
    pseudonymised = 0
    for identifier in {subject.employee_id, subject.user_id} - {None}:
        assert identifier is not None
        pseudonymised += await pseudonymise_subject(
            session, audit_key, subject.tenant_id, identifier
        )
    audit = report.outcome(AUDIT, "audit log entries (your identity replaced by a pseudonym)")
    audit.retained += pseudonymised
    audit.basis = AUDIT_BASIS if pseudonymised else None
    return report


# The request being answered keeps its contact address until the answer has been sent.
KEEP_CONTACT = {"privacy_requests": frozenset({"contact_email"})}


@dataclass(frozen=True)
class PolicyErasure:
    """What an erasure by the tenant's retention policy did, read against that policy."""

    report: ErasureReport
    policy: RetentionPolicy

    def as_json(self) -> dict[str, Any]:
        return self.report.as_json(self.policy)

    def row_counts(self) -> list[RowCounts]:
        return self.report.row_counts(self.policy)


async def erase_with_tenant_policy(
    session: AsyncSession,
    subject: SubjectRef,
    emails: Iterable[str],
    *,
    audit_key: bytes,
    now: datetime,
    keep_request: UUID | None,
) -> PolicyErasure:
    """Erase the subject by the retention policy over the tenant's data map; their
    requests are found by record or login (:func:`own_requests`). ``subject`` names the
    whole person (see :func:`~tenants.privacy_requests.subject.resolve_subject`).
    ``keep_request``: the privacy request being answered, which keeps its row and its
    contact address."""
    policy = retention_policy()
    report = await erase_subject(
        session,
        await load_data_map(session),
        policy,
        subject,
        emails=emails,
        audit_key=audit_key,
        now=now,
        keep_row=keep_request,
        preserve=KEEP_CONTACT if keep_request is not None else None,
        extra_paths=own_requests(subject),
    )
    return PolicyErasure(report, policy)
