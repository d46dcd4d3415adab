"""The public intake answers the same for every address (status, body, timing); a job
routes the request to every tenant holding data for the address, identity pending; nothing
is disclosed or erased before a client admin verifies who is asking."""

from __future__ import annotations

import io
import statistics
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from tenants.privacy_requests.models import PrivacyIntake
from tests.accounts import PASSWORD
from tests.fixtures.jobs import Jobs
from tests.jobs.smtp_server import SmtpServer, body
from tests.privacy.companies import act, admin_view, seed_company, to
from timeward.config import Settings
from timeward.db.session import Database, Scope
from timeward.identity.service import add_member
from timeward.observability.logging import configure_logging

INTAKE = "/api/v1/public/privacy-requests"
SECRET_TEXT = "My landlord Xanthippe Oberwiesenthaler must not read this"


@pytest.fixture
def json_logs() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    configure_logging(json=True, stream=stream)
    yield stream
    configure_logging(json=False)


def public(email: str, text: str = SECRET_TEXT, **extra: Any) -> dict[str, Any]:
    return {"email": email, "text": text, **extra}


def shape(response: httpx.Response) -> tuple[int, tuple[str, ...], str, str]:
    data = response.json()
    return response.status_code, tuple(sorted(data)), data["status"], data["message"]


