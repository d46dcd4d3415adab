"""Appending to and verifying a tenant's audit chain."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast
from uuid import UUID

import structlog
from sqlalchemy import Table, bindparam, delete, exists, literal_column, select, true, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from timeward import clock
from timeward.acting import Acting
from timeward.audit.chain import GENESIS, ChainedFields, identity_digest, link_digest
from timeward.audit.models import AuditChainHead, AuditEvent, AuditPendingRead
from timeward.crypto.master_key import derive_key
from timeward.db.base import new_id
from timeward.db.rls import PLATFORM_CHAIN_ID
from timeward.db.session import READ_ONLY_KEY, Database, Scope
from timeward.identity.models import Tenant

PLATFORM_CHAIN = UUID(PLATFORM_CHAIN_ID)
IDENTITY_KEY_PURPOSE = "audit-identity"
_EVENTS = cast(Table, AuditEvent.__table__)
_HEADS = cast(Table, AuditChainHead.__table__)
_PENDING = cast(Table, AuditPendingRead.__table__)
# The columns of a read as it happens (an event's columns apart from its link).
_READ_COLUMNS = [column for column in _PENDING.c if column.name != "n"]


@dataclass(frozen=True)
class AuditEntry:
    action: str
    actor_id: UUID | None = None
    actor_role: str | None = None
    subject_type: str | None = None
    subject_id: UUID | None = None
    request_id: str | None = None
    details: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def by(
        cls,
        acting: Acting,
        action: str,
        subject_type: str | None = None,
        subject_id: UUID | None = None,
        details: dict[str, Any] | None = None,
    ) -> AuditEntry:
        """What ``acting`` did: its id and role are the event's actor."""
        return cls(
            action, acting.user_id, acting.role, subject_type, subject_id, None, details or {}
        )


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    reason: str


class AuditLog:
    """Writes chained events; the key makes identity digests unguessable."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    @classmethod
    def from_master_key(cls, master_key: bytes) -> AuditLog:
        """The process's audit log: API and workers derive the same identity key."""
        return cls(derive_key(master_key, IDENTITY_KEY_PURPOSE))

    @property
    def key(self) -> bytes:
        return self._key

    async def record(self, database: Database, tenant_id: UUID | None, entry: AuditEntry) -> None:
        """Append in a transaction of its own: the tenant's chain, or the platform's (None)."""
        if tenant_id is None:
            async with database.transaction(Scope.PLATFORM) as session:
                await self.append(session, PLATFORM_CHAIN, entry)
        else:
            async with database.transaction(Scope.TENANT, tenant_id) as session:
                await self.append(session, tenant_id, entry)

    async def append(self, session: AsyncSession, tenant_id: UUID, entry: AuditEntry) -> AuditEvent:
        head = await _lock_head(session, tenant_id)
        if tenant_id != PLATFORM_CHAIN:  # the platform's chain has no staff reads
            await _fold_locked(session, tenant_id, head)
        return await _chain(session, head, AuditEvent(**self._fields(tenant_id, entry)))

    async def append_read(self, session: AsyncSession, tenant_id: UUID, entry: AuditEntry) -> None:
        """A staff read, recorded at the end of the reading transaction; never waits.

        If the tenant's head row is free, it is locked (until the commit, a few statements
        away) and the read chained at once, with any reads still pending. If another
        transaction holds it, the read goes to ``audit_pending_reads`` instead, and the
        next append, listing, verification or the minute's job chains it
        (:func:`fold_pending_reads`). So one tenant's readers never queue on the head
        row (docs/performance.md, "API request path").
        """
        read = self._fields(tenant_id, entry)
        rows = (await session.execute(_TAKE_HEAD_OR_PARK, read)).mappings().all()
        if not rows:  # held by another transaction (or a chain not started yet): parked
            return
        seq, digest = rows[0]["head_seq"], rows[0]["head_digest"]
        taken = sorted((row for row in rows if row["n"] is not None), key=lambda r: r["n"])
        events = []
        for fields in [*({c.name: row[c.name] for c in _READ_COLUMNS} for row in taken), read]:
            events.append(_linked_row(seq, digest, fields))
            seq, digest = events[-1]["seq"], events[-1]["digest"]
        await _chain_rows(session, tenant_id, events)

    def _fields(self, tenant_id: UUID, entry: AuditEntry) -> dict[str, Any]:
        """An event's columns apart from its link (seq and digests)."""
        return {
            "tenant_id": tenant_id,
            "id": new_id(),
            "at": clock.now(),
            "actor_id": entry.actor_id,
            "actor_role": entry.actor_role,
            "action": entry.action,
            "subject_type": entry.subject_type,
            "subject_id": entry.subject_id,
            "request_id": entry.request_id or _current_request_id(),
            "details": entry.details,
            "identity_digest": identity_digest(self._key, entry.actor_id, entry.subject_id),
        }


