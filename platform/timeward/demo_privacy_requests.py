"""Open privacy requests for the demo tenant, so the client admin's queue shows every
traffic-light colour on first start (docs/web.md, "Privacy requests").

Each request is made by the service's own ``new_request`` (so its deadline follows the
same rule as a real filing), received some days in the past, with its first timeline
step; unlike a filing, nobody is mailed and nothing is audited, as for the demo
workforce.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

import structlog
from sqlalchemy import func, select

from tenants.employees.models import Employee
from tenants.privacy_requests.messages import filed_summary
from tenants.privacy_requests.models import (
    Channel,
    PrivacyRequest,
    RequestType,
)
from tenants.privacy_requests.service import SIGNED_IN
from tenants.privacy_requests.service.filing import new_request
from tenants.privacy_requests.service.steps import timeline_event
from tenants.privacy_requests.transitions import Status
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
        created = 0
        for name, kind, days_ago, contact in DEMO_REQUESTS:
            employee = people.get(name)
            if employee is None:
                continue
            public = contact is not None
            request = await new_request(
                session,
                tenant_id,
                kind,
                Channel.PUBLIC if public else Channel.APP,
                now - timedelta(days=days_ago),
                status=Status.IDENTITY_PENDING if public else Status.RECEIVED,
                subject_employee_id=employee.id,
                subject_user_id=None if public else employee.user_id,
                requester_user_id=None if public else employee.user_id,
                contact_email=contact,
                identity_verified_at=None if public else now - timedelta(days=days_ago),
                identity_method=None if public else SIGNED_IN,
                identity_verified_by=None if public else employee.user_id,
            )
            session.add(
                timeline_event(
                    request,
                    1,
                    request.received_at,
                    "filed",
                    None,
                    None if public else "employee",
                    filed_summary(tenant.name, request.due_date, verified=not public),
                )
            )
            created += 1
    log.debug("demo.privacy_requests_seeded", count=created)
    return created
