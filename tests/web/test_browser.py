"""The pages in a real browser (Chromium through Playwright): sign in and out, clock in
and out with a granted and with a refused position, file a request and see it listed,
another tenant's request id, a form without its CSRF token, stored markup, and a 360-px
screenshot of home and of the requests page (kept under .artifacts/)."""

from __future__ import annotations

from typing import Any

import httpx

from tests.accounts import PASSWORD, Accounts
from tests.web.conftest import artifact
from tests.workforce.seed import AT_HQ, seed_workforce, set_location_mode

XSS = "<script>alert(1)</script>"
PHONE = {"width": 360, "height": 740}


async def signed_in(visit: Any, email: str, tenant: str = "acme") -> Any:
    page = await visit.context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: dialogs.append(dialog.message))
    page.dialogs = dialogs
    await page.goto(f"/t/{tenant}/sign-in")
    assert await page.input_value("#tenant") == tenant
    await page.fill("#email", email)
    await page.fill("#password", PASSWORD)
    await page.click("button:has-text('Sign in')")
    await page.wait_for_url("**/home")
    return page


async def test_sign_in_and_out(open_browser: Any, acme: Accounts) -> None:
    visit = await open_browser()
    page = await signed_in(visit, acme.email("employee"))
    assert await page.text_content("[data-testid=tenant-name]") == "acme GmbH"
    await page.click("button:has-text('Sign out')")
    await page.wait_for_url("**/sign-in")
    assert "You are signed out." in await page.content()
    await page.goto("/home")
    assert page.url.endswith("/sign-in?next=/home")


async def test_clock_in_and_out_with_a_granted_position(
    open_browser: Any, client: httpx.AsyncClient, acme: Accounts
) -> None:
    workforce = await seed_workforce(client, acme)
    await set_location_mode(client, workforce, "precise", 7)
    visit = await open_browser(
        geolocation={"latitude": AT_HQ["latitude"], "longitude": AT_HQ["longitude"]},
        permissions=["geolocation"],
        viewport=PHONE,
    )
    page = await signed_in(visit, acme.email("employee"))
    await page.screenshot(path=artifact("home-360.png"), full_page=True)
    await page.click("button:has-text('Clock in')")
    await page.wait_for_selector("text=You are clocked in.")
    assert "hq site" in await page.text_content("[data-testid=clock-status]")
    await page.click("button:has-text('Clock out')")
    await page.wait_for_selector("text=You are clocked out.")
    await page.click("nav >> text=My time")
    await page.wait_for_selector("[data-testid=time-entry]")
    assert await page.locator("[data-testid=time-entry]").count() == 1
    events = await client.get("/api/v1/me/clock-events", headers=acme.auth("employee"))
    locations = [event["location"] for event in events.json()["items"]]
    assert [(loc["status"], loc["on_site"]) for loc in locations] == [("precise", True)] * 2


async def test_a_refused_position_still_clocks_where_the_mode_allows(
    open_browser: Any, client: httpx.AsyncClient, acme: Accounts
) -> None:
    await seed_workforce(client, acme)  # the default mode: geofence, a position optional
    visit = await open_browser(permissions=[])
    page = await signed_in(visit, acme.email("employee"))
    await page.click("button:has-text('Clock in')")
    await page.wait_for_selector("text=You are clocked in.", timeout=20_000)
    events = await client.get("/api/v1/me/clock-events", headers=acme.auth("employee"))
    assert events.json()["items"][0]["location"]["status"] == "not_collected"


async def test_file_a_request_and_see_it_listed_with_its_due_date(
    open_browser: Any, client: httpx.AsyncClient, acme: Accounts, bravo: Accounts
) -> None:
    theirs = await client.post(
        "/api/v1/me/privacy-requests",
        json={"request_type": "access"},
        headers=bravo.auth("employee"),
    )
    visit = await open_browser(viewport=PHONE)
    page = await signed_in(visit, acme.email("employee"))
    await page.click("nav >> text=My privacy requests")
    await page.check("#type-portability")
    await page.fill("#details", "Everything, please.")
    await page.click("button:has-text('Send to my employer')")
    await page.wait_for_selector("[data-testid=request-explanation]")
    assert "acme GmbH" in await page.text_content("[data-testid=request-explanation]")
    await page.click("text=All my requests")
    listed = page.locator("[data-testid=privacy-request]")
    assert await listed.count() == 1
    assert "portability" in await listed.first.text_content()
    assert await page.text_content("[data-testid=due-date]")
    await page.screenshot(path=artifact("requests-360.png"), full_page=True)
    response = await page.goto(f"/my/privacy-requests/{theirs.json()['id']}")
    assert response is not None and response.status == 404
    assert "Not found" in await page.content()


async def test_a_form_without_its_csrf_token_is_refused(open_browser: Any, acme: Accounts) -> None:
    visit = await open_browser()
    page = await signed_in(visit, acme.email("employee"))
    await page.goto("/my/privacy-requests")
    await page.evaluate(
        "document.querySelectorAll('input[name=_csrf_token]').forEach(e => e.remove())"
    )
    async with page.expect_navigation() as navigation:
        await page.click("button:has-text('Send to my employer')")
    response = await navigation.value
    assert response is not None and response.status == 403
    assert "Not allowed" in await page.content()


async def test_stored_markup_renders_as_text(
    open_browser: Any, client: httpx.AsyncClient, acme: Accounts
) -> None:
    workforce = await seed_workforce(client, acme)
    await client.patch(
        f"/api/v1/employees/{workforce.employees['employee']}",
        json={"name": XSS},
        headers=acme.auth("client_admin"),
    )
    visit = await open_browser()
    page = await signed_in(visit, acme.email("employee"))
    assert await page.text_content("[data-testid=signed-in-as]") == XSS
    assert page.dialogs == []


async def test_the_api_docs_work_offline(open_browser: Any, db: object) -> None:
    """Swagger UI from the app's own files (the fixture fails on any other host)."""
    visit = await open_browser()
    page = await visit.context.new_page()
    await page.goto("/docs")
    await page.wait_for_selector(".swagger-ui .info .title")
    assert "Timeward API" in await page.text_content(".swagger-ui .info .title")