async def _lock_head(session: AsyncSession, tenant_id: UUID) -> AuditChainHead:
    """The tenant's head row, created at genesis if new, locked until commit."""
    await session.execute(
        insert(AuditChainHead)
        .values(tenant_id=tenant_id, seq=0, digest=GENESIS)
        .on_conflict_do_nothing(index_elements=["tenant_id"])
    )
    head = await session.scalar(
        select(AuditChainHead)
        .where(AuditChainHead.tenant_id == tenant_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert head is not None
    return head


def _take_head_or_park() -> Any:
    """One statement for a staff read (``AuditLog.append_read``).

    If the tenant's head row is free, it is locked and the reads pending are taken
    (deleted, returned with the head); if not, the read is parked in
    ``audit_pending_reads`` and no row comes back. Before: up to three round trips.
    """
    tenant = bindparam("tenant_id", type_=_PENDING.c.tenant_id.type)
    head = (
        select(_HEADS.c.seq, _HEADS.c.digest)
        .where(_HEADS.c.tenant_id == tenant)
        .with_for_update(skip_locked=True)
        .cte("head")
    )
    head_free = exists(select(literal_column("1")).select_from(head))
    taken = (
        delete(_PENDING)
        .where(_PENDING.c.tenant_id == tenant, head_free)
        .returning(*_PENDING.c)
        .cte("taken")
    )
    parked = (
        insert(_PENDING)
        .from_select(
            [c.name for c in _READ_COLUMNS],
            select(*(bindparam(c.name, type_=c.type) for c in _READ_COLUMNS)).where(~head_free),
        )
        .cte("parked")
    )
    return (
        select(
            head.c.seq.label("head_seq"),
            head.c.digest.label("head_digest"),
            *(taken.c[c.name] for c in _PENDING.c),
        )
        .select_from(head.outerjoin(taken, true()))
        .add_cte(parked)
    )


_TAKE_HEAD_OR_PARK = _take_head_or_park()


def _linked_row(seq: int, prev_digest: bytes, fields: dict[str, Any]) -> dict[str, Any]:
    """An event's row: ``fields`` (a read's columns) as the link after (seq, prev_digest)."""
    row = {**fields, "seq": seq + 1, "prev_digest": prev_digest}
    row["digest"] = link_digest(prev_digest, _chained(row), row["identity_digest"])
    return row


@functools.lru_cache(maxsize=8)
def _chaining(count: int) -> Any:
    """Insert ``count`` events (parameters ``e<i>_<column>``) and move the head to the last
    (``head_*``), in one statement. Prebuilt: building it per request was 3 % of a list
    request (py-spy).
    A multi-row VALUES (a fold of pending reads) is still compiled on each use by SQLAlchemy.
    """
    moved = (
        update(_HEADS)
        .where(_HEADS.c.tenant_id == bindparam("head_tenant_id", type_=_HEADS.c.tenant_id.type))
        .values(
            seq=bindparam("head_seq", type_=_HEADS.c.seq.type),
            digest=bindparam("head_digest", type_=_HEADS.c.digest.type),
        )
        .cte("moved")
    )
    rows = [
        {c.name: bindparam(f"e{i}_{c.name}", type_=c.type) for c in _EVENTS.c} for i in range(count)
    ]
    return insert(_EVENTS).values(rows[0] if count == 1 else rows).add_cte(moved)


async def _chain_rows(session: AsyncSession, tenant_id: UUID, rows: list[dict[str, Any]]) -> None:
    parameters = {
        f"e{i}_{name}": value for i, row in enumerate(rows) for name, value in row.items()
    }
    parameters.update(
        head_tenant_id=tenant_id, head_seq=rows[-1]["seq"], head_digest=rows[-1]["digest"]
    )
    await session.execute(_chaining(len(rows)), parameters)


def _link(head: AuditChainHead, event: AuditEvent) -> None:
    """Make ``event`` the chain's next link and move the (locked) head to it."""
    event.seq, event.prev_digest = head.seq + 1, head.digest
    event.digest = link_digest(head.digest, chained_fields(event), event.identity_digest)
    head.seq, head.digest = event.seq, event.digest


async def _chain(session: AsyncSession, head: AuditChainHead, event: AuditEvent) -> AuditEvent:
    _link(head, event)
    session.add(event)
    await session.flush()
    return event


async def _fold_locked(session: AsyncSession, tenant_id: UUID, head: AuditChainHead) -> int:
    """Chain the tenant's pending reads after the locked head, oldest first."""
    taken = (
        await session.execute(
            delete(AuditPendingRead)
            .where(AuditPendingRead.tenant_id == tenant_id)
            .returning(*AuditPendingRead.__table__.c)
            .execution_options(synchronize_session=False)
        )
    ).all()
    for row in sorted(taken, key=lambda r: r.n):
        fields = dict(row._mapping)
        del fields["n"]
        event = AuditEvent(**fields)
        _link(head, event)
        session.add(event)
    return len(taken)


async def fold_pending_reads(session: AsyncSession, tenant_id: UUID) -> int:
    """Chain the staff reads still pending; returns how many. Before reading the log.

    Costs one statement when nothing is pending. A read-only transaction (support
    access) cannot write and folds nothing: it reads the chain as it stands.
    """
    if session.info.get(READ_ONLY_KEY):
        return 0
    waiting = await session.scalar(select(exists().where(AuditPendingRead.tenant_id == tenant_id)))
    if not waiting:
        return 0
    head = await _lock_head(session, tenant_id)
    folded = await _fold_locked(session, tenant_id, head)
    await session.flush()
    return folded


def _current_request_id() -> str | None:
    request_id = structlog.contextvars.get_contextvars().get("request_id")
    return str(request_id) if request_id else None


_CHAINED_NAMES = tuple(ChainedFields.__dataclass_fields__)


def chained_fields(event: AuditEvent) -> ChainedFields:
    return ChainedFields(**{name: getattr(event, name) for name in _CHAINED_NAMES})


def _chained(row: dict[str, Any]) -> ChainedFields:
    return ChainedFields(**{name: row[name] for name in _CHAINED_NAMES})


def first_break(
    events: Sequence[AuditEvent], floor_seq: int = 0, floor_digest: bytes | None = None
) -> ChainBreak | None:
    """The first event, in sequence order, whose link does not verify.

    A chain whose oldest events were purged by retention starts after ``floor_seq``, from
    the digest of the last purged event.
    """
    expected_prev, expected_seq = floor_digest or GENESIS, floor_seq + 1
    for event in events:
        if event.seq != expected_seq:
            return ChainBreak(event.seq, f"sequence gap: expected {expected_seq}")
        if event.prev_digest != expected_prev:
            return ChainBreak(event.seq, "previous digest does not match")
        if link_digest(event.prev_digest, chained_fields(event), event.identity_digest) != (
            event.digest
        ):
            return ChainBreak(event.seq, "digest does not match the event's content")
        expected_prev, expected_seq = event.digest, event.seq + 1
    return None


async def verify_tenant_chain(session: AsyncSession, tenant_id: UUID) -> ChainBreak | None:
    """The first broken link of a chain, after chaining its pending staff reads."""
    if tenant_id != PLATFORM_CHAIN:
        await fold_pending_reads(session, tenant_id)
    events = (
        await session.scalars(
            select(AuditEvent).where(AuditEvent.tenant_id == tenant_id).order_by(AuditEvent.seq)
        )
    ).all()
    head = await session.get(AuditChainHead, tenant_id)
    if head is None or not head.floor_seq:
        return first_break(events)
    return first_break(events, head.floor_seq, head.floor_digest)


async def verify_chains(
    database: Database, slug: str | None = None
) -> list[tuple[str, ChainBreak | None]]:
    """Verify the platform chain and every tenant's (or one tenant's, by slug)."""
    async with database.transaction(Scope.PLATFORM) as session:
        query = select(Tenant.id, Tenant.slug).order_by(Tenant.slug)
        tenants = (await session.execute(query.where(Tenant.slug == slug) if slug else query)).all()
        results = [] if slug else [("platform", await verify_tenant_chain(session, PLATFORM_CHAIN))]
    for tenant_id, tenant_slug in tenants:
        async with database.transaction(Scope.TENANT, tenant_id) as session:
            results.append((tenant_slug, await verify_tenant_chain(session, tenant_id)))
    return results
