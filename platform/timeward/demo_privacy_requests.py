"""Open privacy requests for the demo tenant, so the client admin's queue shows every
traffic-light colour on first start (docs/web.md, "Privacy requests").

Rows are written directly, as the demo workforce's are (no mails, no audit events): the
deadline of each is computed by the same rule as a real filing
(``tenants.privacy_requests.deadlines``), from a receipt date in the past.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

import structlog
from sqlalchemy import func, select

from tenants.employees.models import Employee
from tenants.privacy_requests.deadlines import due_on_receipt, request_calendar
from tenants.privacy_requests.messages import filed_summary
from tenants.privacy_requests.models import (
    Channel,
    FulfilmentState,
    PrivacyRequest,
    PrivacyRequestEvent,
    RequestType,
)
from tenants.privacy_requests.service import SIGNED_IN
from tenants.privacy_requests.transitions import Status
from timeward.db.base import new_id
from timeward.db.session import Database, Scope
from timeward.identity.models import Tenant

log = structlog.get_logger(__name__)

# (employee name, type, days since receipt, contact address for the public intake or None:
# filed in the app by the employee's own login). Due 30 days after receipt: 33 days ago is
# overdue, 28 red (2 days left), 22 and 24 amber, 3 and 1 green.
DEMO_REQUESTS = (
    ("Aylin Demir", RequestType.ERASURE, 33, "aylin.demir@example.org"),
    ("Jonas Becker", RequestType.ACCESS, 28, None),
    ("Piotr Nowak", RequestType.RECTIFICATION, 22, "piotr.nowak@example.org"),
    ("Lena Hoffmann", RequestType.RESTRICTION, 24, "lena.hoffmann@example.org"),
    ("Jonas Becker", RequestType.PORTABILITY, 3, None),
    ("Lena Hoffmann", RequestType.OBJECTION, 1, "lena.hoffmann@example.org"),
)


async def seed_demo_privacy_requests(database: Database, tenant_id: UUID, now: datetime) -> int:
    """The demo's open requests, unless the tenant has any request already (or no
    employees yet). Returns how many were created."""
    async with database.transaction(Scope.TENANT, tenant_id) as session:
        existing = select(func.count()).select_from(PrivacyRequest)
        if await session.scalar(existing.where(PrivacyRequest.tenant_id == tenant_id)):
            return 0
        people = {
            e.name: e
            for e in await session.scalars(select(Employee).where(Employee.tenant_id == tenant_id))
        }
        tenant = await session.get(Tenant, tenant_id)
        assert tenant is not None
        calendar = request_calendar(tenant.country, tenant.subdivision)
        created = 0
        for name, kind, days_ago, contact in DEMO_REQUESTS:
            employee = people.get(name)
            if employee is None:
                continue
            received = now - timedelta(days=days_ago)
            due = due_on_receipt(received, calendar)
            public = contact is not None
            request = PrivacyRequest(
                tenant_id=tenant_id,
                id=new_id(),
                request_type=kind,
                channel=Channel.PUBLIC if public else Channel.APP,
                status=Status.IDENTITY_PENDING if public else Status.RECEIVED,
                subject_employee_id=employee.id,
                subject_user_id=None if public else employee.user_id,
                requester_user_id=None if public else employee.user_id,
                contact_email=contact,
                received_at=received,
                calendar_country=tenant.country,
                calendar_subdivision=tenant.subdivision,
                original_due_date=due,
                due_date=due,
                identity_verified_at=None if public else received,
                identity_method=None if public else SIGNED_IN,
                identity_verified_by=None if public else employee.user_id,
                fulfilment_state=FulfilmentState.NONE,
                fulfilment_attempts=0,
                contact_scrub_pending=False,
                created_at=received,
                updated_at=received,
            )
            session.add(request)
            await session.flush()
            session.add(
                PrivacyRequestEvent(
                    tenant_id=tenant_id,
                    id=new_id(),
                    request_id=request.id,
                    seq=1,
                    at=received,
                    action="filed",
                    from_status=None,
                    to_status=request.status,
                    actor_role=None if public else "employee",
                    message=filed_summary(tenant.name, due, verified=not public),
                )
            )
            created += 1
    log.info("demo.privacy_requests_seeded", count=created)
    return created
