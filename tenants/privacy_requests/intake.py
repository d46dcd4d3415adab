"""The public intake: anyone may file a request with an e-mail address and free text.

The answer never depends on whether the address is known (no account enumeration): the
HTTP handler only throttles, stores the submission and enqueues a job, the same work for
every address, and returns one fixed body. The job (:func:`route_submission`) then finds
the tenants holding data for the address, each in its own tenant-scoped transaction, and
files an ``identity_pending`` request in each one's queue; the submission is deleted once
routed. Neither the address nor the text is ever logged.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import structlog
from sqlalchemy import delete, func, select

from tenants.employees.models import Employee
from tenants.privacy_requests import service
from tenants.privacy_requests.models import PrivacyIntake, RequestType
from tenants.privacy_requests.service.job_starts import MATCH_PUBLIC, start_after_commit
from timeward.audit.log import AuditLog
from timeward.auth.rate_limit import RateLimit, count_attempt, rate_bucket
from timeward.config import PrivacySettings
from timeward.db.base import new_id
from timeward.db.session import Database, Scope
from timeward.identity.models import Membership, User
from timeward.jobs.tenants import tenant_ids

log = structlog.get_logger("timeward.privacy_requests")

# Share login_attempts with the login throttle, never its keys.
ADDRESS_PREFIX = "dsr-addr:"
EMAIL_PREFIX = "dsr-mail:"
MEMBER_PREFIX = "dsr-member:"


def intake_limits(settings: PrivacySettings, submission: Submission) -> Mapping[str, RateLimit]:
    """Per client address and per e-mail address: rotating either alone does not help."""
    window = settings.intake_window_seconds
    return {
        rate_bucket(ADDRESS_PREFIX, submission.address): RateLimit(
            settings.intake_per_address, window
        ),
        rate_bucket(EMAIL_PREFIX, submission.email.strip().lower()): RateLimit(
            settings.intake_per_email, window
        ),
    }


async def count_member_filing(
    database: Database, settings: PrivacySettings, tenant_id: UUID, user_id: UUID, now: datetime
) -> None:
    """A member filing in the app; raises ``RateLimited`` past the per-member limit."""
    bucket = rate_bucket(MEMBER_PREFIX, str(tenant_id), str(user_id))
    rule = RateLimit(settings.filings_per_member, settings.intake_window_seconds)
    async with database.transaction(Scope.AUTH) as session:
        await count_attempt(session, {bucket: rule}, now)


@dataclass(frozen=True)
class Submission:
    email: str
    request_type: RequestType
    details: str | None
    address: str  # the client's network address, for the throttle only


async def submit(
    database: Database, settings: PrivacySettings, submission: Submission, now: datetime
) -> UUID:
    """Store the submission (auth scope) and count it against the client address and the
    e-mail address (``RateLimited`` past either); the routing job is enqueued after
    commit. Returns the submission's reference."""
    async with database.transaction(Scope.AUTH) as session:
        await count_attempt(session, intake_limits(settings, submission), now)
        intake = PrivacyIntake(
            id=new_id(),
            email=submission.email.strip(),
            request_type=submission.request_type,
            details=submission.details,
            received_at=now,
            enqueued_at=now,
        )
        session.add(intake)
        await session.flush()
        start_after_commit(session, MATCH_PUBLIC, str(intake.id))
    return intake.id


async def _match(
    database: Database, tenant_id: UUID, email: str, user_id: UUID | None
) -> tuple[UUID | None, UUID | None] | None:
    """(employee id, account id) of the person in this tenant, or None if it holds nothing."""
    async with database.transaction(Scope.TENANT, tenant_id, read_only=True) as session:
        by_email = await session.execute(
            select(Employee.id, Employee.user_id)
            .where(Employee.tenant_id == tenant_id, func.lower(Employee.work_email) == email)
            .order_by(Employee.created_at, Employee.id)
            .limit(1)
        )
        found = by_email.first()
        if found is not None:
            return found[0], found[1]
        if user_id is None:
            return None
        member = await session.scalar(
            select(Membership.user_id).where(
                Membership.tenant_id == tenant_id, Membership.user_id == user_id
            )
        )
        if member is None:
            return None
        employee_id = await session.scalar(
            select(Employee.id).where(Employee.tenant_id == tenant_id, Employee.user_id == user_id)
        )
        return employee_id, user_id


async def route_submission(database: Database, audit: AuditLog, intake_id: UUID) -> int | None:
    """File the submission in every tenant holding data for its address; delete it.

    Idempotent: a tenant that already has the request (same intake id) is skipped, and a
    submission already routed is gone. Returns how many tenants got it (None: nothing to do).
    """
    async with database.transaction(Scope.AUTH) as session:
        intake = await session.scalar(
            select(PrivacyIntake)
            .where(PrivacyIntake.id == intake_id)
            .with_for_update(skip_locked=True)
        )
        if intake is None:
            return None
        email = intake.email.strip().lower()
        request_type, details, received = intake.request_type, intake.details, intake.received_at
        user_id = await session.scalar(select(User.id).where(func.lower(User.email) == email))
    routed = 0
    for tenant_id in await tenant_ids(database):
        subject = await _match(database, tenant_id, email, user_id)
        if subject is None:
            continue
        async with database.transaction(Scope.TENANT, tenant_id) as session:
            created = await service.file_from_intake(
                session,
                audit,
                tenant_id,
                intake_id,
                subject,
                intake.email.strip(),
                RequestType(request_type),
                details,
                received,
            )
        routed += created is not None
    async with database.transaction(Scope.AUTH) as session:
        await session.execute(delete(PrivacyIntake).where(PrivacyIntake.id == intake_id))
    log.info("privacy_intake.routed", intake_id=str(intake_id), tenants=routed)
    return routed
