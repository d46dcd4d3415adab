"""An employee's request reaches their employer, in words; the employer decides, the
requester sees each decision; illegal transitions are 409s; every change is audited."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from tests.fixtures.clock import FixedClock
from tests.fixtures.jobs import Jobs
from tests.jobs.smtp_server import SmtpServer, body
from tests.privacy.companies import (
    act,
    admin_view,
    file_request,
    my_view,
    notification_titles,
    seed_company,
    to,
)
from timeward.db.session import Database

RECEIVED = datetime(2027, 1, 15, 9, 30, tzinfo=UTC)  # a Friday


@pytest.fixture(autouse=True)
def _on_receipt_day(fixed_clock: FixedClock) -> None:
    fixed_clock.set(RECEIVED)


async def test_filing_names_the_employer_as_controller_and_the_due_date(
    client: httpx.AsyncClient, db: Database, jobs: Jobs, smtp_server: SmtpServer
) -> None:
    acme = await seed_company(db, client, "acme")
    filed = await file_request(client, acme, "access", details="Everything you hold, please.")

    # 15 Jan + 1 month = 15 Feb, + 30 days = 14 Feb: the earlier one.
    assert filed["due_date"] == "2027-02-14"
    assert filed["status"] == "received"
    assert filed["controller"] == {"name": "acme GmbH", "role": "controller"}
    assert "Your employer, acme GmbH, is the controller" in filed["explanation"]
    assert "14 February 2027" in filed["explanation"]
    assert filed["identity_verified"] is True
    assert filed["messages"][0]["text"] == filed["explanation"]

    await jobs.drain()
    [mail] = to(smtp_server.received, acme.people["employee"].email)
    text = body(mail)
    assert "acme GmbH, your employer, is the controller" in text
    assert "will answer you" in text
    assert "14 February 2027" in text
    assert filed["id"] in text
    [admin_mail] = to(smtp_server.received, acme.accounts.email("client_admin"))
    assert "New privacy request (access), due 2027-02-14" in str(admin_mail["Subject"])
    assert acme.people["employee"].name not in body(admin_mail)  # admins' mail names nobody
    assert to(smtp_server.received, acme.accounts.email("client_manager")) == []
    titles = await notification_titles(db, acme.tenant_id, acme.accounts.user_id("employee"))
    assert titles == ["Your privacy request has reached acme GmbH"]
    admin_titles = await notification_titles(
        db, acme.tenant_id, acme.accounts.user_id("client_admin")
    )
    assert admin_titles == ["New privacy request (access), due 2027-02-14"]

    mine = await client.get("/api/v1/me/privacy-requests", headers=acme.employee)
    assert [r["id"] for r in mine.json()["items"]] == [filed["id"]]
    queue = await client.get("/api/v1/privacy-requests", headers=acme.admin)
    [item] = queue.json()["items"]
    assert (item["id"], item["subject_name"]) == (filed["id"], acme.people["employee"].name)
    assert item["deadline"]["traffic_light"] == "green"
    detail = await admin_view(client, acme, filed["id"])
    assert detail["details"] == "Everything you hold, please."
    assert detail["contact_email"] == acme.people["employee"].email
    assert detail["identity"] == {
        "verified": True,
        "verified_at": detail["identity"]["verified_at"],
        "method": "signed_in",
    }


async def test_refusal_needs_a_reason_the_requester_sees(
    client: httpx.AsyncClient, db: Database, jobs: Jobs, smtp_server: SmtpServer
) -> None:
    acme = await seed_company(db, client, "acme")
    filed = await file_request(client, acme, "erasure")

    for payload in ({}, {"reason": ""}, {"reason": "   "}):
        await act(client, acme, filed["id"], "refusal", payload, expect=400)
    reason = "We must keep your records while your employment contract runs."
    refused = await act(client, acme, filed["id"], "refusal", {"reason": reason})
    assert refused["status"] == "refused"
    assert refused["refusal_reason"] == reason

    mine = await my_view(client, acme, filed["id"])
    assert (mine["status"], mine["refusal_reason"]) == ("refused", reason)
    assert any(reason in m["text"] for m in mine["messages"])
    await jobs.drain()
    mails = to(smtp_server.received, acme.people["employee"].email)
    assert any(reason in body(m) and "refused" in str(m["Subject"]) for m in mails)
    # Final: nothing more can happen to it.
    await act(client, acme, filed["id"], "completion", {}, expect=409)
    await act(client, acme, filed["id"], "refusal", {"reason": "again"}, expect=409)
    extended = await act(
        client,
        acme,
        filed["id"],
        "extension",
        {"due_date": "2027-03-01", "reason": "More time"},
        expect=409,
    )
    assert extended["reason"] == "illegal_transition"


async def test_illegal_transitions_are_409_and_every_change_is_audited(
    client: httpx.AsyncClient, db: Database, idle_jobs: Jobs
) -> None:
    acme = await seed_company(db, client, "acme")
    filed = await file_request(client, acme, "objection")

    # Completing before anything was done, or verifying an identity already known.
    refused = await act(client, acme, filed["id"], "completion", {}, expect=409)
    assert refused["reason"] == "not_fulfilled"
    again = await act(client, acme, filed["id"], "identity", {"method": "other"}, expect=409)
    assert again["reason"] == "already_verified"
    wrong = await act(client, acme, filed["id"], "export", expect=409)
    assert wrong["reason"] == "wrong_request_type"
    assert wrong["detail"].startswith("This is an objection request:"), wrong["detail"]

    applied = await act(client, acme, filed["id"], "flags")
    assert applied["status"] == "in_progress"
    done = await act(client, acme, filed["id"], "completion", {"note": "Done for you."})
    assert done["status"] == "completed"
    assert [e["action"] for e in done["events"]] == [
        "filed",
        "flags_started",
        "flags_applied",
        "completed",
    ]
    assert [(e["from_status"], e["to_status"]) for e in done["events"]] == [
        (None, "received"),
        ("received", "in_progress"),
        ("in_progress", "in_progress"),
        ("in_progress", "completed"),
    ]

    audit = await client.get(
        "/api/v1/audit-events", params={"subject_id": filed["id"]}, headers=acme.admin
    )
    actions = [e["action"] for e in reversed(audit.json()["items"])]
    assert actions == [
        "privacy_request.filed",
        "privacy_request.flags_started",
        "privacy_request.flags_applied",
        "privacy_request.completed",
    ]
    completed = audit.json()["items"][0]
    assert completed["details"] == {
        "type": "objection",
        "status": "completed",
        "from": "in_progress",
    }
    assert completed["actor_id"] == str(acme.accounts.user_id("client_admin"))
