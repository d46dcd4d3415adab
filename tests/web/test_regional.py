"""The tenant's time zone and languages, from the seats of the people who see them.

The admin sets them with ``/api/v1/settings/regional`` (unknown zone or language: 422);
pages show times in that zone, named, and speak the person's choice, else the browser's
among the tenant's languages, else the tenant's default; the choice made while signed in
is remembered, and what services write to the person (mails over real SMTP, the location
explanation, the request's timeline) comes in that language.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.header import decode_header, make_header
from email.message import Message

import httpx
import pytest

from tests.accounts import Accounts
from tests.fixtures.clock import FixedClock
from tests.fixtures.jobs import Jobs
from tests.jobs.smtp_server import SmtpServer, body
from tests.privacy.companies import to
from tests.web.pages import page_client, sign_in, submit
from tests.workforce.seed import seed_workforce
from timeward.web.pages.layout import time_functions

REGIONAL = "/api/v1/settings/regional"


def subject(mail: Message) -> str:
    """The subject as the reader sees it (non-ASCII subjects travel RFC 2047-encoded)."""
    return str(make_header(decode_header(str(mail["Subject"]))))


async def _set(client: httpx.AsyncClient, acme: Accounts, **fields: object) -> httpx.Response:
    return await client.put(REGIONAL, json=fields, headers=acme.auth("client_admin"))


async def test_the_settings_default_from_the_country_and_refuse_unknown_values(
    client: httpx.AsyncClient, acme: Accounts
) -> None:
    shown = await client.get(REGIONAL, headers=acme.auth("client_admin"))
    assert shown.status_code == 200, shown.text
    assert shown.json() | {"updated_at": None} == {
        "time_zone": "Europe/Berlin",  # acme's holiday calendar is German
        "time_zone_chosen": False,
        "languages": ["en", "de"],
        "default_language": "en",
        "updated_at": None,
    }
    for fields, key in (
        ({"time_zone": "Europe/Atlantis"}, "time_zone"),
        ({"time_zone": "../../etc/passwd"}, "time_zone"),
        ({"languages": ["en", "fr"]}, "languages"),
        ({"languages": []}, "languages"),
        ({"languages": ["en"], "default_language": "de"}, "default_language"),
        ({"default_language": "xx"}, "default_language"),
    ):
        refused = await _set(client, acme, **fields)
        assert refused.status_code == 422, (fields, refused.text)
        assert [e["key"] for e in refused.json()["errors"]] == [key], refused.text
    employee = await client.put(REGIONAL, json={}, headers=acme.auth("employee"))
    assert employee.status_code == 403
    unchanged = await client.get(REGIONAL, headers=acme.auth("client_admin"))
    assert unchanged.json()["time_zone_chosen"] is False

    chosen = await _set(
        client, acme, time_zone="America/Toronto", languages=["de"], default_language="de"
    )
    assert chosen.status_code == 200, chosen.text
    again = (await client.get(REGIONAL, headers=acme.auth("client_admin"))).json()
    assert (again["time_zone"], again["time_zone_chosen"]) == ("America/Toronto", True)
    assert (again["languages"], again["default_language"]) == (["de"], "de")
    events = await client.get(
        "/api/v1/audit-events?action=settings.regional_changed", headers=acme.auth("client_admin")
    )
    assert events.status_code == 200, events.text
    [event] = events.json()["items"]
    assert event["details"]["time_zone"] == "America/Toronto"


async def test_pages_show_times_in_the_tenants_zone_and_weeks_start_there(
    live_server: str, client: httpx.AsyncClient, acme: Accounts, fixed_clock: FixedClock
) -> None:
    await seed_workforce(client, acme)
    # Monday 1 February 2027, 03:00 UTC is still Sunday evening in Toronto.
    fixed_clock.set(datetime(2027, 2, 1, 3, 0, tzinfo=UTC))
    assert (await _set(client, acme, time_zone="America/Toronto")).status_code == 200
    async with page_client(live_server) as browser:
        await sign_in(browser, acme.email("employee"), "acme")
        assert (await submit(browser, "/home", "/home/clock", {"action": "in"})).status_code == 303
        home = await browser.get("/home")
        assert "31 Jan 2027, 22:00 EST" in home.text  # the zone named
        week = await browser.get("/my/time")
        assert "This week, from 25 Jan 2027 (times in America/Toronto)" in week.text
    # In Berlin the same instant is already Monday: a new week has begun.
    assert (await _set(client, acme, time_zone="Europe/Berlin")).status_code == 200
    async with page_client(live_server) as browser:
        await sign_in(browser, acme.email("employee"), "acme")
        home = await browser.get("/home")
        assert "01 Feb 2027, 04:00 CET" in home.text
        week = await browser.get("/my/time")
        assert "This week, from 01 Feb 2027 (times in Europe/Berlin)" in week.text


def test_times_on_german_pages_name_days_and_months_in_german() -> None:
    german = time_functions("Europe/Berlin", "de")
    moment = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
    assert german["when"](moment) == "07 Dez. 2026, 13:00 CET"
    assert german["when"](moment, "%a %d %b, %H:%M") == "Mo. 07 Dez., 13:00 CET"
    assert german["day"](moment.date(), "%A %d %B %Y") == "Montag 07 Dezember 2026"
    assert time_functions("Europe/Berlin")["when"](moment) == "07 Dec 2026, 13:00 CET"


async def test_the_language_is_the_choice_else_the_browsers_among_the_tenants_else_its_default(
    live_server: str, client: httpx.AsyncClient, acme: Accounts
) -> None:
    await seed_workforce(client, acme)
    await _set(client, acme, languages=["en", "de"], default_language="de")
    async with page_client(live_server) as browser:
        await sign_in(browser, acme.email("employee"), "acme")
        home = await browser.get("/home")  # no Accept-Language: the tenant's default
        assert '<html lang="de">' in home.text and "Meine Datenschutzanfragen" in home.text
        browser.headers["accept-language"] = "en-GB,en;q=0.9"
        home = await browser.get("/home")
        assert '<html lang="en">' in home.text and "My privacy requests" in home.text
    await _set(client, acme, languages=["de"], default_language="de")
    async with page_client(live_server) as browser:
        browser.headers["accept-language"] = "en-GB,en;q=0.9"
        await sign_in(browser, acme.email("employee"), "acme")
        browser.cookies.set("timeward_lang", "en")  # a choice the tenant does not offer
        home = await browser.get("/home")
        assert '<html lang="de">' in home.text
        assert 'value="en"' not in home.text and 'value="de"' in home.text  # the switch


async def test_a_german_speaking_employee_reads_german_pages_mails_and_timeline(
    live_server: str,
    client: httpx.AsyncClient,
    acme: Accounts,
    jobs: Jobs,
    smtp_server: SmtpServer,
) -> None:
    await seed_workforce(client, acme)
    async with page_client(live_server) as browser:
        await sign_in(browser, acme.email("employee"), "acme")
        chosen = await submit(browser, "/home", "/language", {"language": "de", "back": "/home"})
        assert chosen.status_code == 303
    # Another browser, no cookie, an English one: the choice was remembered for the person.
    async with page_client(live_server) as browser:
        browser.headers["accept-language"] = "en-US,en;q=0.9"
        await sign_in(browser, acme.email("employee"), "acme")
        home = await browser.get("/home")
        assert '<html lang="de">' in home.text
        assert "die Koordinaten werden sofort verworfen" in home.text  # geofence, in German
        filed = await submit(
            browser, "/my/privacy-requests", "/my/privacy-requests", {"request_type": "access"}
        )
        assert filed.status_code == 303
        request_id = filed.headers["location"].rsplit("/", 1)[-1]
    await jobs.drain()
    [mail] = to(smtp_server.received, acme.email("employee"))
    assert subject(mail) == "Ihre Datenschutzanfrage ist bei acme GmbH eingegangen"
    text = body(mail)
    assert "Ihre Anfrage (Auskunft über Ihre personenbezogenen Daten)" in text
    assert "acme GmbH, Ihr Arbeitgeber, ist der Verantwortliche" in text
    assert f"Aktenzeichen: {request_id}" in text
    # The admins' queue mail is not the employee's: it stays in English.
    [admin_mail] = to(smtp_server.received, acme.email("client_admin"))
    assert "New privacy request (access)" in str(admin_mail["Subject"])

    reason = "Die Lohnakten liegen im Archiv."
    refused = await client.post(
        f"/api/v1/privacy-requests/{request_id}/refusal",
        json={"reason": reason},
        headers=acme.auth("client_admin"),
    )
    assert refused.status_code == 200, refused.text
    await jobs.drain()
    [told] = [m for m in to(smtp_server.received, acme.email("employee")) if m is not mail]
    assert "abgelehnt" in subject(told)
    assert "Sie können sich bei einer Datenschutz-Aufsichtsbehörde beschweren" in body(told)
    async with page_client(live_server) as browser:
        await sign_in(browser, acme.email("employee"), "acme")
        page = await browser.get(f"/my/privacy-requests/{request_id}")
        assert "acme GmbH hat Ihre Anfrage abgelehnt. Die Begründung: " + reason in page.text
        assert "Ihr Arbeitgeber, acme GmbH, ist der Verantwortliche" in page.text
    api = await client.get(
        f"/api/v1/me/privacy-requests/{request_id}", headers=acme.auth("employee")
    )
    assert any("acme GmbH refused your request" in m["text"] for m in api.json()["messages"])


async def test_a_password_reset_arrives_in_the_persons_language(
    live_server: str, client: httpx.AsyncClient, acme: Accounts, jobs: Jobs, smtp_server: SmtpServer
) -> None:
    await _set(client, acme, default_language="de")
    async with page_client(live_server, "127.0.0.45") as browser:
        fields = {"email": acme.email("employee"), "tenant": "acme"}
        answer = await submit(browser, "/forgot-password", "/forgot-password", fields)
        assert answer.status_code == 200
    await jobs.drain()
    [mail] = to(smtp_server.received, acme.email("employee"))
    assert subject(mail) == "Ihr Timeward-Passwort zurücksetzen"
    assert "Der Link funktioniert einmal und läuft am" in body(mail)
    assert "/password-reset/pr_" in body(mail)


@pytest.mark.parametrize("language", ["en", "de"])
async def test_an_invitation_is_written_in_the_tenants_default_language(
    client: httpx.AsyncClient, acme: Accounts, jobs: Jobs, smtp_server: SmtpServer, language: str
) -> None:
    await _set(client, acme, default_language=language)
    invited = await client.post(
        "/api/v1/users",
        json={"email": "neu@acme.example", "role": "employee"},
        headers=acme.auth("client_admin"),
    )
    assert invited.status_code == 201, invited.text
    await jobs.drain()
    [mail] = to(smtp_server.received, "neu@acme.example")
    expected = {
        "en": "You have been invited to acme GmbH on Timeward as employee.",
        "de": "Sie wurden zu acme GmbH bei Timeward eingeladen, als Beschäftigte/r.",
    }
    assert expected[language] in body(mail)
