"""Employees over HTTP: admins manage, managers read without contact details and cannot
edit, employees see only themselves, and a restriction of processing freezes writes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

import httpx
from sqlalchemy import select

from tests.accounts import invite_and_accept, log_in_all, seed_tenant, token_pair
from tests.workforce.seed import Workforce
from timeward.audit.log import verify_tenant_chain
from timeward.audit.models import AuditEvent
from timeward.db.session import Database, Scope


async def _audit(db: Database, tenant_id: UUID) -> list[AuditEvent]:
    async with db.transaction(Scope.TENANT, tenant_id) as session:
        assert await verify_tenant_chain(session, tenant_id) is None
        rows = await session.scalars(
            select(AuditEvent).where(AuditEvent.tenant_id == tenant_id).order_by(AuditEvent.seq)
        )
        return list(rows.all())


async def test_admin_creates_and_changes_an_employee_audited_without_personal_data(
    client: httpx.AsyncClient, acme_workforce: Workforce, db: Database
) -> None:
    created = await client.post(
        "/api/v1/employees",
        json={"name": "Ada Lovelace", "work_email": "ada@acme.example", "phone": "+44 20 7946"},
        headers=acme_workforce.admin,
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["status"] == "active" and body["marketing_opt_in"] is False
    assert body["directory_excluded"] is False and body["processing_restricted"] is False
    assert body["contact"]["work_email"] == "ada@acme.example"
    changed = await client.patch(
        f"/api/v1/employees/{body['id']}",
        json={"job_title": "Analyst", "phone": None, "status": "left"},
        headers=acme_workforce.admin,
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["job_title"] == "Analyst" and changed.json()["status"] == "left"
    assert changed.json()["contact"]["phone"] is None
    events = [e for e in await _audit(db, acme_workforce.accounts.tenant_id or UUID(int=0))]
    updated = [e for e in events if e.action == "employee.updated"]
    assert len(updated) == 1 and updated[0].details == {"fields": ["job_title", "phone", "status"]}
    assert "Ada" not in str([e.details for e in events])


async def test_managers_read_employees_without_contact_details_and_cannot_edit(
    client: httpx.AsyncClient, acme_workforce: Workforce
) -> None:
    target = acme_workforce.employees["employee"]
    listed = await client.get("/api/v1/employees", headers=acme_workforce.manager)
    one = await client.get(f"/api/v1/employees/{target}", headers=acme_workforce.manager)
    assert listed.status_code == one.status_code == 200
    assert {e["contact"] is None for e in listed.json()["items"]} == {True}
    assert one.json()["contact"] is None and one.json()["name"]
    edit = await client.patch(
        f"/api/v1/employees/{target}", json={"job_title": "Boss"}, headers=acme_workforce.manager
    )
    create = await client.post(
        "/api/v1/employees", json={"name": "X"}, headers=acme_workforce.manager
    )
    restrict = await client.patch(
        f"/api/v1/employees/{target}",
        json={"processing_restricted": True},
        headers=acme_workforce.manager,
    )
    assert [r.status_code for r in (edit, create, restrict)] == [403, 403, 403]
    as_admin = await client.get(f"/api/v1/employees/{target}", headers=acme_workforce.admin)
    assert as_admin.json()["job_title"] == "employee"
    assert as_admin.json()["contact"]["phone"] == "+49 30 1234567"


async def test_employees_cannot_read_colleagues(
    client: httpx.AsyncClient, acme_workforce: Workforce
) -> None:
    colleague = acme_workforce.employees["colleague"]
    manager_record = acme_workforce.employees["client_manager"]
    entry = await client.post(
        "/api/v1/time-entries",
        json={
            "employee_id": str(colleague),
            "started_at": (datetime.now(UTC) - timedelta(hours=9)).isoformat(),
            "ended_at": (datetime.now(UTC) - timedelta(hours=1)).isoformat(),
        },
        headers=acme_workforce.manager,
    )
    assert entry.status_code == 201
    denied = [
        await client.get("/api/v1/employees", headers=acme_workforce.employee),
        await client.get(f"/api/v1/employees/{colleague}", headers=acme_workforce.employee),
        await client.get(f"/api/v1/employees/{manager_record}", headers=acme_workforce.employee),
        await client.get(
            f"/api/v1/time-entries?employee_id={colleague}", headers=acme_workforce.employee
        ),
        await client.get(
            f"/api/v1/time-entries/{entry.json()['id']}", headers=acme_workforce.employee
        ),
        await client.get(
            f"/api/v1/clock-events?employee_id={colleague}", headers=acme_workforce.employee
        ),
    ]
    assert [r.status_code for r in denied] == [403] * len(denied)
    # /me takes no one else's id: a smuggled filter is ignored, only their own data comes back.
    mine = await client.get(
        f"/api/v1/me/time-entries?employee_id={colleague}", headers=acme_workforce.employee
    )
    assert mine.status_code == 200 and mine.json()["items"] == []
    me = await client.get("/api/v1/me/employee", headers=acme_workforce.employee)
    assert me.json()["id"] == str(acme_workforce.employees["employee"])
    assert me.json()["contact"]["work_email"] == acme_workforce.accounts.email("employee")


async def test_an_account_without_employee_record_has_no_me_data(
    client: httpx.AsyncClient, acme_workforce: Workforce, db: Database
) -> None:
    await invite_and_accept(client, db, acme_workforce.accounts, "temp@acme.example", "employee")
    token = await token_pair(client, "temp@acme.example", "acme")
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    assert (await client.get("/api/v1/me/employee", headers=headers)).status_code == 404
    assert (await client.post("/api/v1/clock/in", json={}, headers=headers)).status_code == 404
    policy = await client.get("/api/v1/me/clock-policy", headers=headers)
    assert policy.status_code == 200 and policy.json()["employee_record"] is False


async def test_employee_input_is_validated_with_the_field_named(
    client: httpx.AsyncClient, acme_workforce: Workforce, db: Database
) -> None:
    other = await log_in_all(client, await seed_tenant(db, "globex"))
    cases = {
        "work_email": {"name": "A", "work_email": "not-an-email"},
        "phone": {"name": "A", "phone": "call me"},
        "name": {"name": ""},
        "hire_date": {"name": "A", "hire_date": "yesterday"},
        "nickname": {"name": "A", "nickname": "unknown field"},
    }
    for field, body in cases.items():
        response = await client.post("/api/v1/employees", json=body, headers=acme_workforce.admin)
        assert response.status_code == 400, (field, response.text)
        assert field in str(response.json()["errors"]), field
    for user_id in (UUID(int=7), other.user_id("employee")):
        stranger = await client.post(
            "/api/v1/employees",
            json={"name": "A", "user_id": str(user_id)},
            headers=acme_workforce.admin,
        )
        assert stranger.status_code == 422
        assert stranger.json()["errors"][0]["key"] == "user_id"
    taken_user = await client.post(
        "/api/v1/employees",
        json={"name": "A", "user_id": str(acme_workforce.accounts.user_id("employee"))},
        headers=acme_workforce.admin,
    )
    taken_number = await client.post(
        "/api/v1/employees",
        json={"name": "A", "employee_number": "E001"},
        headers=acme_workforce.admin,
    )
    assert (taken_user.status_code, taken_number.status_code) == (409, 409)


async def test_employee_list_is_paginated_and_bounded(
    client: httpx.AsyncClient, acme_workforce: Workforce
) -> None:
    first = await client.get("/api/v1/employees?limit=3", headers=acme_workforce.admin)
    assert len(first.json()["items"]) == 3 and first.json()["next_offset"] == 3
    rest = await client.get("/api/v1/employees?limit=3&offset=3", headers=acme_workforce.admin)
    assert len(rest.json()["items"]) == 1 and rest.json()["next_offset"] is None
    names = [e["name"] for e in first.json()["items"] + rest.json()["items"]]
    assert names == sorted(names) and len(set(names)) == 4
    left = await client.get("/api/v1/employees?status=left", headers=acme_workforce.admin)
    assert left.json()["items"] == []
    for query, field in (("limit=201", "limit"), ("limit=0", "limit"), ("offset=-1", "offset")):
        response = await client.get(f"/api/v1/employees?{query}", headers=acme_workforce.admin)
        assert response.status_code == 400, query
        assert response.json()["errors"][0]["key"] == field


async def test_restriction_of_processing_blocks_every_write_but_not_reads(
    client: httpx.AsyncClient, acme_workforce: Workforce, db: Database
) -> None:
    target = acme_workforce.employees["employee"]
    start = (datetime.now(UTC) - timedelta(hours=3)).isoformat()
    assert (
        await client.post("/api/v1/clock/in", json={"at": start}, headers=acme_workforce.employee)
    ).is_success
    out = await client.post("/api/v1/clock/out", json={}, headers=acme_workforce.employee)
    entry_id = out.json()["time_entry_id"]
    restricted = await client.patch(
        f"/api/v1/employees/{target}",
        json={"processing_restricted": True},
        headers=acme_workforce.admin,
    )
    assert restricted.status_code == 200 and restricted.json()["processing_restricted"] is True

    manual = {
        "employee_id": str(target),
        "started_at": (datetime.now(UTC) - timedelta(days=2, hours=8)).isoformat(),
        "ended_at": (datetime.now(UTC) - timedelta(days=2)).isoformat(),
    }
    writes = {
        "edit employee": await client.patch(
            f"/api/v1/employees/{target}",
            json={"job_title": "Changed"},
            headers=acme_workforce.admin,
        ),
        "restriction plus edit": await client.patch(
            f"/api/v1/employees/{target}",
            json={"processing_restricted": True, "phone": None},
            headers=acme_workforce.admin,
        ),
        "clock in": await client.post("/api/v1/clock/in", json={}, headers=acme_workforce.employee),
        "clock out": await client.post(
            "/api/v1/clock/out", json={}, headers=acme_workforce.employee
        ),
        "manual entry": await client.post(
            "/api/v1/time-entries", json=manual, headers=acme_workforce.manager
        ),
        "edit entry": await client.patch(
            f"/api/v1/time-entries/{entry_id}", json={"notes": "x"}, headers=acme_workforce.manager
        ),
        "approve entry": await client.post(
            f"/api/v1/time-entries/{entry_id}/approval",
            json={"state": "approved"},
            headers=acme_workforce.manager,
        ),
    }
    statuses = {name: response.status_code for name, response in writes.items()}
    assert statuses == dict.fromkeys(writes, 409)
    for response in writes.values():
        assert "restricted" in response.json()["detail"]

    reads = [
        await client.get(f"/api/v1/employees/{target}", headers=acme_workforce.admin),
        await client.get(f"/api/v1/time-entries/{entry_id}", headers=acme_workforce.manager),
        await client.get(
            f"/api/v1/time-entries?employee_id={target}", headers=acme_workforce.manager
        ),
        await client.get(
            f"/api/v1/clock-events?employee_id={target}", headers=acme_workforce.manager
        ),
        await client.get("/api/v1/me/employee", headers=acme_workforce.employee),
        await client.get("/api/v1/me/time-entries", headers=acme_workforce.employee),
        await client.get("/api/v1/me/clock-events", headers=acme_workforce.employee),
    ]
    assert [r.status_code for r in reads] == [200] * len(reads)
    assert reads[0].json()["job_title"] == "employee"
    assert len(reads[6].json()["items"]) == 2

    lifted = await client.patch(
        f"/api/v1/employees/{target}",
        json={"processing_restricted": False},
        headers=acme_workforce.admin,
    )
    assert lifted.status_code == 200
    assert (
        await client.post("/api/v1/clock/in", json={}, headers=acme_workforce.employee)
    ).status_code == 201
    actions = [e.action for e in await _audit(db, acme_workforce.accounts.tenant_id or UUID(int=0))]
    assert "employee.restriction_set" in actions and "employee.restriction_lifted" in actions
