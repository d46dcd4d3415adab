"""The employee's pages over HTTP, against the real app and database: clocking with and
without a position, my time, privacy requests (another tenant's id is a 404 page),
notifications, stored markup shown as text; and the public request page."""

from __future__ import annotations

import re

import httpx

from tests.accounts import Accounts
from tests.fixtures.jobs import Jobs
from tests.web.pages import page_client, sign_in, submit
from tests.workforce.seed import AT_HQ, seed_workforce, set_location_mode

XSS = "<script>alert(1)</script>"


async def test_clock_in_and_out_with_a_position_then_see_the_entry(
    live_server: str, client: httpx.AsyncClient, acme: Accounts
) -> None:
    workforce = await seed_workforce(client, acme)
    await set_location_mode(client, workforce, "precise", 7)
    async with page_client(live_server) as browser:
        await sign_in(browser, acme.email("employee"), "acme")
        home = await browser.get("/home")
        assert "You are not clocked in." in home.text
        assert 'data-asks-position="yes"' in home.text
        assert "for at most 7 days" in home.text
        position = {k: str(v) for k, v in AT_HQ.items()}
        clocked = await submit(browser, "/home", "/home/clock", {"action": "in", **position})
        assert clocked.status_code == 303
        home = await browser.get("/home")
        assert "Clocked in since" in home.text and "hq site" in home.text
        assert "You are clocked in." in home.text
        out = await submit(browser, "/home", "/home/clock", {"action": "out", **position})
        assert out.status_code == 303
        mine = await browser.get("/my/time")
        assert mine.text.count('data-testid="time-entry"') == 1 and "pending" in mine.text
    events = await client.get("/api/v1/me/clock-events", headers=acme.auth("employee"))
    first = events.json()["items"][-1]["location"]
    assert first["status"] == "precise" and first["on_site"] is True


async def test_clocking_without_a_position_where_the_mode_allows(
    live_server: str, client: httpx.AsyncClient, acme: Accounts
) -> None:
    await seed_workforce(client, acme)
    async with page_client(live_server) as browser:
        await sign_in(browser, acme.email("employee"), "acme")
        clocked = await submit(browser, "/home", "/home/clock", {"action": "in"})
        assert clocked.status_code == 303
        again = await submit(browser, "/home", "/home/clock", {"action": "in"})
        assert again.status_code == 409 and "already clocked in" in again.text
        bad = await submit(
            browser, "/home", "/home/clock", {"action": "out", "latitude": "91", "longitude": "0"}
        )
        assert bad.status_code == 422 and "location" in bad.text


async def test_stored_markup_renders_as_text(
    live_server: str, client: httpx.AsyncClient, acme: Accounts
) -> None:
    workforce = await seed_workforce(client, acme)
    renamed = await client.patch(
        f"/api/v1/employees/{workforce.employees['employee']}",
        json={"name": XSS},
        headers=acme.auth("client_admin"),
    )
    assert renamed.status_code == 200, renamed.text
    async with page_client(live_server) as browser:
        await sign_in(browser, acme.email("employee"), "acme")
        home = await browser.get("/home")
        assert XSS not in home.text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in home.text


async def test_file_a_request_see_it_listed_and_another_tenants_id_is_a_404_page(
    live_server: str, client: httpx.AsyncClient, acme: Accounts, bravo: Accounts
) -> None:
    theirs = await client.post(
        "/api/v1/me/privacy-requests",
        json={"request_type": "access"},
        headers=bravo.auth("employee"),
    )
    assert theirs.status_code == 201
    async with page_client(live_server) as browser:
        await sign_in(browser, acme.email("employee"), "acme")
        filed = await submit(
            browser,
            "/my/privacy-requests",
            "/my/privacy-requests",
            {"request_type": "rectification", "details": "My surname is misspelt."},
        )
        assert filed.status_code == 303
        detail = await browser.get(filed.headers["location"])
        assert "acme GmbH" in detail.text and "is the controller" in detail.text
        assert "Your request was sent to your employer" in detail.text
        listing = await browser.get("/my/privacy-requests")
        assert listing.text.count('data-testid="privacy-request"') == 1
        assert re.search(r'data-testid="due-date">\d{2} \w{3} \d{4}<', listing.text)
        other = await browser.get(f"/my/privacy-requests/{theirs.json()['id']}")
        assert other.status_code == 404 and "Not found" in other.text


async def test_notifications_are_listed_and_marked_read(
    live_server: str, client: httpx.AsyncClient, acme: Accounts
) -> None:
    await client.post(
        "/api/v1/me/privacy-requests",
        json={"request_type": "access"},
        headers=acme.auth("employee"),
    )
    async with page_client(live_server) as browser:
        await sign_in(browser, acme.email("client_admin"), "acme")
        page = await browser.get("/my/notifications")
        assert page.text.count('class="unread"') >= 1
        action = re.search(r'action="(/my/notifications/[0-9a-f-]+/read)"', page.text)
        assert action
        read = await submit(browser, "/my/notifications", action.group(1), {})
        assert read.status_code == 303
        again = await browser.get("/my/notifications")
        assert again.text.count('class="unread"') == page.text.count('class="unread"') - 1


async def test_public_request_page_answers_alike_for_known_and_unknown_addresses(
    live_server: str, acme: Accounts
) -> None:
    answers = []
    async with page_client(live_server, "127.0.0.51") as browser:
        for email in (acme.email("employee"), "stranger@nowhere.example"):
            fields = {"email": email, "request_type": "access", "text": "What do you hold?"}
            sent = await submit(browser, "/privacy-request", "/privacy-request", fields)
            assert sent.status_code == 303
            received = await browser.get(sent.headers["location"])
            assert received.status_code == 200
            answers.append(re.sub(r"[0-9a-f-]{36}", "REF", received.text))
        assert answers[0] == answers[1]
        assert "controller" in answers[0]
        roles = await browser.get("/privacy")
        assert "is the processor" in roles.text and 'href="/privacy-request"' in roles.text


async def test_a_delivered_export_is_downloaded_from_the_request_page(
    live_server: str, client: httpx.AsyncClient, acme: Accounts, jobs: Jobs
) -> None:
    await seed_workforce(client, acme)
    filed = await client.post(
        "/api/v1/me/privacy-requests",
        json={"request_type": "access"},
        headers=acme.auth("employee"),
    )
    request_id = filed.json()["id"]
    started = await client.post(
        f"/api/v1/privacy-requests/{request_id}/export", headers=acme.auth("client_admin")
    )
    assert started.status_code == 202, started.text
    await jobs.drain()
    async with page_client(live_server) as browser:
        await sign_in(browser, acme.email("employee"), "acme")
        detail = await browser.get(f"/my/privacy-requests/{request_id}")
        link = f"/my/privacy-requests/{request_id}/export"
        assert f'href="{link}"' in detail.text
        downloaded = await browser.get(link)
        assert downloaded.status_code == 200
        assert downloaded.headers["content-type"] == "application/zip"
        assert downloaded.content.startswith(b"PK")
