"""The privacy notice's pages (docs/accountability.md, "Notice versions"): in Chromium, an
employee sees the banner of a significant change on the signed-in pages, reads the new
version and the older one at its own URL, opts out of marketing, and the banner is gone;
over HTTP, the banner's form carries the CSRF token, the page speaks German, and the
staff publish the platform's notice from their console. axe-core clean, nothing asked of
another host."""

from __future__ import annotations

from typing import Any

import httpx

from tests.accounts import Accounts
from tests.web.pages import page_client, sign_in, submit
from tests.web.staff.console import staff_sign_in
from tests.web.test_accessibility import blocking_violations
from tests.web.test_browser import signed_in
from tests.workforce.seed import seed_workforce
from timeward.db.session import Scope
from timeward.privacy_notice.service import refresh_tenant_notice
from timeward.services import Services


async def _significant_change(
    client: httpx.AsyncClient, acme: Accounts, services: Services
) -> None:
    """Version 1 as the tenant is, then precise location for 14 days: version 2."""
    assert acme.tenant_id
    first = await client.get("/api/v1/privacy-notice", headers=acme.auth("employee"))
    assert first.status_code == 200
    changed = await client.put(
        "/api/v1/settings/location",
        json={"location_mode": "precise", "precise_location_days": 14},
        headers=acme.auth("client_admin"),
    )
    assert changed.status_code == 200
    async with services.database.transaction(Scope.TENANT, acme.tenant_id) as session:
        version = await refresh_tenant_notice(
            session, services.audit, acme.tenant_id, services.settings.processor
        )
    assert version is not None and version.number == 2 and version.significant


async def test_banner_older_version_and_opt_out_in_the_browser(
    open_browser: Any, client: httpx.AsyncClient, acme: Accounts, services: Services
) -> None:
    workforce = await seed_workforce(client, acme)
    await client.patch(
        f"/api/v1/employees/{workforce.employees['employee']}",
        json={"marketing_opt_in": True},
        headers=workforce.admin,
    )
    await _significant_change(client, acme, services)
    visit = await open_browser()
    page = await signed_in(visit, acme.email("employee"))
    banner = page.locator("[data-testid=notice-banner]")
    assert "Your employer's privacy notice changes on" in await banner.text_content()
    assert await blocking_violations(page) == []
    # the banner is on every signed-in page until answered
    await page.goto("/my/time")
    assert await page.locator("[data-testid=notice-banner]").count() == 1

    await page.click("text=Read what changes")
    await page.wait_for_url("**/t/acme/privacy-notice/v/2")
    assert "for at most 14 days" in await page.text_content("[data-testid=notice-location]")
    assert "Not in force yet." in await page.text_content("[data-testid=notice-version]")
    await page.click("[data-testid=notice-versions] >> text=Version 1")
    await page.wait_for_url("**/t/acme/privacy-notice/v/1")
    assert "the coordinates are discarded at once" in await page.text_content(
        "[data-testid=notice-location]"
    )
    assert await blocking_violations(page) == []

    await page.goto("/home")
    await page.click("button:has-text('Opt out of optional uses (marketing)')")
    await page.wait_for_selector("text=You opted out")
    assert await page.locator("[data-testid=notice-banner]").count() == 0
    record = await client.get(
        f"/api/v1/employees/{workforce.employees['employee']}", headers=workforce.admin
    )
    assert record.json()["marketing_opt_in"] is False
    # the employee's own notice page shows the version in force and the one to come
    await page.goto("/my/privacy-notice")
    assert "Version 1, in force from" in await page.text_content("[data-testid=notice-version]")
    assert "Version 2 takes effect on" in await page.content()


async def test_banner_form_needs_its_token_and_speaks_german(
    live_server: str, client: httpx.AsyncClient, acme: Accounts, services: Services
) -> None:
    await _significant_change(client, acme, services)
    async with page_client(live_server) as browser:
        await sign_in(browser, acme.email("client_manager"), "acme")
        forged = await browser.post(
            "/my/privacy-notice/answer",
            data={"kind": "tenant", "number": "2", "answer": "acknowledge"},
        )
        assert forged.status_code == 403
        still = await browser.get("/home")
        assert 'data-testid="notice-banner"' in still.text
        assert 'href="/my/privacy-requests?type=objection"' in still.text
        assert 'href="/t/acme/privacy-notice/v/2"' in still.text
        answered = await submit(
            browser,
            "/home",
            "/my/privacy-notice/answer",
            {"kind": "tenant", "number": "2", "answer": "acknowledge"},
        )
        assert answered.status_code == 303
        home = await browser.get("/home")
        assert 'data-testid="notice-banner"' not in home.text
        assert "your answer to the privacy notice change is recorded" in home.text
        german = await browser.get("/t/acme/privacy-notice", headers={"accept-language": "de"})
        assert "Datenschutzhinweise für Beschäftigte von acme GmbH" in german.text


async def test_staff_publish_the_platform_notice_from_the_console(
    live_server: str, client: httpx.AsyncClient, acme: Accounts, staff: Accounts
) -> None:
    async with page_client(live_server) as browser:
        await staff_sign_in(browser, staff.email("platform_admin"))
        published = await submit(
            browser,
            "/staff/privacy-notice",
            "/staff/privacy-notice",
            {"title": "Timeward notice", "body": "We host in the EU.", "summary": "First."},
        )
        assert published.status_code == 303
        assert published.headers["location"] == "/privacy/notice/v/1"
        listed = await browser.get("/staff/privacy-notice")
        assert "Timeward notice" in listed.text
        bad = await submit(
            browser,
            "/staff/privacy-notice",
            "/staff/privacy-notice",
            {"title": "", "body": "x", "summary": "y"},
        )
        assert bad.status_code == 400 and "text/html" in bad.headers["content-type"]
    public = await client.get("/privacy/notice")
    assert "We host in the EU." in public.text
    second = await client.post(
        "/api/v1/platform/privacy-notices",
        json={
            "title": "Timeward notice",
            "body": "We host in the EU and the UK.",
            "summary": "A UK data centre.",
            "significant": True,
        },
        headers=staff.auth("platform_admin"),
    )
    assert second.status_code == 201, second.text
    async with page_client(live_server) as browser:
        await sign_in(browser, acme.email("client_admin"), "acme")
        home = await browser.get("/home")
        assert "The privacy notice of the service provider changes on" in home.text
        assert 'href="/privacy/notice/v/2"' in home.text
    async with page_client(live_server) as browser:
        await sign_in(browser, acme.email("employee"), "acme")
        home = await browser.get("/home")
        assert 'data-testid="notice-banner"' not in home.text