async def queue(client: httpx.AsyncClient, headers: dict[str, str]) -> list[dict[str, Any]]:
    response = await client.get("/api/v1/privacy-requests", headers=headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def intake_rows(db: Database) -> int:
    async with db.transaction(Scope.AUTH) as session:
        return int(await session.scalar(select(func.count()).select_from(PrivacyIntake)) or 0)


async def test_known_and_unknown_addresses_get_the_same_answer(
    client: httpx.AsyncClient,
    db: Database,
    idle_jobs: Jobs,
    smtp_server: SmtpServer,
    json_logs: io.StringIO,
) -> None:
    acme = await seed_company(db, client, "acme")  # knows the person by work e-mail and account
    globex = await seed_company(db, client, "globex")
    person = acme.people["employee"]
    # globex knows the same person through their account only (no employee record there).
    await add_member(db, globex.tenant_id, person.email, PASSWORD, "employee")
    bystander = await seed_company(db, client, "bystander")
    unknown = "nobody.at.all@nowhere.example"

    known_times, unknown_times, answers = [], [], []
    for _ in range(4):
        for email, times in ((person.email, known_times), (unknown, unknown_times)):
            started = time.perf_counter()
            response = await client.post(INTAKE, json=public(email, request_type="erasure"))
            times.append(time.perf_counter() - started)
            answers.append((email, response))
    known = [r for e, r in answers if e == person.email]
    strangers = [r for e, r in answers if e == unknown]
    assert {shape(r) for r in known} == {shape(r) for r in strangers}
    assert shape(known[0])[:3] == (202, ("message", "reference", "status"), "received")
    assert "If an employer using Timeward holds personal data" in known[0].json()["message"]
    assert len({r.json()["reference"] for r in known + strangers}) == 8
    assert set(known[0].headers) == set(strangers[0].headers)
    # Same work on both paths (store, enqueue): timing cannot tell them apart.
    gap = abs(statistics.median(known_times) - statistics.median(unknown_times))
    assert gap < 0.05, (known_times, unknown_times)
    assert await intake_rows(db) == 8
    assert await queue(client, acme.admin) == []  # nothing is matched inside the request

    idle_jobs.start()
    await idle_jobs.drain()
    assert await intake_rows(db) == 0  # routed, then forgotten
    acme_queue = await queue(client, acme.admin)
    globex_queue = await queue(client, globex.admin)
    assert len(acme_queue) == len(globex_queue) == 1  # the repeats joined the open request
    assert await queue(client, bystander.admin) == []
    assert {(r["status"], r["channel"], r["request_type"]) for r in acme_queue + globex_queue} == {
        ("identity_pending", "public", "erasure")
    }
    assert {r["subject_name"] for r in acme_queue} == {person.name}
    assert {r["subject_name"] for r in globex_queue} == {None}  # an account, no record
    detail = await admin_view(client, acme, acme_queue[0]["id"])
    assert (detail["contact_email"], detail["details"]) == (person.email, SECRET_TEXT)
    assert detail["identity"]["verified"] is False

    mails = to(smtp_server.received, person.email)
    employers = {"acme GmbH": 0, "globex GmbH": 0}
    for mail in mails:
        for name in employers:
            if f"has reached {name}" in str(mail["Subject"]):
                employers[name] += 1
                assert f"{name}, your employer, is the controller" in body(mail)
                assert "confirm that you are" in body(mail)
    assert employers == {"acme GmbH": 1, "globex GmbH": 1}
    assert to(smtp_server.received, unknown) == []
    assert SECRET_TEXT not in json_logs.getvalue()
    assert person.email not in json_logs.getvalue()


async def test_nothing_is_disclosed_or_erased_before_identity_is_verified(
    client: httpx.AsyncClient,
    db: Database,
    jobs: Jobs,
    smtp_server: SmtpServer,
    settings: Settings,
) -> None:
    acme = await seed_company(db, client, "acme")
    person = acme.people["employee"]
    references = {}
    for kind in ("access", "erasure"):
        response = await client.post(INTAKE, json=public(person.email, request_type=kind))
        assert response.status_code == 202
        references[kind] = response.json()["reference"]
    await jobs.drain()
    by_type = {r["request_type"]: r["id"] for r in await queue(client, acme.admin)}

    for kind, action in (("access", "export"), ("erasure", "erasure")):
        refused = await act(client, acme, by_type[kind], action, expect=409)
        assert refused["reason"] == "identity_not_verified"
    assert (await admin_view(client, acme, by_type["erasure"]))["fulfilment"]["state"] == "none"
    employee = await client.get(
        f"/api/v1/employees/{acme.employees['employee']}", headers=acme.admin
    )
    assert employee.json()["name"] == person.name

    await act(client, acme, by_type["access"], "identity", {"method": "telepathy"}, expect=400)
    verified = await act(client, acme, by_type["access"], "identity", {"method": "id_document"})
    assert verified["status"] == "in_progress"
    assert verified["identity"]["method"] == "id_document"
    await act(client, acme, by_type["access"], "export", expect=202)
    await jobs.drain()
    view = await admin_view(client, acme, by_type["access"])
    assert view["export"]["available"] is True
    zip_file = await client.get(view["export"]["download"], headers=acme.admin)
    assert zip_file.status_code == 200
    ready = [m for m in to(smtp_server.received, person.email) if "ready" in str(m["Subject"])]
    assert "acme GmbH will send it to you" in body(ready[0])  # no self-service link
    assert "confirm" not in body(ready[0])  # the identity is verified already
    # One reference everywhere: the receipt's is the one every mail to the requester quotes.
    for message in to(smtp_server.received, person.email):
        kind = "access" if references["access"] in body(message) else "erasure"
        assert f"Reference: {references[kind]}" in body(message), body(message)
    assert len(to(smtp_server.received, person.email)) >= 4  # two filed, verified, ready
    to_admin = to(smtp_server.received, acme.people["client_admin"].email)
    opened = f"Open it: {settings.public_url}/api/v1/privacy-requests/{by_type['access']}"
    assert any(opened in body(m) for m in to_admin), [body(m) for m in to_admin]


async def test_the_intake_is_throttled_per_address(client: httpx.AsyncClient, db: Database) -> None:
    for n in range(10):
        response = await client.post(INTAKE, json=public(f"someone{n}@example.org"))
        assert response.status_code == 202
    throttled = await client.post(INTAKE, json=public("someone@example.org"))
    assert throttled.status_code == 429
    assert int(throttled.headers["retry-after"]) > 0
    bad = await client.post(INTAKE, json={"email": "not an address", "text": "x"})
    assert bad.status_code == 400
