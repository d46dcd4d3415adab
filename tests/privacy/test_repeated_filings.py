"""Filing again does not multiply requests or mails: the same requester filing the same
type while one is open joins it, and filings are throttled per requester (public: per
e-mail address as well as per client address; in the app: per member)."""

from __future__ import annotations

from typing import Any

import httpx

from tests.fixtures.jobs import Jobs
from tests.jobs.smtp_server import SmtpServer
from tests.privacy.companies import act, admin_view, file_request, my_view, seed_company, to
from timeward.db.session import Database

INTAKE = "/api/v1/public/privacy-requests"
MINE = "/api/v1/me/privacy-requests"


async def _queue(client: httpx.AsyncClient, headers: dict[str, str]) -> list[dict[str, Any]]:
    response = await client.get("/api/v1/privacy-requests", headers=headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def _shape(response: httpx.Response) -> tuple[int, tuple[str, ...], str]:
    return response.status_code, tuple(sorted(response.json())), response.json()["message"]


async def test_public_resubmissions_join_the_open_request_with_one_mail(
    client: httpx.AsyncClient, db: Database, jobs: Jobs, smtp_server: SmtpServer
) -> None:
    acme = await seed_company(db, client, "acme")
    person = acme.people["employee"]
    texts = ["Please erase me.", "Please erase me.", "Also the old timesheets."]
    answers = [
        await client.post(
            INTAKE, json={"email": person.email, "text": t, "request_type": "erasure"}
        )
        for t in texts
    ]
    assert len({_shape(a) for a in answers}) == 1 and answers[0].status_code == 202
    await jobs.drain()

    [request] = await _queue(client, acme.admin)
    assert request["request_type"] == "erasure"
    detail = await admin_view(client, acme, request["id"])
    assert [e["action"] for e in detail["events"]] == ["filed", "joined", "joined"]
    assert "Also the old timesheets." in detail["events"][2]["message"]
    assert "Added" not in detail["events"][1]["message"]  # the same text is not repeated
    assert len(to(smtp_server.received, person.email)) == 1
    assert len(to(smtp_server.received, acme.people["client_admin"].email)) == 1

    await client.post(
        INTAKE, json={"email": person.email, "text": "Copy", "request_type": "access"}
    )
    await jobs.drain()
    assert sorted(r["request_type"] for r in await _queue(client, acme.admin)) == [
        "access",
        "erasure",
    ]


async def test_the_public_intake_is_throttled_per_email_address(
    client: httpx.AsyncClient, db: Database
) -> None:
    target = "nobody.known@nowhere.example"  # known or not, the same limit: no oracle
    submission = {"email": target, "text": "What do you hold about me?"}
    statuses = [(await client.post(INTAKE, json=submission)).status_code for _ in range(6)]
    assert statuses == [202] * 5 + [429]
    throttled = await client.post(INTAKE, json={**submission, "email": target.upper()})
    assert throttled.status_code == 429
    assert int(throttled.headers["retry-after"]) > 0
    other = await client.post(INTAKE, json={**submission, "email": "someone.else@nowhere.example"})
    assert other.status_code == 202


async def test_a_member_filing_the_same_type_again_joins_the_open_request(
    client: httpx.AsyncClient, db: Database, jobs: Jobs, smtp_server: SmtpServer
) -> None:
    acme = await seed_company(db, client, "acme")
    first = await file_request(client, acme, "objection", details="No marketing, please.")
    again = await client.post(
        MINE, json={"request_type": "objection", "details": "Really."}, headers=acme.employee
    )
    assert again.status_code == 200, again.text
    assert again.json()["id"] == first["id"]
    mine = await my_view(client, acme, first["id"])
    assert "Really." in mine["messages"][-1]["text"]
    await jobs.drain()
    admin_mails = to(smtp_server.received, acme.people["client_admin"].email)
    assert len(admin_mails) == 1
    assert len(to(smtp_server.received, acme.people["employee"].email)) == 1

    await act(client, acme, first["id"], "refusal", {"reason": "Already out of marketing."})
    after_closing = await file_request(client, acme, "objection")
    assert after_closing["id"] != first["id"]


async def test_member_filings_are_throttled_per_member(
    client: httpx.AsyncClient, db: Database
) -> None:
    acme = await seed_company(db, client, "acme")
    kinds = ["access", "rectification", "erasure", "restriction", "portability", "objection"]
    statuses = [
        (await client.post(MINE, json={"request_type": k}, headers=acme.employee)).status_code
        for k in kinds
    ]
    assert statuses == [201] * 5 + [429]
    refused = await client.post(
        MINE, json={"request_type": "consent_withdrawal"}, headers=acme.employee
    )
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) > 0
    assert refused.json()["detail"] == "Too many privacy requests. Try again later."
    colleague = await file_request(client, acme, "access", role="client_manager")
    assert colleague["status"] == "received"
    listed = await client.get(MINE, headers=acme.employee)
    assert len(listed.json()["items"]) == 5
