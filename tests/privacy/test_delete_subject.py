"""A client admin's delete_subject instruction for an employee the controller never erased,
over HTTP and through the real executor: afterwards the person cannot sign in or clock in,
none of their values is in any column or stored file of the tenant, and the signed
certificate counts exactly that person's rows, each kept set with its basis."""

from __future__ import annotations

from typing import Any

import asyncpg
import httpx

from tests.fixtures.jobs import Jobs
from tests.instructions.support import instruct, wait_for_status
from tests.privacy.companies import Company, assert_others_untouched, seed_company, working_life
from tests.privacy.rows import assert_every_row_accounted, subject_rows
from tests.privacy.scan import scan_everything
from tests.web.pages import sign_in
from tests.workforce.seed import AT_HQ
from timeward.db.bootstrap import DatabaseUrls
from timeward.db.session import Database
from timeward.instructions.certificate import verify

DONE = {"completed", "partially_completed", "failed"}
PASSWORD = "correct horse battery staple"


async def _returned_data(client: httpx.AsyncClient, company: Company, jobs: Jobs) -> str:
    created = await instruct(client, company.accounts, kind="return_data")
    await jobs.drain()
    instruction_id: str = created["instruction"]["id"]
    done = await wait_for_status(client, company.accounts, instruction_id, DONE)
    assert done["instruction"]["status"] == "completed", done
    return instruction_id


async def _certificate(client: httpx.AsyncClient, company: Company, instruction_id: str) -> Any:
    response = await client.get(
        f"/api/v1/instructions/{instruction_id}/certificate", headers=company.admin
    )
    assert response.status_code == 200, response.text
    certificate = response.json()
    jwks = (await client.get("/.well-known/jwks.json")).json()
    assert verify(certificate["jws"], jwks) == certificate["payload"]
    return certificate["payload"]


async def test_delete_subject_erases_a_never_erased_employee_everywhere(
    client: httpx.AsyncClient,
    db: Database,
    owner: asyncpg.Pool,
    database_urls: DatabaseUrls,
    jobs: Jobs,
) -> None:
    acme = await seed_company(db, client, "acme")
    bystander = await seed_company(db, client, "bystander")
    life = await working_life(client, acme)
    person = acme.people["employee"]
    employee_id, user_id = acme.employees["employee"], acme.accounts.user_id("employee")
    returned = await _returned_data(client, acme, jobs)
    await sign_in(client, person.email, "acme")  # signed in to the web pages too
    tenants = [acme.tenant_id, bystander.tenant_id]
    before = await scan_everything(owner, database_urls, tenants, person.values())
    assert {"employees.name: name", "time_entries.notes: phone"} <= set(before)
    assert "data_exports.content/employees.json: employee number" in before  # zip opened
    expected = await subject_rows(owner, acme.tenant_id, employee_id, user_id)
    assert expected["clock_events"] == 2 and expected["privacy_requests"] == 1
    assert expected["browser_sessions"] == 1

    created = await instruct(
        client, acme.accounts, kind="delete_subject", subject_id=str(employee_id)
    )
    await jobs.drain()
    detail = await wait_for_status(client, acme.accounts, created["instruction"]["id"], DONE)
    assert detail["instruction"]["status"] == "completed", detail

    payload = await _certificate(client, acme, created["instruction"]["id"])
    assert payload["outcome"] == "completed"
    tables = {t["table"]: t for t in payload["tables"]}
    assert_every_row_accounted(tables, expected)
    assert tables["employees"]["anonymised"] == 1
    assert tables["memberships"]["removed"] == 1
    assert tables["browser_sessions"]["removed"] == 1  # the web session is gone with them
    assert tables["notifications"]["removed"] == expected["notifications"] > 0
    assert tables["time_entries"]["retained"] == 1
    assert tables["time_entries"]["basis"].startswith("Working-time records")
    assert tables["clock_events"]["retained"] == 2
    assert tables["privacy_requests"]["basis"].startswith("The record of your privacy request")
    assert tables["data_exports"]["removed"] == 1  # the stored zip of the returned data
    for row in payload["tables"]:
        if row["retained"] or row["anonymised"]:
            assert row["basis"], row

    # The person can no longer sign in, nor use the session they had.
    login = await client.post(
        "/api/v1/auth/token",
        json={"email": person.email, "password": PASSWORD, "tenant": "acme"},
    )
    assert login.status_code == 401, login.text
    clock_in = await client.post(
        "/api/v1/clock/in",
        json={"site_id": life["site_id"], "location": AT_HQ},
        headers=acme.employee,
    )
    assert clock_in.status_code == 401, clock_in.text
    # The returned data held the person: its link says why it is gone.
    download = await client.get(f"/api/v1/instructions/{returned}/export", headers=acme.admin)
    assert download.status_code == 410, download.text
    assert "erased" in download.json()["detail"]

    assert await scan_everything(owner, database_urls, tenants, person.values()) == []
    await assert_others_untouched(client, acme, bystander)
