"""An erasure reaches the whole person, whichever of their two handles the request names.

A person can be known to their employer by a login (membership) and by an employee record.
A request filed before the record existed names only the login; a public request matched
by a work e-mail the record was never linked to names only the record. Either way, once
the admin has run the erasure: the person cannot sign in (API or page), none of their
values is stored anywhere, the report counts exactly their rows, the preview said the
same, and the request completes.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg
import httpx
import pytest

from tests.accounts import PASSWORD
from tests.fixtures.jobs import Jobs
from tests.privacy.companies import (
    Company,
    Person,
    act,
    admin_view,
    assert_others_untouched,
    notification_titles,
    seed_company,
)
from tests.privacy.rows import assert_every_row_accounted, subject_rows
from tests.privacy.scan import scan_everything
from tests.web.pages import sign_in
from timeward.db.bootstrap import DatabaseUrls
from timeward.db.session import Database
from timeward.identity.service import add_member

INTAKE = "/api/v1/public/privacy-requests"
# The step that starts the job adds its own timeline entry, audit event, mail and
# notification after the preview was taken: those tables grow by it, the others agree.
GROW_BY_THE_STEP = {"audit_events", "privacy_request_events", "outbound_emails", "notifications"}


def newcomer(slug: str) -> Person:
    return Person(
        name=f"Ottokar Mirabellenhain-{slug}",
        email=f"ottokar@{slug}.example",
        phone="+49 30 5550172",
        address=f"Schlehenpfad 7, {slug} Strasse, 10999 Berlin",
        number=f"PN-{slug}-otto",
    )


async def create_record(
    client: httpx.AsyncClient, company: Company, person: Person, user_id: UUID | None
) -> UUID:
    payload: dict[str, Any] = {
        "name": person.name,
        "work_email": person.email,
        "phone": person.phone,
        "postal_address": person.address,
        "employee_number": person.number,
        "job_title": "Warehouse",
        "hire_date": "2025-01-01",
    }
    if user_id is not None:
        payload["user_id"] = str(user_id)
    response = await client.post("/api/v1/employees", json=payload, headers=company.admin)
    assert response.status_code == 201, response.text
    return UUID(response.json()["id"])


async def file_publicly(
    client: httpx.AsyncClient, company: Company, person: Person, jobs: Jobs
) -> Any:
    response = await client.post(
        INTAKE,
        json={"email": person.email, "text": f"Erase me, {person.name}", "request_type": "erasure"},
    )
    assert response.status_code == 202, response.text
    await jobs.drain()
    queue = (await client.get("/api/v1/privacy-requests", headers=company.admin)).json()["items"]
    [request] = [r for r in queue if r["request_type"] == "erasure"]
    return request


async def token_status(client: httpx.AsyncClient, person: Person, tenant: str) -> int:
    response = await client.post(
        "/api/v1/auth/token", json={"email": person.email, "password": PASSWORD, "tenant": tenant}
    )
    return response.status_code


async def erase_and_check(
    client: httpx.AsyncClient,
    owner: asyncpg.Pool,
    database_urls: DatabaseUrls,
    jobs: Jobs,
    acme: Company,
    bystander: Company,
    person: Person,
    request_id: str,
    employee_id: UUID,
    user_id: UUID,
) -> None:
    tenants = [acme.tenant_id, bystander.tenant_id]
    assert await token_status(client, person, "acme") == 200
    assert (await sign_in(client, person.email, "acme")).status_code == 303
    assert (await client.get("/home")).status_code == 200  # a live web session
    before = await scan_everything(owner, database_urls, tenants, person.values())
    assert {"employees.name: name", "users.email: email"} <= set(before)
    expected = await subject_rows(owner, acme.tenant_id, employee_id, user_id)
    assert expected["employees"] == expected["memberships"] == expected["browser_sessions"] == 1

    await act(client, acme, request_id, "identity", {"method": "id_document"})
    path = f"/api/v1/privacy-requests/{request_id}/erasure-preview"
    preview = await client.get(path, headers=acme.admin)
    assert preview.status_code == 200, preview.text
    previewed = {t["table"]: t for t in preview.json()["report"]["tables"]}
    assert previewed["employees"]["anonymised"] == 1
    assert previewed["memberships"]["removed"] == 1

    await act(client, acme, request_id, "erasure", expect=202)
    await jobs.drain()
    done = await admin_view(client, acme, request_id)
    assert done["fulfilment"]["state"] == "done", done["fulfilment"]
    report = done["fulfilment"]["report"]
    assert report["subject"] == {"employee_id": str(employee_id), "user_id": str(user_id)}
    tables = {t["table"]: t for t in report["tables"]}
    expected["privacy_request_events"] = tables["privacy_request_events"]["retained"]
    assert_every_row_accounted(tables, expected)
    assert tables["employees"]["anonymised"] == 1
    assert tables["memberships"]["removed"] == 1
    assert tables["browser_sessions"]["removed"] == 1
    settled = {n: t for n, t in tables.items() if n not in GROW_BY_THE_STEP}
    assert settled == {n: t for n, t in previewed.items() if n not in GROW_BY_THE_STEP}
    assert report["login_account"] != "none"

    # What the person checks: no way in, by token or by page, old session dead.
    assert await token_status(client, person, "acme") == 401
    assert (await client.get("/home")).status_code == 303
    assert (await sign_in(client, person.email, "acme")).status_code != 303
    record = await client.get(f"/api/v1/employees/{employee_id}", headers=acme.admin)
    assert record.json()["name"] == "Erased employee" and record.json()["user_id"] is None

    completed = await act(client, acme, request_id, "completion", {"note": "Done."})
    assert completed["status"] == "completed"
    await jobs.drain()
    assert await scan_everything(owner, database_urls, tenants, person.values()) == []
    await assert_others_untouched(client, acme, bystander)


@pytest.mark.parametrize("named", ["login only", "work e-mail only"])
async def test_the_erasure_reaches_record_and_login_whichever_the_request_names(
    client: httpx.AsyncClient,
    db: Database,
    owner: asyncpg.Pool,
    database_urls: DatabaseUrls,
    jobs: Jobs,
    named: str,
) -> None:
    """login only: filed while the person had only a login; the employer then added their
    record. work e-mail only: the record carries the login's address as its work e-mail
    but was never linked to the login."""
    acme = await seed_company(db, client, "acme")
    bystander = await seed_company(db, client, "bystander")
    person = newcomer("acme")
    user_id = await add_member(db, acme.tenant_id, person.email, PASSWORD, "employee")
    if named == "login only":
        filed = await file_publicly(client, acme, person, jobs)
        assert filed["subject_name"] is None  # the request names the login only
        employee_id = await create_record(client, acme, person, user_id)
    else:
        employee_id = await create_record(client, acme, person, None)
        filed = await file_publicly(client, acme, person, jobs)
        assert filed["subject_name"] == person.name
    await erase_and_check(
        client,
        owner,
        database_urls,
        jobs,
        acme,
        bystander,
        person,
        filed["id"],
        employee_id,
        user_id,
    )


async def test_a_request_matching_two_records_fails_loudly_and_changes_nothing(
    client: httpx.AsyncClient, db: Database, idle_jobs: Jobs
) -> None:
    """Once the address also names a second record, nobody can tell whose data it is: the
    start is refused, a job already queued fails at once, the admins are told, the request
    cannot be completed, and nothing of the person is touched."""
    acme = await seed_company(db, client, "acme")
    person = newcomer("acme")
    user_id = await add_member(db, acme.tenant_id, person.email, PASSWORD, "employee")
    employee_id = await create_record(client, acme, person, user_id)
    token = await client.post(
        "/api/v1/auth/token", json={"email": person.email, "password": PASSWORD, "tenant": "acme"}
    )
    mine = {"Authorization": f"Bearer {token.json()['access_token']}"}
    filed = await client.post(
        "/api/v1/me/privacy-requests", json={"request_type": "erasure"}, headers=mine
    )
    assert filed.status_code == 201, filed.text
    request_id = filed.json()["id"]
    await act(client, acme, request_id, "erasure", expect=202)  # queued; no worker yet
    namesake = await create_record(client, acme, replace_name(person), None)

    idle_jobs.start()
    await idle_jobs.drain()
    view = await admin_view(client, acme, request_id)
    assert view["fulfilment"]["state"] == "failed", view["fulfilment"]
    assert view["fulfilment"]["attempts"] == 1  # no retries: they could not settle it
    assert [e["action"] for e in view["events"]][-1] == "fulfilment_failed"
    admin = acme.accounts.user_id("client_admin")
    assert any(
        "more than one employee record or login" in t
        for t in await notification_titles(db, acme.tenant_id, admin)
    )
    refused = await act(client, acme, request_id, "completion", {}, expect=409)
    assert refused["reason"] == "not_fulfilled"
    for path in ("erasure-preview", "erasure"):
        response = await client.request(
            "GET" if path.endswith("preview") else "POST",
            f"/api/v1/privacy-requests/{request_id}/{path}",
            headers=acme.admin,
        )
        assert (response.status_code, response.json()["reason"]) == (409, "subject_unclear")
        assert "2 employee records" in response.json()["detail"]
    record = await client.get(f"/api/v1/employees/{employee_id}", headers=acme.admin)
    assert record.json()["name"] == person.name
    other = await client.get(f"/api/v1/employees/{namesake}", headers=acme.admin)
    assert other.json()["contact"]["work_email"] == person.email
    assert await token_status(client, person, "acme") == 200


def replace_name(person: Person) -> Person:
    """Another record carrying the same work e-mail (a typo, a rehire, a shared inbox)."""
    return Person(
        name="Gundula Holunderbusch",
        email=person.email,
        phone="+49 30 5550999",
        address="Fliederweg 2, 10999 Berlin",
        number="PN-other",
    )
