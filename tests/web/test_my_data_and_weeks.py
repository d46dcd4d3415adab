"""Issue 14's remaining employee and public pages over HTTP, against the real app and
database: my data (the employee record, the location mode, the rectification link), my
time for an earlier week (a bad ``week`` is the timesheets' 422 page, naming it), and the per-tenant
public request page (an unknown slug answers exactly like a known one)."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx

from tests.accounts import Accounts
from tests.web.pages import page_client, sign_in, submit
from tests.workforce.seed import iso, seed_workforce, set_location_mode
from timeward import clock


async def test_my_data_shows_the_record_the_mode_and_links_to_rectification(
    live_server: str, client: httpx.AsyncClient, acme: Accounts
) -> None:
    workforce = await seed_workforce(client, acme)
    await set_location_mode(client, workforce, "geofence")
    async with page_client(live_server) as browser:
        await sign_in(browser, acme.email("employee"), "acme")
        mine = await browser.get("/my/data")
        assert mine.status_code == 200
        for shown in (
            "Employee of acme",
            acme.email("employee"),
            "+49 30 1234567",
            "Hauptstr. 1, 10115 Berlin",
            "E00",
            "15 Jan 2024",
            "on site or not (geofence)",
            "only that yes/no answer",
        ):
            assert shown in mine.text, shown
        assert 'href="/my/data"' in mine.text
        link = re.search(r'href="([^"]+)" data-testid="rectify"', mine.text)
        assert link and link.group(1) == "/my/privacy-requests?type=rectification"
        form = await browser.get(link.group(1))
        assert re.search(r'value="rectification" checked', form.text)
        assert not re.search(r'value="access" checked', form.text)
        german = await browser.get("/my/data", headers={"Accept-Language": "de"})
        assert "Meine Daten" in german.text and "Personalnummer" in german.text


async def test_my_time_shows_an_earlier_week_with_its_total_and_links(
    live_server: str, client: httpx.AsyncClient, acme: Accounts
) -> None:
    workforce = await seed_workforce(client, acme)
    now = clock.now()
    this_monday = (now - timedelta(days=now.weekday())).date()
    earlier = this_monday - timedelta(days=14)
    start = clock.now().replace(
        year=earlier.year, month=earlier.month, day=earlier.day, hour=8, minute=0
    ) + timedelta(days=1)
    entry = await client.post(
        "/api/v1/time-entries",
        json={
            "employee_id": str(workforce.employees["employee"]),
            "started_at": iso(start),
            "ended_at": iso(start + timedelta(hours=3, minutes=30)),
        },
        headers=acme.auth("client_admin"),
    )
    assert entry.status_code == 201, entry.text
    async with page_client(live_server) as browser:
        await sign_in(browser, acme.email("employee"), "acme")
        current = await browser.get("/my/time")
        assert f'href="/my/time?week={this_monday - timedelta(days=7)}"' in current.text
        assert 'data-testid="next-week"' not in current.text
        assert 'data-testid="time-entry"' not in current.text
        week = await browser.get(f"/my/time?week={earlier}")
        assert week.status_code == 200
        assert week.text.count('data-testid="time-entry"') == 1
        assert 'data-testid="week-total">3.50<' in week.text
        assert f'href="/my/time?week={earlier - timedelta(days=7)}"' in week.text
        assert f'href="/my/time?week={earlier + timedelta(days=7)}"' in week.text
        for bad in ("next-tuesday", str(earlier + timedelta(days=1)), "2026-13-01"):
            refused = await browser.get("/my/time", params={"week": bad})
            assert refused.status_code == 422, bad
            assert f"not &#39;{bad}&#39;" in refused.text and "<html" in refused.text


async def test_the_tenant_request_page_answers_alike_for_known_and_unknown_slugs(
    live_server: str, acme: Accounts
) -> None:
    pages, answers = [], []
    async with page_client(live_server, "127.0.0.52") as browser:
        for slug in ("acme", "no-such-tenant"):
            form = await browser.get(f"/t/{slug}/privacy-request")
            assert form.status_code == 200
            assert 'action="/privacy-request"' in form.text
            pages.append(re.sub(r'value="[^"]*"', "", form.text.replace(slug, "SLUG")))
            fields = {"email": acme.email("employee"), "request_type": "access", "text": "Hi"}
            sent = await submit(browser, f"/t/{slug}/privacy-request", "/privacy-request", fields)
            assert sent.status_code == 303
            received = await browser.get(sent.headers["location"])
            answers.append(re.sub(r"[0-9a-f-]{36}", "REF", received.text))
    assert pages[0] == pages[1]
    assert answers[0] == answers[1] and "controller" in answers[0]
