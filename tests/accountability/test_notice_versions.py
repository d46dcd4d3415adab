"""Notice versions and the generated employee notice (docs/accountability.md, "Notice
versions", "The generated employee notice"), over HTTP with the real worker and a real
SMTP server: a location change makes a significant version 30 days ahead and mails every
member; the earlier version stays readable at its URL; a contact change is a version
without a notice; answers opt out of marketing; the platform's notice reaches client
admins only; another tenant's notice is never shown; the public notice names nobody."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from email.message import Message

import httpx
import pytest

from tests.accounts import Accounts
from tests.fixtures.jobs import Jobs
from tests.jobs.smtp_server import SmtpServer
from tests.workforce.seed import seed_workforce
from timeward import clock
from timeward.config import load_processor_settings
from timeward.db.session import Database, Scope
from timeward.privacy_notice.service import refresh_tenant_notice
from timeward.services import Services

NOTICE = "/api/v1/privacy-notice"


def _body(message: Message) -> str:
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode().replace("\r\n", "\n")


async def _overview(client: httpx.AsyncClient, accounts: Accounts, role: str = "employee") -> dict:
    response = await client.get(NOTICE, headers=accounts.auth(role))
    assert response.status_code == 200, response.text
    return response.json()


async def _set_location(client: httpx.AsyncClient, accounts: Accounts, **body: object) -> None:
    response = await client.put(
        "/api/v1/settings/location", json=body, headers=accounts.auth("client_admin")
    )
    assert response.status_code == 200, response.text


async def test_location_change_publishes_a_significant_version_and_mails_every_member(
    client: httpx.AsyncClient,
    acme: Accounts,
    jobs: Jobs,
    smtp_server: SmtpServer,
    db: Database,
    services: Services,
) -> None:
    first = await _overview(client, acme)
    assert first["in_force"]["number"] == 1 and first["upcoming"] == []
    assert first["in_force"]["content"]["records"]["location_mode"] == "geofence"
    assert first["in_force"]["content"]["rights"]["request_page"] == "/t/acme/privacy-request"

    await _set_location(client, acme, location_mode="precise", precise_location_days=14)
    await jobs.drain()

    after = await _overview(client, acme)
    assert after["in_force"]["number"] == 1  # the change waits for its notice period
    [upcoming] = after["upcoming"]
    assert (upcoming["number"], upcoming["significant"]) == (2, True)
    assert upcoming["changed"] == ["records"]
    assert upcoming["content"]["records"] == {
        "location_mode": "precise",
        "precise_days": 14,
        "timesheets": first["in_force"]["content"]["records"]["timesheets"],
    }
    lead = datetime.fromisoformat(upcoming["effective_from"]) - datetime.fromisoformat(
        upcoming["published_at"]
    )
    assert lead == timedelta(days=30)
    assert after["versions"] == [2, 1]

    mails = {m["To"]: m for m in smtp_server.received}
    assert set(mails) == {acme.email(r) for r in ("client_admin", "client_manager", "employee")}
    mail = mails[acme.email("employee")]
    assert mail["Subject"].startswith("acme GmbH changes its privacy notice on ")
    body = _body(mail)
    assert "/t/acme/privacy-notice/v/2" in body and "/t/acme/privacy-notice/v/1" in body
    assert "what is recorded about you (location, timesheets)" in body
    assert "cannot be switched off" in body
    assert "List-Unsubscribe" not in mail  # essential mail

    # the earlier version stays readable, unchanged, at its stable URL (public)
    old = await client.get("/t/acme/privacy-notice/v/1")
    assert old.status_code == 200
    assert "only that yes/no answer and the site are stored" in old.text
    new = await client.get("/t/acme/privacy-notice/v/2")
    assert "for at most 14 days" in new.text and "Not in force yet." in new.text

    # nothing changed since: running the regeneration again publishes nothing, mails nobody
    async with db.transaction(Scope.TENANT, acme.tenant_id) as session:
        again = await refresh_tenant_notice(
            session, services.audit, acme.tenant_id, services.settings.processor
        )
    assert again is None
    assert (await _overview(client, acme))["versions"] == [2, 1]
    assert len(smtp_server.received) == 3


async def test_a_contact_change_is_a_version_in_force_at_once_without_a_notice(
    client: httpx.AsyncClient, acme: Accounts, jobs: Jobs, smtp_server: SmtpServer
) -> None:
    await _overview(client, acme)
    response = await client.put(
        "/api/v1/processing-records/controller",
        json={"contact": "acme GmbH, Datenschutz, privacy@acme.example", "dpo": "Dr. DPO"},
        headers=acme.auth("client_admin"),
    )
    assert response.status_code == 200, response.text
    await jobs.drain()

    after = await _overview(client, acme)
    assert after["upcoming"] == []
    current = after["in_force"]
    assert (current["number"], current["significant"], current["changed"]) == (
        2,
        False,
        ["controller"],
    )
    assert current["content"]["controller"]["dpo"] == "Dr. DPO"
    assert smtp_server.received == []


async def test_retention_change_regenerates_the_notice(
    client: httpx.AsyncClient, acme: Accounts, jobs: Jobs
) -> None:
    await _overview(client, acme)
    response = await client.put(
        "/api/v1/retention/clock_events", json={"days": 400}, headers=acme.auth("client_admin")
    )
    assert response.status_code == 200, response.text
    await jobs.drain()
    [upcoming] = (await _overview(client, acme))["upcoming"]
    assert upcoming["changed"] == ["retention"]
    assert {"category": "clock_events", "days": 400} in upcoming["content"]["retention"]


async def test_answers_acknowledge_or_opt_out_of_marketing_and_end_the_banner(
    client: httpx.AsyncClient, acme: Accounts, services: Services
) -> None:
    workforce = await seed_workforce(client, acme)
    employee_id = workforce.employees["employee"]
    await client.patch(
        f"/api/v1/employees/{employee_id}",
        json={"marketing_opt_in": True},
        headers=acme.auth("client_admin"),
    )
    await _overview(client, acme)
    # version 1 is no change: nothing to answer
    refused = await client.post(
        f"{NOTICE}/answers", json={"kind": "tenant", "number": 1}, headers=acme.auth("employee")
    )
    assert refused.status_code == 404
    await _set_location(client, acme, location_mode="off")
    async with services.database.transaction(Scope.TENANT, acme.tenant_id) as session:
        await refresh_tenant_notice(
            session, services.audit, acme.tenant_id, services.settings.processor
        )

    answered = await client.post(
        f"{NOTICE}/answers",
        json={"kind": "tenant", "number": 2, "opt_out": True},
        headers=acme.auth("employee"),
    )
    assert answered.status_code == 201, answered.text
    assert answered.json()["opted_out"] is True
    record = await client.get(f"/api/v1/employees/{employee_id}", headers=acme.auth("client_admin"))
    assert record.json()["marketing_opt_in"] is False
    # an acknowledgement afterwards leaves the opt-out standing
    again = await client.post(
        f"{NOTICE}/answers", json={"kind": "tenant", "number": 2}, headers=acme.auth("employee")
    )
    assert again.json()["opted_out"] is True
    # bad input is a 400, an employee cannot answer the platform's notice
    bad = await client.post(
        f"{NOTICE}/answers", json={"kind": "other", "number": 2}, headers=acme.auth("employee")
    )
    assert bad.status_code == 400
    zero = await client.post(
        f"{NOTICE}/answers", json={"kind": "tenant", "number": 0}, headers=acme.auth("employee")
    )
    assert zero.status_code == 400
    events = await client.get(
        "/api/v1/audit-events?action=privacy_notice.opted_out", headers=acme.auth("client_admin")
    )
    [event] = events.json()["items"]
    assert event["details"] == {"kind": "tenant", "number": 2, "marketing_off": True}
    assert event["actor_id"] == str(acme.user_id("employee"))


async def test_platform_notice_reaches_client_admins_and_keeps_every_version(
    client: httpx.AsyncClient,
    acme: Accounts,
    bravo: Accounts,
    staff: Accounts,
    jobs: Jobs,
    smtp_server: SmtpServer,
) -> None:
    url = "/api/v1/platform/privacy-notices"

    async def publish(
        body: str, significant: bool, role: str = "platform_admin", **more: str
    ) -> httpx.Response:
        fields = {"title": "Our notice", "body": body, "summary": "B added", **more}
        return await client.post(
            url, json={**fields, "significant": significant}, headers=staff.auth(role)
        )

    first = await publish("We process A.", True)
    assert first.status_code == 201, first.text
    assert first.json()["significant"] is False  # a first version changes nothing
    assert (await publish("We process A.", False)).status_code == 409
    soon = (clock.now() + timedelta(days=10)).isoformat()
    early = await publish("We process A and B.", True, effective_from=soon)
    assert early.status_code == 422
    assert "effective_from" in early.text
    denied = await publish("Other", False, role="platform_staff")
    assert denied.status_code == 404  # the platform refuses with a 404

    second = await publish("We process A and B.", True)
    assert second.status_code == 201, second.text
    assert second.json()["significant"] is True
    await jobs.drain()

    mails = {m["To"]: m for m in smtp_server.received}
    assert set(mails) == {acme.email("client_admin"), bravo.email("client_admin")}
    body = _body(mails[acme.email("client_admin")])
    assert "/privacy/notice/v/2" in body and "/privacy/notice/v/1" in body and "B added" in body

    in_force = await client.get("/privacy/notice")
    assert "We process A." in in_force.text and "Version 1, in force from" in in_force.text
    old = await client.get("/privacy/notice/v/1")
    new = await client.get("/privacy/notice/v/2")
    assert "We process A." in old.text and "We process A and B." in new.text
    assert (await client.get("/privacy/notice/v/3")).status_code == 404

    listed = await client.get(url, headers=staff.auth("platform_staff"))
    assert [v["number"] for v in listed.json()] == [2, 1]
    # the client admin answers the platform's change; the staff see the count
    answer = await client.post(
        f"{NOTICE}/answers",
        json={"kind": "platform", "number": 2, "opt_out": True},
        headers=acme.auth("client_admin"),
    )
    assert answer.status_code == 201, answer.text
    employee = await client.post(
        f"{NOTICE}/answers",
        json={"kind": "platform", "number": 2},
        headers=acme.auth("employee"),
    )
    assert employee.status_code == 404
    listed = await client.get(url, headers=staff.auth("platform_staff"))
    assert (listed.json()[0]["answers"], listed.json()[0]["opted_out"]) == (1, 1)


async def test_another_tenants_notice_is_never_shown(
    client: httpx.AsyncClient, acme: Accounts, bravo: Accounts, services: Services
) -> None:
    await _overview(client, acme)
    await _overview(client, bravo)
    await _set_location(client, acme, location_mode="off")
    async with services.database.transaction(Scope.TENANT, acme.tenant_id) as session:
        await refresh_tenant_notice(
            session, services.audit, acme.tenant_id, services.settings.processor
        )
    assert (await _overview(client, acme))["versions"] == [2, 1]
    theirs = await client.get(f"{NOTICE}/versions/2", headers=bravo.auth("employee"))
    assert theirs.status_code == 404
    assert (await _overview(client, bravo))["versions"] == [1]
    page = await client.get("/t/bravo/privacy-notice/v/2")
    assert page.status_code == 404 and "text/html" in page.headers["content-type"]
    bravo_page = await client.get("/t/bravo/privacy-notice")
    assert "bravo GmbH" in bravo_page.text and "acme" not in bravo_page.text
    assert (await client.get("/t/nobody-here/privacy-notice")).status_code == 404


async def test_the_public_notice_names_nobody_but_the_controller(
    client: httpx.AsyncClient, acme: Accounts
) -> None:
    await seed_workforce(client, acme)
    await client.put(
        "/api/v1/processing-records/controller",
        json={"contact": "acme GmbH, Datenschutz, privacy@acme.example", "dpo": "Dr. Dora DPO"},
        headers=acme.auth("client_admin"),
    )
    public = await client.get("/t/acme/privacy-notice")
    assert public.status_code == 200
    text = public.text
    assert "acme GmbH, Datenschutz, privacy@acme.example" in text and "Dr. Dora DPO" in text
    for role in ("client_admin", "client_manager", "employee"):
        assert acme.email(role) not in text
    for name in ("Employee of acme", "Client Admin of acme", "Colleague of acme"):
        assert name not in text
    assert "+49 30 1234567" not in text and "Hauptstr" not in text
    assert '<a href="/t/acme/privacy-request">' in text


@pytest.mark.parametrize(
    "path", ["/t/acme/privacy-notice/v/0", "/t/acme/privacy-notice/v/99", "/privacy/notice/v/0"]
)
async def test_bad_version_numbers_are_a_page_not_a_500(
    client: httpx.AsyncClient, acme: Accounts, path: str
) -> None:
    response = await client.get(path)
    assert response.status_code in (400, 404)
    assert "text/html" in response.headers["content-type"]


def test_the_notice_period_setting_never_goes_below_30_days(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TIMEWARD_NOTICE_CHANGE_DAYS", "45")
    assert load_processor_settings().notice_change_days == 45
    monkeypatch.setenv("TIMEWARD_NOTICE_CHANGE_DAYS", "29")
    with pytest.raises(ValueError, match="between 30 and 365"):
        load_processor_settings()


async def test_a_new_sub_processor_makes_a_new_version_for_every_tenant(
    client: httpx.AsyncClient,
    acme: Accounts,
    bravo: Accounts,
    staff: Accounts,
    jobs: Jobs,
    smtp_server: SmtpServer,
) -> None:
    await _overview(client, acme)
    await _overview(client, bravo)
    added = await client.post(
        "/api/v1/platform/sub-processors",
        json={
            "name": "Mailgun Europe",
            "purpose": "Sending e-mail",
            "location": "Germany",
            "data_categories": ["E-mail address"],
        },
        headers=staff.auth("platform_admin"),
    )
    assert added.status_code == 201, added.text
    await jobs.drain()
    for accounts in (acme, bravo):
        [upcoming] = (await _overview(client, accounts))["upcoming"]
        assert upcoming["changed"] == ["recipients"]
        assert [r["name"] for r in upcoming["content"]["recipients"]] == ["Mailgun Europe"]
    notices = [m for m in smtp_server.received if "changes its privacy notice" in m["Subject"]]
    assert len(notices) == 6  # three members of each tenant


async def test_concurrent_first_readers_make_one_first_version(
    client: httpx.AsyncClient, acme: Accounts
) -> None:
    pages = await asyncio.gather(*(client.get("/t/acme/privacy-notice") for _ in range(6)))
    assert [p.status_code for p in pages] == [200] * 6
    assert (await _overview(client, acme))["versions"] == [1]
