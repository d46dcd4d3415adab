"""Privacy requests for the authorization matrix: one object in the right state for every
route a role may call once (each allowed call spends or reads its own)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from uuid import UUID, uuid4

import httpx

from tenants.employees.models import Employee
from tenants.privacy_requests import service
from tenants.privacy_requests.models import RequestType
from tests.accounts import Accounts
from timeward import clock
from timeward.acting import Acting
from timeward.db.session import Database, Scope
from timeward.notifications.service import notify
from timeward.services import Services

TENANT_ROLES = ("client_admin", "client_manager", "employee")


@dataclass
class PrivacyWorld:
    own: dict[str, str] = field(default_factory=dict)  # role -> a request it filed (with export)
    notifications: dict[str, str] = field(default_factory=dict)  # role -> one of its own
    ids: dict[str, str] = field(default_factory=dict)  # purpose -> request id
    # (confirm | cancel) -> role -> its portability request with a transfer awaiting
    transfers: dict[str, dict[str, str]] = field(default_factory=dict)
    limited_employee: str = ""  # an employee with a location limit (an upheld objection)
    due: dict[str, date] = field(default_factory=dict)

    def extension(self) -> dict[str, Any]:
        new_due = self.due["extend"] + timedelta(days=1)
        return {"due_date": new_due.isoformat(), "reason": "Matrix"}


async def _file(
    client: httpx.AsyncClient, tenant: Accounts, role: str, kind: str
) -> dict[str, Any]:
    response = await client.post(
        "/api/v1/me/privacy-requests", json={"request_type": kind}, headers=tenant.auth(role)
    )
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def _unlinked(
    client: httpx.AsyncClient, db: Database, services: Services, tenant: Accounts, kind: str
) -> str:
    """A verified request about a person without an account (a restriction is then set, so
    no route the matrix calls as a member is frozen by it; an erasure preview touches
    nobody the other routes use)."""
    assert tenant.tenant_id is not None
    admin = tenant.auth("client_admin")
    person = await client.post(
        "/api/v1/employees",
        json={"name": f"{kind} of {tenant.slug}", "employee_number": f"E-{kind}"},
        headers=admin,
    )
    assert person.status_code == 201, person.text
    async with db.transaction(Scope.TENANT, tenant.tenant_id) as session:
        filed = await service.file_from_intake(
            session,
            services.audit,
            tenant.tenant_id,
            uuid4(),
            (UUID(person.json()["id"]), None),
            f"{kind}@{tenant.slug}.example",
            RequestType(kind),
            None,
            clock.now(),
        )
        assert filed is not None
    path = f"/api/v1/privacy-requests/{filed.id}"
    steps = [("identity", {"method": "other"})]
    if kind == RequestType.RESTRICTION:
        steps.append(("flags", {}))
    for step, body in steps:
        done = await client.post(f"{path}/{step}", json=body, headers=admin)
        assert done.status_code == 200, done.text
    return str(filed.id)


async def seed_privacy_world(
    client: httpx.AsyncClient, db: Database, services: Services, tenant: Accounts
) -> PrivacyWorld:
    assert tenant.tenant_id is not None
    tenant_id = tenant.tenant_id
    world = PrivacyWorld()
    now = clock.now()
    for role in TENANT_ROLES:
        world.own[role] = (await _file(client, tenant, role, "access"))["id"]
    for purpose, kind in (
        ("extend", "access"),
        ("refuse", "access"),
        ("export", "portability"),
        ("erase", "erasure"),
        ("rectify", "rectification"),
        ("flags", "objection"),
        ("complete", "consent_withdrawal"),
        ("read", "access"),
    ):
        # The service, not the route: the route would join same-type filings and throttle.
        async with db.transaction(Scope.TENANT, tenant_id) as session:
            by = Acting(tenant.user_id("employee"), "employee")
            filed = await service.file_own(
                session, services.audit, tenant_id, by, RequestType(kind), None, now
            )
            world.ids[purpose], world.due[purpose] = str(filed.id), filed.due_date
    applied = await client.post(
        f"/api/v1/privacy-requests/{world.ids['complete']}/flags",
        headers=tenant.auth("client_admin"),
    )
    assert applied.status_code == 200, applied.text
    world.ids["lift"] = await _unlinked(client, db, services, tenant, "restriction")
    world.ids["preview"] = await _unlinked(client, db, services, tenant, "erasure")
    limited = await client.post(
        "/api/v1/employees",
        json={"name": f"Objector of {tenant.slug}"},
        headers=tenant.auth("client_admin"),
    )
    assert limited.status_code == 201, limited.text
    world.limited_employee = limited.json()["id"]
    async with db.transaction(Scope.TENANT, tenant_id) as session:
        # as an upheld objection to location leaves it (tests/privacy/test_objections.py)
        employee = await session.get(Employee, (tenant_id, UUID(world.limited_employee)))
        assert employee is not None
        employee.location_limit = "geofence"
    async with db.transaction(Scope.TENANT, tenant_id) as session:
        pending = await service.file_from_intake(
            session,
            services.audit,
            tenant_id,
            uuid4(),
            (None, tenant.user_id("employee")),
            tenant.email("employee"),
            RequestType.ACCESS,
            None,
            now,
        )
        assert pending is not None
        world.ids["verify"] = str(pending.id)
        content = b"PK\x05\x06" + bytes(18)  # an empty zip
        digest = hashlib.sha256(content).hexdigest()
        for request_id in [*world.own.values(), world.ids["read"]]:
            request = await service.get_request(session, tenant_id, UUID(request_id))
            await service.store_export(session, request, content, digest, "1", now, 7)
        for purpose in ("confirm", "cancel"):
            world.transfers[purpose] = {}
            for role in TENANT_ROLES:
                by = Acting(tenant.user_id(role), role)
                kind = RequestType.PORTABILITY
                filed = await service.file_own(
                    session, services.audit, tenant_id, by, kind, None, now
                )
                service.name_recipient(filed, service.Recipient("Matrix Ltd", "m@matrix.example"))
                export = await service.store_export(session, filed, content, digest, "1", now, 7)
                assert await service.await_confirmation(session, services.audit, filed, export)
                world.transfers[purpose][role] = str(filed.id)
        for role in TENANT_ROLES:
            [notification] = await notify(
                session, tenant_id, [tenant.user_id(role)], "matrix.test", "Matrix", "Hello"
            )
            world.notifications[role] = str(notification)
    return world
