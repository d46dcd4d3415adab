"""Requests from authorities over HTTP, with a real SMTP server and the in-process worker:
the client is told at once without an order, not while a non-disclosure order is in
force and the moment it lapses (the sweep); a review date raises a task for staff; the
disclosure is the subject export of exactly the scope, its digest the stored one; the
public counts carry no detail; another tenant gets a 404 and non-staff a 403."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import httpx
import pytest
from sqlalchemy import select

from tests.accountability.support import audit_events
from tests.accounts import Accounts
from tests.fixtures.clock import FixedClock
from tests.fixtures.jobs import Jobs
from tests.jobs.smtp_server import SmtpServer, body, recipients
from tests.workforce.seed import Workforce, seed_workforce
from timeward.authority_requests.jobs import sweep_authority_requests
from timeward.db.session import Database, Scope
from timeward.instructions.executor import ExecutionContext, Outcome, run_instruction
from timeward.instructions.models import DataExport
from timeward.retention.policy import default_policy
from timeward.services import Services

NOW = datetime(2026, 12, 28, 9, 0, tzinfo=UTC)
PLATFORM = "/api/v1/platform/authority-requests"


@pytest.fixture(autouse=True)
def _monday(fixed_clock: FixedClock) -> None:
    fixed_clock.set(NOW)


def new_request(tenant: Accounts, subject: UUID, **overrides: Any) -> dict[str, Any]:
    return {
        "tenant_id": str(tenant.tenant_id),
        "authority": "Amtsgericht Berlin-Mitte",
        "instrument": "court order",
        "reference": "AZ 123 Gs 456/26",
        "received_at": "2026-12-27T15:00:00Z",
        "subject_ids": [str(subject)],
        "categories": ["employees", "time_entries"],
        "period_from": "2026-11-01",
        "period_to": "2026-11-30",
        "deadline": "2027-01-15",
        **overrides,
    }


async def record(
    client: httpx.AsyncClient, staff: Accounts, body_: dict[str, Any]
) -> dict[str, Any]:
    response = await client.post(PLATFORM, json=body_, headers=staff.auth("platform_staff"))
    assert response.status_code == 201, response.text
    return dict(response.json())


async def sweep(jobs: Jobs) -> None:
    sweep_authority_requests.send()
    await jobs.drain()


async def client_ids(client: httpx.AsyncClient, tenant: Accounts) -> list[str]:
    response = await client.get("/api/v1/authority-requests", headers=tenant.auth("client_admin"))
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


async def record_disclosures(client: httpx.AsyncClient, tenant: Accounts) -> list[str]:
    response = await client.get("/api/v1/processing-records", headers=tenant.auth("client_admin"))
    assert response.status_code == 200, response.text
    return [d["id"] for d in response.json()["disclosures_to_authorities"]]


@pytest.fixture
async def acme_people(client: httpx.AsyncClient, acme: Accounts) -> Workforce:
    return await seed_workforce(client, acme)


async def test_the_client_is_not_told_while_the_order_is_in_force_and_told_when_it_lapses(
    client: httpx.AsyncClient,
    jobs: Jobs,
    smtp_server: SmtpServer,
    fixed_clock: FixedClock,
    acme: Accounts,
    acme_people: Workforce,
    staff: Accounts,
) -> None:
    entry = await record(
        client,
        staff,
        new_request(
            acme,
            acme_people.employees["employee"],
            order={"kind": "until_date", "until": "2027-01-05"},
        ),
    )
    assert (entry["order_in_force"], entry["client_notified_at"]) == (True, None)
    await jobs.drain()
    await sweep(jobs)
    assert smtp_server.received == []
    assert await client_ids(client, acme) == []
    hidden = await client.get(
        f"/api/v1/authority-requests/{entry['id']}", headers=acme.auth("client_admin")
    )
    assert hidden.status_code == 404
    assert await record_disclosures(client, acme) == []
    admin = acme.auth("client_admin")
    assert await audit_events(client, admin, "authority_request.notified") == []
    page = await client.get("/api/v1/me/notifications", headers=admin)
    assert [n for n in page.json()["items"] if n["kind"].startswith("authority")] == []

    fixed_clock.set(datetime(2027, 1, 4, 23, 0, tzinfo=UTC))  # the day before: still in force
    await sweep(jobs)
    assert smtp_server.received == []

    fixed_clock.set(datetime(2027, 1, 5, 0, 10, tzinfo=UTC))  # the order has lapsed
    await sweep(jobs)
    assert recipients(smtp_server.received) == [acme.email("client_admin")]
    [mail] = smtp_server.received
    assert "Request from an authority" in str(mail["Subject"])
    text = body(mail)
    assert "AZ 123 Gs 456/26" in text and "non-disclosure order" in text
    assert await client_ids(client, acme) == [entry["id"]]
    shown = await client.get(f"/api/v1/authority-requests/{entry['id']}", headers=admin)
    assert shown.json()["notice_delayed_until"] is not None
    assert await record_disclosures(client, acme) == [entry["id"]]
    [event] = await audit_events(client, admin, "authority_request.notified")
    assert event["details"] == {"recipients": 1}

    await sweep(jobs)  # told once
    assert len(smtp_server.received) == 1
    staff_events = await audit_events(
        client, staff.auth("platform_staff"), "authority_request.order_lapsed"
    )
    assert [e["subject_id"] for e in staff_events] == [entry["id"]]


async def test_without_an_order_the_client_is_told_at_once_and_no_one_else_sees_it(
    client: httpx.AsyncClient,
    jobs: Jobs,
    smtp_server: SmtpServer,
    acme: Accounts,
    bravo: Accounts,
    acme_people: Workforce,
    staff: Accounts,
) -> None:
    entry = await record(client, staff, new_request(acme, acme_people.employees["employee"]))
    await jobs.drain()
    assert recipients(smtp_server.received) == [acme.email("client_admin")]
    assert await client_ids(client, acme) == [entry["id"]]

    other = await client.get(
        f"/api/v1/authority-requests/{entry['id']}", headers=bravo.auth("client_admin")
    )
    assert other.status_code == 404
    assert await client_ids(client, bravo) == []
    assert await record_disclosures(client, bravo) == []
    for role in ("client_manager", "employee"):
        refused = await client.get("/api/v1/authority-requests", headers=acme.auth(role))
        assert refused.status_code == 403
    for method, path in (
        ("GET", PLATFORM),
        ("GET", f"{PLATFORM}/{entry['id']}"),
        ("POST", f"{PLATFORM}/{entry['id']}/decision"),
    ):
        refused = await client.request(
            method, path, json={"decision": "refuse"}, headers=acme.auth("client_admin")
        )
        assert refused.status_code == 403, path


async def test_a_review_date_raises_a_task_for_staff_and_lifting_the_order_tells_the_client(
    client: httpx.AsyncClient,
    jobs: Jobs,
    smtp_server: SmtpServer,
    fixed_clock: FixedClock,
    acme: Accounts,
    acme_people: Workforce,
    staff: Accounts,
) -> None:
    subject = acme_people.employees["employee"]
    order = {"kind": "until_reviewed", "review_on": "2027-01-10"}
    entry = await record(client, staff, new_request(acme, subject, order=order))
    await sweep(jobs)
    assert smtp_server.received == []
    staff_headers = staff.auth("platform_staff")

    fixed_clock.set(datetime(2027, 1, 10, 7, 0, tzinfo=UTC))
    await sweep(jobs)
    staff_mails = [m for m in smtp_server.received if "Review due" in str(m["Subject"])]
    assert recipients(staff_mails) == [staff.email("platform_admin"), staff.email("platform_staff")]
    assert f"/staff/authority-requests/{entry['id']}" in body(staff_mails[0])
    assert acme.email("client_admin") not in recipients(smtp_server.received)
    shown = (await client.get(f"{PLATFORM}/{entry['id']}", headers=staff_headers)).json()
    assert (shown["review_due"], shown["order_in_force"]) == (True, True)
    [due] = await audit_events(client, staff_headers, "authority_request.review_due")
    assert due["subject_id"] == entry["id"]
    await sweep(jobs)  # the task is raised once per review date
    assert len(smtp_server.received) == 2

    too_early = await client.post(
        f"{PLATFORM}/{entry['id']}/order-review",
        json={"lift": False, "review_on": "2027-01-09"},
        headers=staff_headers,
    )
    assert too_early.status_code == 422
    lifted = await client.post(
        f"{PLATFORM}/{entry['id']}/order-review", json={"lift": True}, headers=staff_headers
    )
    assert lifted.status_code == 200, lifted.text
    assert lifted.json()["review_due"] is False
    await jobs.drain()
    assert acme.email("client_admin") in recipients(smtp_server.received)
    assert await client_ids(client, acme) == [entry["id"]]


async def test_the_disclosure_is_the_export_of_exactly_the_scope_and_its_digest_is_stored(
    client: httpx.AsyncClient,
    jobs: Jobs,
    smtp_server: SmtpServer,
    acme: Accounts,
    acme_people: Workforce,
    staff: Accounts,
) -> None:
    subject = acme_people.employees["employee"]
    admin = acme.auth("client_admin")
    for day in ("2026-11-10", "2026-10-05"):  # inside and outside the period
        made = await client.post(
            "/api/v1/time-entries",
            json={
                "employee_id": str(subject),
                "started_at": f"{day}T08:00:00Z",
                "ended_at": f"{day}T16:00:00Z",
            },
            headers=admin,
        )
        assert made.status_code == 201, made.text
    colleague = await client.post(
        "/api/v1/time-entries",
        json={
            "employee_id": str(acme_people.employees["client_manager"]),
            "started_at": "2026-11-11T08:00:00Z",
            "ended_at": "2026-11-11T16:00:00Z",
        },
        headers=admin,
    )
    assert colleague.status_code == 201, colleague.text
    entry = await record(client, staff, new_request(acme, subject))
    staff_headers = staff.auth("platform_staff")
    no_reason = await client.post(
        f"{PLATFORM}/{entry['id']}/decision",
        json={"decision": "disclose_partial"},
        headers=staff_headers,
    )
    assert no_reason.status_code == 422
    decided = await client.post(
        f"{PLATFORM}/{entry['id']}/decision",
        json={"decision": "disclose_full", "disclosed": "Time entries of November"},
        headers=staff_headers,
    )
    assert decided.status_code == 200, decided.text
    again = await client.post(
        f"{PLATFORM}/{entry['id']}/decision",
        json={"decision": "refuse", "reason": "x"},
        headers=staff_headers,
    )
    assert again.status_code == 409
    await jobs.drain()

    shown = (await client.get(f"{PLATFORM}/{entry['id']}", headers=staff_headers)).json()
    download = await client.get(f"{PLATFORM}/{entry['id']}/disclosure", headers=staff_headers)
    assert download.status_code == 200
    assert hashlib.sha256(download.content).hexdigest() == shown["disclosure"]["sha256"]
    assert shown["disclosure"]["tables"] == {"employees": 1, "time_entries": 1}
    with zipfile.ZipFile(io.BytesIO(download.content)) as archive:
        assert sorted(archive.namelist()) == [
            "README.txt",
            "csv/employees.csv",
            "csv/time_entries.csv",
            "export.json",
        ]
        document = json.loads(archive.read("export.json"))
    [row] = document["tables"]["time_entries"]["rows"]
    assert (row["employee_id"], row["started_at"][:10]) == (str(subject), "2026-11-10")
    assert document["disclosure"]["reference"] == "AZ 123 Gs 456/26"
    [event] = await audit_events(client, staff_headers, "authority_request.disclosed")
    assert event["details"]["sha256"] == shown["disclosure"]["sha256"]

    told = (await client.get(f"/api/v1/authority-requests/{entry['id']}", headers=admin)).json()
    assert told["disclosure"]["sha256"] == shown["disclosure"]["sha256"]
    record_json = await client.get("/api/v1/processing-records", headers=admin)
    [listed] = record_json.json()["disclosures_to_authorities"]
    assert (listed["decision"], listed["sha256"]) == (
        "disclose_full",
        shown["disclosure"]["sha256"],
    )


async def test_the_transparency_counts_are_right_and_carry_no_details(
    client: httpx.AsyncClient,
    jobs: Jobs,
    acme: Accounts,
    acme_people: Workforce,
    staff: Accounts,
) -> None:
    subject = acme_people.employees["employee"]
    headers = staff.auth("platform_staff")
    decisions = [
        ({"decision": "disclose_full"}, {}),
        ({"decision": "disclose_partial", "reason": "Only November"}, {}),
        (
            {"decision": "refuse", "reason": "Not our data"},
            {"kind": "until_date", "until": "2027-02-01"},
        ),
        (None, {"kind": "until_reviewed", "review_on": "2027-03-01"}),
    ]
    for n, (decision, order) in enumerate(decisions):
        entry = await record(
            client,
            staff,
            new_request(
                acme, subject, reference=f"SECRET-REF-{n}", order=order or {"kind": "none"}
            ),
        )
        if decision:
            done = await client.post(
                f"{PLATFORM}/{entry['id']}/decision", json=decision, headers=headers
            )
            assert done.status_code == 200, done.text
    await record(client, staff, new_request(acme, subject, received_at="2025-06-01T10:00:00Z"))
    await jobs.drain()

    counts = await client.get("/api/v1/public/transparency")  # no credentials
    assert counts.status_code == 200
    assert counts.json()["years"] == [
        {
            "year": 2026,
            "received": 4,
            "disclosed": 1,
            "partly": 1,
            "refused": 1,
            "notices_delayed_by_orders": 2,
        },
        {
            "year": 2025,
            "received": 1,
            "disclosed": 0,
            "partly": 0,
            "refused": 0,
            "notices_delayed_by_orders": 0,
        },
    ]
    page = await client.get("/transparency")
    assert page.status_code == 200
    for text in (counts.text, page.text):
        for detail in ("SECRET-REF", "Amtsgericht", "court order", "acme", str(acme.tenant_id)):
            assert detail not in text


async def test_bad_input_is_a_clear_4xx(
    client: httpx.AsyncClient,
    acme: Accounts,
    bravo: Accounts,
    acme_people: Workforce,
    staff: Accounts,
) -> None:
    headers = staff.auth("platform_staff")
    subject = acme_people.employees["employee"]
    cases = [
        (new_request(bravo, subject), 422),  # another tenant's employee
        (new_request(acme, subject, categories=["passwords"]), 422),
        (new_request(acme, subject, order={"kind": "until_date"}), 422),
        (new_request(acme, subject, period_from="2026-12-01", period_to="2026-11-01"), 422),
        (new_request(acme, subject, received_at="2030-01-01T00:00:00Z"), 422),
        (new_request(acme, subject, subject_ids=[]), 400),
        ({**new_request(acme, subject), "extra": 1}, 400),
    ]
    for body_, status in cases:
        response = await client.post(PLATFORM, json=body_, headers=headers)
        assert response.status_code == status, (body_, response.text)
    missing = await client.get(f"{PLATFORM}/{subject}", headers=headers)
    assert missing.status_code == 404


async def test_the_clients_returned_data_never_carries_a_request_under_an_order(
    client: httpx.AsyncClient,
    db: Database,
    services: Services,
    acme: Accounts,
    acme_people: Workforce,
    staff: Accounts,
) -> None:
    order = {"kind": "until_reviewed", "review_on": "2999-01-01"}
    await record(client, staff, new_request(acme, acme_people.employees["employee"], order=order))
    created = await client.post(
        "/api/v1/instructions", json={"kind": "return_data"}, headers=acme.auth("client_admin")
    )
    assert created.status_code == 201, created.text
    context = ExecutionContext(
        database=services.database,
        audit=services.audit,
        keys=services.keys,
        master_key=services.settings.resolve_master_key(),
        policy=default_policy(),
    )
    assert acme.tenant_id
    instruction = UUID(created.json()["instruction"]["id"])
    result = await run_instruction(context, acme.tenant_id, instruction)
    assert result.outcome == Outcome.FINISHED
    async with db.transaction(Scope.TENANT, acme.tenant_id) as session:
        content = await session.scalar(
            select(DataExport.content).where(DataExport.instruction_id == instruction)
        )
    assert content
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        names = archive.namelist()
        everything = b"".join(archive.read(name) for name in names)
    assert "employees.json" in names  # the client's data is there
    assert not [n for n in names if n.startswith("authority_requests")]
    assert b"AZ 123 Gs 456/26" not in everything
