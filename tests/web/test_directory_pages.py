"""The colleague directory's pages (docs/workforce.md, "Directory"): over HTTP, the 404
page while the tenant has it off, leaving and rejoining from My data with the CSRF
token, another tenant's people never listed, German; in Chromium, an employee leaves the
directory from My data and a colleague's page no longer lists them (axe-core clean,
nothing asked of another host)."""

from __future__ import annotations

import re
from typing import Any

import httpx

from tests.accounts import Accounts
from tests.web.pages import page_client, sign_in, submit
from tests.web.test_accessibility import blocking_violations
from tests.web.test_browser import signed_in
from tests.workforce.seed import Workforce, seed_workforce


async def _switch(client: httpx.AsyncClient, workforce: Workforce, enabled: bool) -> None:
    response = await client.put(
        "/api/v1/settings/directory", json={"enabled": enabled}, headers=workforce.admin
    )
    assert response.status_code == 200, response.text


def _names(html: str) -> list[str]:
    return re.findall(r'<tr data-testid="colleague"><td>([^<]*)</td>', html)


async def test_directory_pages_over_http(
    live_server: str, client: httpx.AsyncClient, acme: Accounts, bravo: Accounts
) -> None:
    ours = await seed_workforce(client, acme)
    theirs = await seed_workforce(client, bravo)
    await _switch(client, theirs, True)
    async with page_client(live_server) as browser:
        await sign_in(browser, acme.email("employee"), "acme")
        off = await browser.get("/my/directory")
        assert off.status_code == 404
        assert "text/html" in off.headers["content-type"]
        assert "Your employer has not switched on the colleague directory." in off.text
        mine = await browser.get("/my/data")
        assert "Your employer has not switched the directory on" in mine.text

        await _switch(client, ours, True)
        page = await browser.get("/my/directory")
        assert page.status_code == 200
        assert _names(page.text) == [
            "Client Admin of acme",
            "Client Manager of acme",
            "Colleague of acme",
            "Employee of acme",
        ]
        assert "bravo" not in page.text

        left = await submit(browser, "/my/data", "/my/data/directory", {"listed": "no"})
        assert left.status_code == 303, left.text
        after = await browser.get(left.headers["location"])
        assert "You are no longer shown in the colleague directory." in after.text
        assert "You are not shown in the colleague directory." in after.text
        assert "Employee of acme" not in _names((await browser.get("/my/directory")).text)
        forged = await browser.post("/my/data/directory", data={"listed": "yes"})
        assert forged.status_code == 403  # no CSRF token: refused, nothing changed
        assert "Employee of acme" not in _names((await browser.get("/my/directory")).text)
        bad = await submit(browser, "/my/data", "/my/data/directory", {"listed": "maybe"})
        assert bad.status_code == 400 and "text/html" in bad.headers["content-type"]

        back = await submit(browser, "/my/data", "/my/data/directory", {"listed": "yes"})
        assert back.status_code == 303
        assert "Employee of acme" in _names((await browser.get("/my/directory")).text)
        german = await browser.get("/my/directory", headers={"Accept-Language": "de"})
        assert "Kollegenverzeichnis" in german.text


async def test_the_client_admin_switches_the_directory_on_its_settings_page(
    live_server: str, client: httpx.AsyncClient, acme: Accounts
) -> None:
    ours = await seed_workforce(client, acme)
    async with page_client(live_server) as browser:
        await sign_in(browser, acme.email("client_admin"), "acme")
        page = await browser.get("/admin/settings/location")
        assert "The directory is off." in page.text
        on = await submit(
            browser, "/admin/settings/location", "/admin/settings/directory", {"enabled": "on"}
        )
        assert on.status_code == 303, on.text
        after = await browser.get(on.headers["location"])
        assert "The colleague directory setting was saved." in after.text
        assert "The directory is on." in after.text
        bad = await submit(
            browser, "/admin/settings/location", "/admin/settings/directory", {"enabled": "1"}
        )
        assert bad.status_code == 400
        hq = str(ours.sites["hq"])
        fields = {"name": "Grace Hopper", "job_title": "Rear admiral", "site_id": hq}
        added = await submit(browser, "/admin/employees/new", "/admin/employees", fields)
        assert added.status_code == 303, added.text
        form = await browser.get(added.headers["location"])
        assert f'<option value="{hq}" selected>hq site</option>' in form.text
    setting = await client.get("/api/v1/settings/directory", headers=ours.admin)
    assert setting.json()["enabled"] is True
    listed = await client.get("/api/v1/directory", headers=ours.employee)
    assert listed.status_code == 200 and len(listed.json()["items"]) == 5
    assert {"name": "Grace Hopper", "job_title": "Rear admiral", "site": "hq site"} in (
        listed.json()["items"]
    )
    async with page_client(live_server, "127.0.0.2") as browser:
        await sign_in(browser, acme.email("client_manager"), "acme")
        refused = await submit(browser, "/my/data", "/admin/settings/directory", {"enabled": "off"})
        assert refused.status_code == 403
    assert (await client.get("/api/v1/settings/directory", headers=ours.admin)).json()[
        "enabled"
    ] is True


async def test_leaving_the_directory_in_the_browser(
    open_browser: Any, client: httpx.AsyncClient, acme: Accounts
) -> None:
    ours = await seed_workforce(client, acme)
    await _switch(client, ours, True)
    visit = await open_browser()
    page = await signed_in(visit, acme.email("employee"))
    await page.click("nav >> text=Directory")
    await page.wait_for_url("**/my/directory")
    assert "Employee of acme" in await page.inner_text("[data-testid=directory]")
    found = await blocking_violations(page)
    await page.click("text=Your own listing")
    await page.wait_for_url("**/my/data*")
    found += await blocking_violations(page)
    await page.click("[data-testid=directory-leave]")
    await page.wait_for_selector("text=You are no longer shown in the colleague directory.")
    assert await page.is_visible("[data-testid=directory-rejoin]")

    colleague = await open_browser()
    manager = await signed_in(colleague, acme.email("client_manager"))
    await manager.goto("/my/directory")
    shown = await manager.inner_text("[data-testid=directory]")
    assert "Client Manager of acme" in shown and "Employee of acme" not in shown
    assert found == []
