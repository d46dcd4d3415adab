"""Essential and optional mail from the reader's seat (docs/accountability.md, "Essential
and optional mail"), through the real worker and a real SMTP server reading the headers.

Optional mail (the weekly digests) carries List-Unsubscribe and RFC 8058's one-click
List-Unsubscribe-Post, a footer with the unsubscribe link, the preferences page and the
processor's postal address; essential mail carries none and says why it cannot be
switched off. The one-click POST works without a session or a CSRF token and takes effect
before the next send, even for a digest already queued; the job sends one digest per
person per week however often it runs.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.message import Message
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy import select

from tests.accounts import Accounts
from tests.fixtures.clock import FixedClock
from tests.fixtures.jobs import Jobs
from tests.jobs.smtp_server import SmtpServer, body
from tests.privacy.companies import to
from tests.workforce.seed import Workforce, seed_workforce
from timeward.config import ProcessorSettings, Settings
from timeward.db.session import Database, Scope
from timeward.mail.categories import Topic
from timeward.mail.digests import Digests
from timeward.mail.jobs import send_product_news, send_weekly_digests
from timeward.mail.models import EmailStatus, OutboundEmail
from timeward.mail.unsubscribe import unsubscribe_token

PREFERENCES = "/api/v1/me/mail-preferences"
SETTINGS = "/api/v1/settings/mail"
MONDAY = datetime(2026, 12, 7, 7, 0, tzinfo=UTC)
POSTAL = ProcessorSettings().postal_address


async def opt_out_default(client: httpx.AsyncClient, workforce: Workforce) -> None:
    """The tenant chooses: digests go to everyone until they unsubscribe."""
    assert (await client.get(SETTINGS, headers=workforce.admin)).json() == {
        "digest_default": "opt_in"
    }
    changed = await client.put(
        SETTINGS, json={"digest_default": "opt_out"}, headers=workforce.admin
    )
    assert changed.status_code == 200, changed.text


async def choices(client: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, Any]:
    response = await client.get(PREFERENCES, headers=headers)
    assert response.status_code == 200, response.text
    return {c["topic"]: (c["subscribed"], c["chosen"]) for c in response.json()}


async def run_digests(jobs: Jobs) -> None:
    send_weekly_digests.send()
    await jobs.drain()


def one_click_path(mail: Message) -> str:
    header = str(mail["List-Unsubscribe"])
    assert header.startswith("<") and header.endswith(">"), header
    return urlsplit(header[1:-1]).path


def hours_of(received: list[Message], address: str) -> list[Message]:
    return [m for m in to(received, address) if "Your hours" in str(m["Subject"])]


async def test_optional_mail_carries_one_click_unsubscribe_and_essential_mail_does_not(
    live_server: str,
    client: httpx.AsyncClient,
    acme: Accounts,
    jobs: Jobs,
    smtp_server: SmtpServer,
    fixed_clock: FixedClock,
    db: Database,
) -> None:
    fixed_clock.set(MONDAY)
    workforce = await seed_workforce(client, acme)
    await opt_out_default(client, workforce)
    worked = await client.post(
        "/api/v1/time-entries",
        json={
            "employee_id": str(workforce.employees["employee"]),
            "started_at": "2026-12-01T08:00:00+00:00",
            "ended_at": "2026-12-01T16:30:00+00:00",
        },
        headers=workforce.manager,
    )
    assert worked.status_code == 201, worked.text
    reset = await client.post(  # an essential mail: a password reset
        "/api/v1/auth/password-reset", json={"email": acme.email("employee"), "tenant": "acme"}
    )
    assert reset.status_code == 202
    await run_digests(jobs)

    employee = acme.email("employee")
    [essential] = [m for m in to(smtp_server.received, employee) if "password" in str(m["Subject"])]
    assert essential["List-Unsubscribe"] is None and essential["List-Unsubscribe-Post"] is None
    assert "it concerns access to your account and its security" in body(essential)
    assert "cannot be switched off" in body(essential) and "nsubscribe" not in body(essential)

    [summary] = hours_of(smtp_server.received, employee)
    assert summary["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    path = one_click_path(summary)
    # the long header stays one line; the body is still encoded as under the default policy
    encoded = str(summary.get_payload())
    assert summary["Content-Transfer-Encoding"] == "quoted-printable"
    assert max(len(line) for line in encoded.splitlines()) <= 78  # as before: the default
    text = body(summary)
    assert "Total: 8:30" in text
    assert f"Unsubscribe with one click: {live_server}{path}" in text.replace(
        "http://127.0.0.1:8000", live_server
    )
    assert "/my/mail" in text and POSTAL in text
    [digest] = [
        m
        for m in to(smtp_server.received, acme.email("client_admin"))
        if "Privacy" in str(m["Subject"])
    ]
    assert digest["List-Unsubscribe"] is not None
    assert "has no open privacy request" in body(digest)
    # the manager gets no admin digest, but an hours summary (they have an employee record)
    assert [str(m["Subject"]) for m in to(smtp_server.received, acme.email("client_manager"))] == [
        "Your hours in the week of 30 November 2026"
    ]

    # RFC 8058: the mail client POSTs, without a cookie, a session or a CSRF token
    async with httpx.AsyncClient(base_url=live_server) as mail_client:
        clicked = await mail_client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert clicked.status_code == 200, clicked.text
    assert "You will not receive this e-mail any more" in clicked.text
    assert (await choices(client, workforce.employee))["hours_summary"] == (False, True)
    events = await client.get(
        "/api/v1/audit-events",
        params={"subject_id": str(acme.user_id("employee"))},
        headers=workforce.admin,
    )
    assert "mail.preference_changed" in events.text

    # the job runs again the same week: nobody gets a second digest
    before = len(smtp_server.received)
    await run_digests(jobs)
    assert len(smtp_server.received) == before
    # next week: everyone again, except the employee who unsubscribed
    fixed_clock.set(MONDAY + timedelta(days=7))
    await run_digests(jobs)
    assert len(hours_of(smtp_server.received, employee)) == 1
    assert len(hours_of(smtp_server.received, acme.email("client_manager"))) == 2


async def test_an_unsubscribe_takes_effect_before_a_queued_digest_is_sent(
    live_server: str,
    client: httpx.AsyncClient,
    acme: Accounts,
    idle_jobs: Jobs,
    smtp_server: SmtpServer,
    fixed_clock: FixedClock,
    db: Database,
    settings: Settings,
) -> None:
    fixed_clock.set(MONDAY)
    workforce = await seed_workforce(client, acme)
    await opt_out_default(client, workforce)
    assert acme.tenant_id is not None
    master_key = settings.resolve_master_key()
    async with db.transaction(Scope.TENANT, acme.tenant_id) as session:  # the worker is idle
        digests = Digests(master_key, settings.processor, MONDAY)
        assert await digests.hours_summaries(session, acme.tenant_id) == 3
    token = unsubscribe_token(
        master_key, acme.tenant_id, acme.user_id("employee"), Topic.HOURS_SUMMARY
    )
    async with httpx.AsyncClient(base_url=live_server) as mail_client:
        confirm = await mail_client.get(f"/mail/unsubscribe/{token}")
        assert confirm.status_code == 200 and 'data-testid="unsubscribe"' in confirm.text
        # following the link changed nothing yet (a mail scanner may fetch it)
        assert (await choices(client, workforce.employee))["hours_summary"] == (True, False)
        clicked = await mail_client.post(f"/mail/unsubscribe/{token}")  # no body, no cookie
        assert clicked.status_code == 200
    idle_jobs.start()
    await idle_jobs.drain()
    assert sorted(str(m["To"]) for m in smtp_server.received) == [
        acme.email("client_admin"),
        acme.email("client_manager"),
    ]
    async with db.transaction(Scope.TENANT, acme.tenant_id) as session:
        rows = await session.execute(
            select(OutboundEmail.recipient, OutboundEmail.status).where(
                OutboundEmail.tenant_id == acme.tenant_id
            )
        )
        status = {recipient: state for recipient, state in rows.all()}
    assert status[acme.email("employee")] == EmailStatus.WITHDRAWN


async def test_a_forged_or_altered_link_unsubscribes_nobody(
    live_server: str,
    client: httpx.AsyncClient,
    acme: Accounts,
    bravo: Accounts,
    settings: Settings,
) -> None:
    workforce = await seed_workforce(client, acme)
    await opt_out_default(client, workforce)
    assert acme.tenant_id is not None and bravo.tenant_id is not None
    real = unsubscribe_token(
        settings.resolve_master_key(), acme.tenant_id, acme.user_id("employee"), Topic.HOURS_SUMMARY
    )
    payload, _, mac = real.rpartition(".")
    other_key = bytes(32)
    forged = [
        real[:-2] + ("AA" if not real.endswith("AA") else "BB"),  # the signature altered
        payload.replace("hours_summary", "admin_digest") + "." + mac,  # another topic
        f"{bravo.tenant_id.hex}.{acme.user_id('employee').hex}.hours_summary.{mac}",
        unsubscribe_token(other_key, acme.tenant_id, acme.user_id("employee"), Topic.HOURS_SUMMARY),
        "nonsense",
        "a.b.c.d",
    ]
    async with httpx.AsyncClient(base_url=live_server) as mail_client:
        for token in forged:
            for method in ("GET", "POST"):
                answer = await mail_client.request(method, f"/mail/unsubscribe/{token}")
                assert answer.status_code == 404, (token, method, answer.text)
                assert "text/html" in answer.headers["content-type"]
    assert (await choices(client, workforce.employee))["hours_summary"] == (True, False)


async def test_preferences_over_the_api_and_what_each_member_may_choose(
    client: httpx.AsyncClient, acme: Accounts, bravo: Accounts
) -> None:
    workforce = await seed_workforce(client, acme)
    assert await choices(client, workforce.employee) == {
        "hours_summary": (False, False),  # the tenant's default: opt-in
        "product_news": (False, False),  # no marketing consent
    }
    assert set(await choices(client, workforce.admin)) == {
        "admin_digest",
        "hours_summary",
        "product_news",
    }
    refused = await client.put(
        f"{PREFERENCES}/admin_digest", json={"subscribed": True}, headers=workforce.employee
    )
    assert refused.status_code == 422, refused.text
    unknown = await client.put(
        f"{PREFERENCES}/spam", json={"subscribed": True}, headers=workforce.employee
    )
    assert unknown.status_code == 400
    bad = await client.put(SETTINGS, json={"digest_default": "always"}, headers=workforce.admin)
    assert bad.status_code == 400
    assert (
        await client.put(SETTINGS, json={"digest_default": "opt_out"}, headers=workforce.employee)
    ).status_code == 403

    # product news for an employee is their marketing consent: the admin sees it
    agreed = await client.put(
        f"{PREFERENCES}/product_news", json={"subscribed": True}, headers=workforce.employee
    )
    assert agreed.status_code == 200, agreed.text
    record = await client.get(
        f"/api/v1/employees/{workforce.employees['employee']}", headers=workforce.admin
    )
    assert record.json()["marketing_opt_in"] is True
    # an admin withdrawing it (or an upheld objection) stops product news at once
    withdrawn = await client.patch(
        f"/api/v1/employees/{workforce.employees['employee']}",
        json={"marketing_opt_in": False},
        headers=workforce.admin,
    )
    assert withdrawn.status_code == 200, withdrawn.text
    assert (await choices(client, workforce.employee))["product_news"] == (False, True)
    # a restricted record: giving consent is a write the restriction refuses, withdrawing
    # it is not
    restricted = await client.patch(
        f"/api/v1/employees/{workforce.employees['employee']}",
        json={"processing_restricted": True},
        headers=workforce.admin,
    )
    assert restricted.status_code == 200, restricted.text
    frozen = await client.put(
        f"{PREFERENCES}/product_news", json={"subscribed": True}, headers=workforce.employee
    )
    assert frozen.status_code == 409, frozen.text
    assert (await choices(client, workforce.employee))["product_news"] == (False, True)
    # another tenant's member sees only their own
    theirs = await seed_workforce(client, bravo)
    assert (await choices(client, theirs.employee))["product_news"] == (False, False)


async def test_product_news_goes_only_to_members_who_consent_to_marketing(
    client: httpx.AsyncClient,
    acme: Accounts,
    bravo: Accounts,
    staff: Accounts,
    jobs: Jobs,
    smtp_server: SmtpServer,
) -> None:
    ours = await seed_workforce(client, acme)
    theirs = await seed_workforce(client, bravo)
    await client.put(
        f"{PREFERENCES}/product_news", json={"subscribed": True}, headers=ours.employee
    )
    await client.put(f"{PREFERENCES}/product_news", json={"subscribed": True}, headers=theirs.admin)
    consented = await client.patch(  # consent recorded by the employer (marketing_opt_in)
        f"/api/v1/employees/{theirs.employees['client_manager']}",
        json={"marketing_opt_in": True},
        headers=theirs.admin,
    )
    assert consented.status_code == 200, consented.text
    # bravo's manager then objects (an upheld objection clears marketing_opt_in the same way)
    await client.patch(
        f"/api/v1/employees/{theirs.employees['client_manager']}",
        json={"marketing_opt_in": False},
        headers=theirs.admin,
    )
    news = {"subject": "Monthly reports", "body": "Timesheets now have monthly reports."}
    refused = await client.post(
        "/api/v1/platform/product-news", json=news, headers=staff.auth("platform_staff")
    )
    assert refused.status_code in (403, 404)
    bad = await client.post(
        "/api/v1/platform/product-news",
        json={"subject": "Two\nlines", "body": "x"},
        headers=staff.auth("platform_admin"),
    )
    assert bad.status_code == 400
    published = await client.post(
        "/api/v1/platform/product-news", json=news, headers=staff.auth("platform_admin")
    )
    assert published.status_code == 201, published.text
    await jobs.drain()
    send_product_news.send(published.json()["id"])  # a second run sends nothing more
    await jobs.drain()

    assert sorted(str(m["To"]) for m in smtp_server.received) == sorted(
        [acme.email("employee"), bravo.email("client_admin")]
    )
    for mail in smtp_server.received:
        assert str(mail["Subject"]) == "Timeward product news: Monthly reports"
        assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert "You receive product news because you agreed to it" in body(mail)
        assert POSTAL in body(mail)
    listed = await client.get("/api/v1/platform/product-news", headers=staff.auth("platform_staff"))
    assert [(n["recipients"], n["subject"]) for n in listed.json()["items"]] == [
        (2, "Timeward product news: Monthly reports")
    ]
    # a one-click unsubscribe from product news withdraws the employee's marketing consent
    [mail] = to(smtp_server.received, acme.email("employee"))
    async with httpx.AsyncClient(base_url=str(client.base_url)) as mail_client:
        clicked = await mail_client.post(
            one_click_path(mail), data={"List-Unsubscribe": "One-Click"}
        )
    assert clicked.status_code == 200
    record = await client.get(f"/api/v1/employees/{ours.employees['employee']}", headers=ours.admin)
    assert record.json()["marketing_opt_in"] is False
    # the employer recording consent again does not undo the person's own unsubscribe
    again = await client.patch(
        f"/api/v1/employees/{ours.employees['employee']}",
        json={"marketing_opt_in": True},
        headers=ours.admin,
    )
    assert again.status_code == 200, again.text
    assert (await choices(client, ours.employee))["product_news"] == (False, True)
