"""The register of requests from authorities: recording, deciding, reviewing a
non-disclosure order, the sweep that notices a lapse or a review date, what a client sees
and the public yearly counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID

from sqlalchemy import extract, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from timeward import clock
from timeward.acting import SYSTEM, Acting
from timeward.audit.log import PLATFORM_CHAIN, AuditEntry, AuditLog
from timeward.authority_requests import disclosure
from timeward.authority_requests.models import AuthorityRequest, Decision, OrderKind
from timeward.db.queries import fetch_page
from timeward.db.session import Database, Scope
from timeward.errors import Conflict, InvalidInput, NotFound
from timeward.identity.models import Tenant, TenantStatus
from timeward.jobs.after_commit import start_after_commit
from timeward.paging import PageRequest

SEND_NOTICE = "send_authority_notice"
BUILD_DISCLOSURE = "build_authority_disclosure"
ALERT_REVIEW = "alert_authority_review"
# Longer than the notice job's longest retry back-off (10 minutes).
STRANDED_AFTER = timedelta(minutes=15)


@dataclass(frozen=True)
class NewAuthorityRequest:
    tenant_id: UUID
    authority: str
    instrument: str
    reference: str
    received_at: datetime
    subject_ids: tuple[UUID, ...]
    categories: tuple[str, ...]
    period_from: date | None = None
    period_to: date | None = None
    deadline: date | None = None
    order_kind: OrderKind = OrderKind.NONE
    order_until: date | None = None
    review_on: date | None = None


def order_in_force(request: AuthorityRequest, today: date) -> bool:
    """Whether a non-disclosure order still keeps the client from being told."""
    if request.order_ended_at is not None or request.order_kind == OrderKind.NONE:
        return False
    if request.order_kind == OrderKind.UNTIL_DATE:
        return request.order_until is not None and today < request.order_until
    return True  # until reviewed: until staff lift it


def review_due(request: AuthorityRequest, today: date) -> bool:
    """A task for staff: an order kept until reviewed whose review date is reached."""
    return (
        request.order_kind == OrderKind.UNTIL_REVIEWED
        and request.order_ended_at is None
        and request.review_on is not None
        and request.review_on <= today
    )


def _check(spec: NewAuthorityRequest, today: date) -> None:
    if spec.received_at > clock.now():
        raise InvalidInput.on_field("received_at", "The request cannot be received in the future.")
    if spec.period_from and spec.period_to and spec.period_from > spec.period_to:
        raise InvalidInput.on_field("period_to", "The period ends before it starts.")
    if spec.order_kind == OrderKind.UNTIL_DATE and (
        spec.order_until is None or spec.order_until <= today
    ):
        raise InvalidInput.on_field("order_until", "An order until a date needs a future date.")
    if spec.order_kind == OrderKind.UNTIL_REVIEWED and (
        spec.review_on is None or spec.review_on <= today
    ):
        raise InvalidInput.on_field(
            "review_on", "An order until reviewed needs a future review date."
        )


async def record(
    session: AsyncSession,
    database: Database,
    audit: AuditLog,
    spec: NewAuthorityRequest,
    by: Acting,
) -> AuthorityRequest:
    """Enter a request in the register (platform scope). The client is told once this
    commits, unless a non-disclosure order is in force; then when it lapses (the sweep)."""
    today = clock.now().date()
    _check(spec, today)
    tenant = await session.get(Tenant, spec.tenant_id)
    if tenant is None or tenant.status == TenantStatus.DELETED:
        raise InvalidInput.on_field("tenant_id", "Unknown or deleted tenant.")
    async with database.transaction(Scope.TENANT, spec.tenant_id, read_only=True) as tenant_session:
        subjects, categories = await disclosure.unknown_in_scope(
            tenant_session, spec.tenant_id, list(spec.subject_ids), list(spec.categories)
        )
    if subjects:
        raise InvalidInput("Unknown subject(s) in this tenant.", subject_ids=subjects)
    if categories:
        raise InvalidInput("Unknown categories of data.", categories=categories)
    request = AuthorityRequest(
        tenant_id=spec.tenant_id,
        authority=spec.authority.strip(),
        instrument=spec.instrument.strip(),
        reference=spec.reference.strip(),
        received_at=spec.received_at,
        deadline=spec.deadline,
        subject_ids=list(spec.subject_ids),
        categories=list(spec.categories),
        period_from=spec.period_from,
        period_to=spec.period_to,
        order_kind=str(spec.order_kind),
        order_until=spec.order_until if spec.order_kind == OrderKind.UNTIL_DATE else None,
        review_on=spec.review_on if spec.order_kind == OrderKind.UNTIL_REVIEWED else None,
        recorded_by=by.user_id,
        enqueued_at=clock.now(),
    )
    session.add(request)
    await session.flush()
    details = {
        "tenant_id": str(spec.tenant_id),
        "order": str(spec.order_kind),
        "subjects": len(spec.subject_ids),
    }
    entry = AuditEntry.by(
        by, "authority_request.recorded", "authority_request", request.id, details
    )
    await audit.append(session, PLATFORM_CHAIN, entry)
    if not order_in_force(request, today):
        start_after_commit(session, SEND_NOTICE, str(request.tenant_id), str(request.id))
    return request


async def get_request(
    session: AsyncSession, request_id: UUID, *, for_update: bool = False
) -> AuthorityRequest:
    """One entry of the register (platform scope)."""
    query = select(AuthorityRequest).where(AuthorityRequest.id == request_id)
    found = await session.scalar(query.with_for_update() if for_update else query)
    if found is None:
        raise NotFound("Authority request")
    return found


async def register(session: AsyncSession, page: PageRequest) -> list[AuthorityRequest]:
    """The register, newest first (platform scope)."""
    return await fetch_page(
        session,
        select(AuthorityRequest).order_by(AuthorityRequest.received_at.desc(), AuthorityRequest.id),
        page,
    )


async def tenant_slugs(session: AsyncSession, tenant_ids: list[UUID]) -> dict[UUID, str]:
    rows = await session.execute(select(Tenant.id, Tenant.slug).where(Tenant.id.in_(tenant_ids)))
    return {row.id: row.slug for row in rows}


async def decide(
    session: AsyncSession,
    audit: AuditLog,
    request_id: UUID,
    decision: Decision,
    reason: str | None,
    disclosed: str | None,
    by: Acting,
) -> AuthorityRequest:
    """Disclose in full or in part (the export of the scope is built once this commits),
    or refuse; in part and refusal need a reason. Decided once."""
    request = await get_request(session, request_id, for_update=True)
    if request.decision is not None:
        raise Conflict("The request is already decided.")
    reason = (reason or "").strip() or None
    if decision != Decision.FULL and reason is None:
        raise InvalidInput.on_field("reason", "Say why the request is refused or met in part.")
    request.decision, request.decision_reason = str(decision), reason
    request.disclosed = (disclosed or "").strip() or None
    request.decided_at, request.decided_by = clock.now(), by.user_id
    details = {"decision": str(decision)}
    entry = AuditEntry.by(by, "authority_request.decided", "authority_request", request.id, details)
    await audit.append(session, PLATFORM_CHAIN, entry)
    if decision != Decision.REFUSE:
        start_after_commit(session, BUILD_DISCLOSURE, str(request.tenant_id), str(request.id))
    return request


async def review_order(
    session: AsyncSession,
    audit: AuditLog,
    request_id: UUID,
    lift: bool,
    next_review: date | None,
    by: Acting,
) -> AuthorityRequest:
    """Staff review an order kept until reviewed: lift it (the client is told at once) or
    keep it until the next review date (a new task on that day)."""
    request = await get_request(session, request_id, for_update=True)
    now = clock.now()
    if request.order_kind != OrderKind.UNTIL_REVIEWED or request.order_ended_at is not None:
        raise Conflict("No order awaiting review.")
    if lift:
        request.order_ended_at = request.enqueued_at = now
        start_after_commit(session, SEND_NOTICE, str(request.tenant_id), str(request.id))
    else:
        if next_review is None or next_review <= now.date():
            raise InvalidInput.on_field("review_on", "Give the next review date, in the future.")
        request.review_on, request.review_raised_at = next_review, None
    details = {"lifted": lift, "review_on": None if lift else str(next_review)}
    entry = AuditEntry.by(
        by, "authority_request.order_reviewed", "authority_request", request.id, details
    )
    await audit.append(session, PLATFORM_CHAIN, entry)
    return request


async def store_disclosure(
    session: AsyncSession,
    request: AuthorityRequest,
    content: bytes,
    sha256: str,
    tables: dict[str, int],
) -> None:
    request.export_content, request.export_sha256 = content, sha256
    request.export_size, request.export_tables = len(content), dict(tables)
    request.exported_at = clock.now()


async def disclosure_file(session: AsyncSession, request_id: UUID) -> tuple[bytes, str]:
    """The export handed to the authority and its digest (platform scope)."""
    request = await get_request(session, request_id)
    content = await session.scalar(
        select(AuthorityRequest.export_content).where(
            AuthorityRequest.tenant_id == request.tenant_id, AuthorityRequest.id == request.id
        )
    )
    if content is None or request.export_sha256 is None:
        raise NotFound("Disclosure")
    return content, request.export_sha256


@dataclass(frozen=True)
class SweepReport:
    told: list[UUID]  # orders lapsed or notices waiting: the client is told now
    reviews: list[UUID]  # review dates reached: a task for staff


async def sweep(session: AsyncSession, audit: AuditLog, now: datetime) -> SweepReport:
    """Platform scope: requests whose client is not yet told and no order keeps it from
    being told (a lapsed order, or a lost message) get their notice; an order whose review
    date is reached raises a task for staff, once per review date."""
    today = now.date()
    report = SweepReport([], [])
    waiting = (
        await session.scalars(
            select(AuthorityRequest)
            .where(
                AuthorityRequest.notified_at.is_(None)
                | (
                    (AuthorityRequest.order_kind == OrderKind.UNTIL_REVIEWED)
                    & AuthorityRequest.order_ended_at.is_(None)
                    & AuthorityRequest.review_raised_at.is_(None)
                )
            )
            .order_by(AuthorityRequest.received_at)
            .with_for_update(skip_locked=True)
        )
    ).all()
    for request in waiting:
        if review_due(request, today) and request.review_raised_at is None:
            request.review_raised_at = now
            details = {"tenant_id": str(request.tenant_id), "review_on": str(request.review_on)}
            entry = AuditEntry.by(
                SYSTEM, "authority_request.review_due", "authority_request", request.id, details
            )
            await audit.append(session, PLATFORM_CHAIN, entry)
            start_after_commit(session, ALERT_REVIEW, str(request.tenant_id), str(request.id))
            report.reviews.append(request.id)
        if request.notified_at is not None or order_in_force(request, today):
            continue
        if request.order_kind == OrderKind.UNTIL_DATE and request.order_ended_at is None:
            request.order_ended_at = now
            details = {"tenant_id": str(request.tenant_id)}
            entry = AuditEntry.by(
                SYSTEM, "authority_request.order_lapsed", "authority_request", request.id, details
            )
            await audit.append(session, PLATFORM_CHAIN, entry)
        elif request.enqueued_at > now - STRANDED_AFTER:
            continue  # its message is still on its way
        request.enqueued_at = now
        start_after_commit(session, SEND_NOTICE, str(request.tenant_id), str(request.id))
        report.told.append(request.id)
    return report


async def client_requests(
    session: AsyncSession, tenant_id: UUID, page: PageRequest
) -> list[AuthorityRequest]:
    """What the client sees (tenant scope): only the requests it has been told of, so none
    under a non-disclosure order in force."""
    return await fetch_page(
        session,
        select(AuthorityRequest)
        .where(AuthorityRequest.tenant_id == tenant_id, AuthorityRequest.notified_at.is_not(None))
        .order_by(AuthorityRequest.received_at.desc(), AuthorityRequest.id),
        page,
    )


async def client_request(
    session: AsyncSession, tenant_id: UUID, request_id: UUID
) -> AuthorityRequest:
    found = await session.scalar(
        select(AuthorityRequest).where(
            AuthorityRequest.tenant_id == tenant_id,
            AuthorityRequest.id == request_id,
            AuthorityRequest.notified_at.is_not(None),
        )
    )
    if found is None:
        raise NotFound("Authority request")
    return found


@dataclass(frozen=True)
class YearCounts:
    year: int
    received: int
    disclosed: int
    partly: int
    refused: int
    delayed_by_orders: int


async def transparency(database: Database) -> list[YearCounts]:
    """Counts per year of receipt, newest first: no authority, tenant or reference. Public,
    so read in a platform transaction of its own (no caller's session to lend)."""
    year = extract("year", func.timezone("UTC", AuthorityRequest.received_at))
    async with database.transaction(Scope.PLATFORM, read_only=True) as session:
        rows = await session.execute(
            select(
                year.label("year"),
                func.count(),
                func.count().filter(AuthorityRequest.decision == Decision.FULL),
                func.count().filter(AuthorityRequest.decision == Decision.PARTIAL),
                func.count().filter(AuthorityRequest.decision == Decision.REFUSE),
                func.count().filter(AuthorityRequest.order_kind != OrderKind.NONE),
            )
            .group_by(year)
            .order_by(year.desc())
        )
        return [YearCounts(int(r[0]), r[1], r[2], r[3], r[4], r[5]) for r in rows.all()]
