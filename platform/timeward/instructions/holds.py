"""Legal holds: a court order or subpoena keeps data from deletion, with a recorded basis.

A hold covers one subject (by id) or a whole tenant. Deletion (instructions and the
retention purge) skips what a hold in force covers and reports it as retained under the
hold. Platform admins place and release holds (platform scope); the client reads a hold
only when it may be told of it (row-level security, migration 0007).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import date
from uuid import UUID

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from timeward import clock
from timeward.datamap.catalog import Catalog, Table, load_catalog
from timeward.datamap.deletion import not_referenced, renamed_subject_filter
from timeward.datamap.subject import SUBJECT_ROOT, USER_COLUMN, subject_paths
from timeward.db.session import Database, Scope
from timeward.errors import Conflict, InvalidInput, NotFound
from timeward.identity.models import Tenant
from timeward.instructions.models import LegalHold
from timeward.paging import PageRequest


class HoldScope(enum.StrEnum):
    SUBJECT = "subject"
    TENANT = "tenant"


@dataclass(frozen=True)
class NewHold:
    tenant_id: UUID
    scope: HoldScope
    basis: str
    reference: str
    client_may_be_told: bool
    subject_id: UUID | None = None
    subject_user_id: UUID | None = None
    review_on: date | None = None  # when staff check whether the basis still stands


@dataclass(frozen=True)
class HoldRef:
    """What deletion needs to know about a hold in force."""

    id: UUID
    scope: HoldScope
    basis: str
    reference: str
    disclosed: bool
    subject_id: UUID | None
    subject_user_id: UUID | None

    def describe(self) -> str:
        return f"legal hold {self.id} ({self.reference}): {self.basis}"

    def covers(self, subject_id: UUID | None, user_id: UUID | None) -> bool:
        """Whether this hold keeps the rows of that subject (a tenant hold: anyone's)."""
        return (
            self.scope == HoldScope.TENANT
            or (subject_id is not None and self.subject_id == subject_id)
            or (user_id is not None and self.subject_user_id == user_id)
        )


@dataclass(frozen=True)
class HoldsInForce:
    holds: tuple[HoldRef, ...]

    @property
    def tenant_wide(self) -> tuple[HoldRef, ...]:
        return tuple(h for h in self.holds if h.scope == HoldScope.TENANT)

    @property
    def subjects(self) -> tuple[HoldRef, ...]:
        return tuple(h for h in self.holds if h.scope == HoldScope.SUBJECT)

    def __bool__(self) -> bool:
        return bool(self.holds)

    def covering_subject(
        self, subject_id: UUID | None, user_id: UUID | None
    ) -> tuple[HoldRef, ...]:
        """Holds covering this subject: tenant-wide ones, and those naming it."""
        named = tuple(h for h in self.subjects if h.covers(subject_id, user_id))
        return self.tenant_wide + named


def hold_ref(hold: LegalHold) -> HoldRef:
    return HoldRef(
        hold.id,
        HoldScope(hold.scope),
        hold.basis,
        hold.reference,
        hold.client_may_be_told,
        hold.subject_id,
        hold.subject_user_id,
    )


async def place_hold(session: AsyncSession, spec: NewHold, placed_by: UUID) -> LegalHold:
    """Platform scope. A subject hold needs the subject; a tenant hold must not name one."""
    if (spec.scope == HoldScope.SUBJECT) != (
        spec.subject_id is not None or spec.subject_user_id is not None
    ):
        raise InvalidInput("A subject hold names a subject; a tenant hold names none.")
    if spec.review_on is not None and spec.review_on <= clock.now().date():
        raise InvalidInput.on_field("review_on", "The review date must lie in the future.")
    if await session.get(Tenant, spec.tenant_id) is None:
        raise NotFound("Tenant")
    hold = LegalHold(
        tenant_id=spec.tenant_id,
        scope=spec.scope,
        subject_id=spec.subject_id,
        subject_user_id=spec.subject_user_id,
        basis=spec.basis,
        reference=spec.reference,
        client_may_be_told=spec.client_may_be_told,
        placed_by=placed_by,
        placed_at=clock.now(),
        review_on=spec.review_on,
    )
    session.add(hold)
    await session.flush()
    return hold


async def release_hold(
    session: AsyncSession, hold_id: UUID, released_by: UUID, reason: str
) -> LegalHold:
    """Platform scope; a hold is released once."""
    hold = await session.scalar(select(LegalHold).where(LegalHold.id == hold_id).with_for_update())
    if hold is None:
        raise NotFound("Legal hold")
    if hold.released_at is not None:
        raise Conflict("This legal hold is already released.")
    hold.released_at, hold.released_by, hold.release_reason = clock.now(), released_by, reason
    await session.flush()
    return hold


async def list_holds(
    session: AsyncSession,
    *,
    tenant_id: UUID | None = None,
    active_only: bool = False,
    page: PageRequest | None = None,
) -> list[LegalHold]:
    """Platform scope: every hold; tenant scope: the disclosed holds of that tenant (RLS).
    Newest first; with a ``page``, ``page.fetch`` of them (one more than a page)."""
    query = select(LegalHold).order_by(LegalHold.placed_at.desc(), LegalHold.id)
    if tenant_id is not None:
        query = query.where(LegalHold.tenant_id == tenant_id)
    if active_only:
        query = query.where(LegalHold.released_at.is_(None))
    if page is not None:
        query = query.limit(page.fetch).offset(page.offset)
    return list((await session.scalars(query)).all())


async def holds_in_force(database: Database, tenant_id: UUID) -> HoldsInForce:
    """Every unreleased hold of the tenant, disclosed or not (read in platform scope).

    A subject hold names the employee record, the login account or both; the one it does
    not name is filled in from the subject's row, so the hold covers its subject whichever
    id an instruction names."""
    async with database.transaction(Scope.PLATFORM, read_only=True) as session:
        holds = HoldsInForce(
            tuple(
                hold_ref(h)
                for h in await list_holds(session, tenant_id=tenant_id, active_only=True)
            )
        )
    return await with_both_ids(database, tenant_id, holds)


async def with_both_ids(database: Database, tenant_id: UUID, holds: HoldsInForce) -> HoldsInForce:
    """Each subject hold with the id it does not name read from the subject's row."""
    if not any(h.subject_id is None or h.subject_user_id is None for h in holds.subjects):
        return holds
    async with database.transaction(Scope.TENANT, tenant_id, read_only=True) as session:
        resolved = await resolve_subjects(session, await load_catalog(session), tenant_id, holds)
    filled = {
        hold.id: replace(hold, subject_id=subject_id, subject_user_id=user_id)
        for hold, (subject_id, user_id) in zip(holds.subjects, resolved, strict=True)
    }
    return HoldsInForce(tuple(filled.get(h.id, h) for h in holds.holds))


HeldSubject = tuple[UUID | None, UUID | None]


async def resolve_subjects(
    session: AsyncSession, catalog: Catalog, tenant_id: UUID, holds: HoldsInForce
) -> list[HeldSubject]:
    """(subject id, user id) of each subject under a hold, filling in the one the hold does
    not name from the subject's own row while it exists (tenant-scoped session)."""
    root = catalog.get(SUBJECT_ROOT)
    resolved = []
    for hold in holds.subjects:
        subject_id, user_id = hold.subject_id, hold.subject_user_id
        if root is not None and USER_COLUMN in root.columns:
            params = {"t": tenant_id, "s": subject_id, "u": user_id}
            if user_id is None and subject_id is not None:
                user_id = await session.scalar(
                    text(f'SELECT user_id FROM "{SUBJECT_ROOT}" WHERE tenant_id = :t AND id = :s'),
                    params,
                )
            elif subject_id is None and user_id is not None:
                subject_id = await session.scalar(
                    text(f'SELECT id FROM "{SUBJECT_ROOT}" WHERE tenant_id = :t AND user_id = :u'),
                    params,
                )
        resolved.append((subject_id, user_id))
    return resolved


def exclusions(
    catalog: Catalog, table: Table, held: list[HeldSubject]
) -> tuple[list[str], dict[str, UUID]]:
    """Conditions (alias ``t0``) keeping the held subjects' rows of ``table``, and rows that
    rows which stay still reference; with their parameters. Empty without held subjects."""
    if not held:
        return [], {}
    paths = subject_paths(catalog)
    keep: list[str] = []
    params: dict[str, UUID] = {}
    for n, (subject_id, user_id) in enumerate(held):
        if table.name in paths and subject_id is not None:
            keep.append(f"NOT ({renamed_subject_filter(paths[table.name], f'h{n}')})")
            params[f"root_id_h{n}"] = subject_id
        if USER_COLUMN in table.columns and user_id is not None:
            keep.append(f"t0.{USER_COLUMN} IS DISTINCT FROM :held_user_{n}")
            params[f"held_user_{n}"] = user_id
    return keep + not_referenced(catalog, table), params
