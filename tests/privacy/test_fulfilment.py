"""Rectification, restriction, objection and consent withdrawal end to end over HTTP:
the client admin carries the request out in the product, the change is audited, and the
requester is told."""

from __future__ import annotations

from typing import Any

import httpx

from tests.fixtures.jobs import Jobs
from tests.jobs.smtp_server import SmtpServer, body
from tests.privacy.companies import Company, act, file_request, my_view, seed_company, to
from timeward.db.session import Database


async def employee(client: httpx.AsyncClient, company: Company, role: str = "employee") -> Any:
    response = await client.get(
        f"/api/v1/employees/{company.employees[role]}", headers=company.admin
    )
    assert response.status_code == 200, response.text
    return response.json()


async def audit_actions(client: httpx.AsyncClient, company: Company, subject: str) -> list[str]:
    events = await client.get(
        "/api/v1/audit-events", params={"subject_id": subject}, headers=company.admin
    )
    return [e["action"] for e in reversed(events.json()["items"])]


async def test_rectification_is_an_audited_edit(
    client: httpx.AsyncClient, db: Database, jobs: Jobs, smtp_server: SmtpServer
) -> None:
    acme = await seed_company(db, client, "acme")
    filed = await file_request(client, acme, "rectification", details="My name is misspelt.")

    bad = await act(client, acme, filed["id"], "rectification", {"salary": 1}, expect=400)
    assert bad["status"] == 400
    await act(client, acme, filed["id"], "rectification", {}, expect=422)
    fixed = await act(
        client,
        acme,
        filed["id"],
        "rectification",
        {"name": "Quirinus Zwetschgenbaum", "phone": "+49 30 999999", "hire_date": "2023-11-06"},
    )
    assert fixed["fulfilment"]["report"] == {"fields": ["hire_date", "name", "phone"]}
    record = await employee(client, acme)
    assert (record["name"], record["contact"]["phone"]) == (
        "Quirinus Zwetschgenbaum",
        "+49 30 999999",
    )
    actions = await audit_actions(client, acme, str(acme.employees["employee"]))
    assert actions[-1] == "employee.updated"
    done = await act(client, acme, filed["id"], "completion", {})
    assert done["status"] == "completed"

    mine = await my_view(client, acme, filed["id"])
    assert any("Corrected: hire_date, name, phone." in m["text"] for m in mine["messages"])
    await jobs.drain()
    mails = to(smtp_server.received, acme.people["employee"].email)
    [told] = [body(m) for m in mails if "your data was corrected" in str(m["Subject"])]
    # The requester can verify the correction: each field named, the new value quoted
    # where it only identifies the record, contact details named but never quoted.
    assert '- name: now "Quirinus Zwetschgenbaum"' in told
    assert '- hire date: now "6 November 2023"' in told
    assert "- phone: changed (the new value is not repeated in e-mail)" in told
    assert "+49 30 999999" not in told
    others = [p.name for role, p in acme.people.items() if role != "employee"]
    assert not [name for name in others if name in told]  # nobody else's data
    # the values themselves never reach the audit log
    events = await client.get(
        "/api/v1/audit-events",
        params={"subject_id": str(acme.employees["employee"])},
        headers=acme.admin,
    )
    assert "Quirinus Zwetschgenbaum" not in events.text


async def test_restriction_freezes_the_data(
    client: httpx.AsyncClient, db: Database, jobs: Jobs, smtp_server: SmtpServer
) -> None:
    acme = await seed_company(db, client, "acme")
    site = await client.post("/api/v1/sites", json={"name": "HQ"}, headers=acme.admin)
    filed = await file_request(client, acme, "restriction")
    applied = await act(client, acme, filed["id"], "flags")
    assert applied["fulfilment"]["report"] == {"flags": {"processing_restricted": True}}
    assert (await employee(client, acme))["processing_restricted"] is True

    # Writes touching the person's data are refused; reads still work.
    clock_in = await client.post(
        "/api/v1/clock/in", json={"site_id": site.json()["id"]}, headers=acme.employee
    )
    assert (clock_in.status_code, clock_in.json()["reason"]) == (409, "processing_restricted")
    edit = await client.patch(
        f"/api/v1/employees/{acme.employees['employee']}",
        json={"job_title": "Other"},
        headers=acme.admin,
    )
    assert edit.status_code == 409
    assert (await client.get("/api/v1/me/employee", headers=acme.employee)).status_code == 200
    # A rectification waits for the restriction to be lifted.
    correction = await file_request(client, acme, "rectification")
    blocked = await act(
        client, acme, correction["id"], "rectification", {"job_title": "New"}, expect=409
    )
    assert blocked["reason"] == "processing_restricted"
    assert "employee.restriction_set" in await audit_actions(
        client, acme, str(acme.employees["employee"])
    )
    await act(client, acme, filed["id"], "completion", {})
    await jobs.drain()
    mails = to(smtp_server.received, acme.people["employee"].email)
    assert any("Your data is now frozen" in body(m) for m in mails)


async def test_objection_and_consent_withdrawal_stop_marketing_and_the_directory(
    client: httpx.AsyncClient, db: Database, jobs: Jobs
) -> None:
    acme = await seed_company(db, client, "acme")
    for role, kind in (("employee", "objection"), ("client_manager", "consent_withdrawal")):
        assert (await employee(client, acme, role))["marketing_opt_in"] is True
        filed = await file_request(client, acme, kind, role=role)
        applied = await act(client, acme, filed["id"], "flags")
        assert applied["fulfilment"]["report"] == {
            "flags": {"marketing_opt_in": False, "directory_excluded": True}
        }
        record = await employee(client, acme, role)
        assert (record["marketing_opt_in"], record["directory_excluded"]) == (False, True)
        assert record["processing_restricted"] is False
        done = await act(client, acme, filed["id"], "completion", {})
        assert done["status"] == "completed"
        mine = await my_view(client, acme, filed["id"], role)
        assert mine["status"] == "completed"
        assert "no longer used for marketing" in " ".join(m["text"] for m in mine["messages"])
