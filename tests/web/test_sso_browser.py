"""Single sign-on in Chromium, against the real oidc-provider: the client admin sets it up
in the console, then an employee signs in through the provider's login form and lands on
their home page. axe-core checks the new pages. tests/identity/sso holds the HTTP-level
cases."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from tests.accounts import PASSWORD, Accounts
from tests.fixtures.sso import CLIENT_ID, CLIENT_SECRET, OidcProvider, SsoServer
from tests.web.test_accessibility import blocking_violations

if TYPE_CHECKING:
    from playwright.async_api import Browser, BrowserContext


async def _context(
    chromium: Browser, base_url: str, provider: OidcProvider, requested: list[str]
) -> BrowserContext:
    context = await chromium.new_context(base_url=base_url)
    context.on("request", lambda request: requested.append(request.url))
    # the provider's development login page imports a web font; nothing leaves the machine
    await context.route("https://fonts.googleapis.com/**", lambda route: route.abort())
    return context


def _elsewhere(requested: list[str], *allowed: str) -> list[str]:
    hosts = {urlsplit(url).netloc for url in allowed}
    return [
        url
        for url in requested
        if urlsplit(url).scheme not in ("data", "about")
        and urlsplit(url).netloc not in hosts
        and not url.startswith("https://fonts.googleapis.com/")  # the provider's, blocked
    ]


async def test_admin_sets_up_sso_in_the_console_and_an_employee_signs_in_with_it(
    chromium: Browser, acme: Accounts, oidc_provider: OidcProvider, sso_server: SsoServer
) -> None:
    requested: list[str] = []
    admin = await _context(chromium, sso_server.base_url, oidc_provider, requested)
    page = await admin.new_page()
    await page.goto("/t/acme/sign-in")
    await page.fill("#email", acme.email("client_admin"))
    await page.fill("#password", PASSWORD)
    await page.click("[data-testid=sign-in]")
    await page.wait_for_url("**/home")
    await page.click("nav >> text=Single sign-on")
    await page.wait_for_url("**/admin/settings/sso")
    assert await page.text_content("[data-testid=redirect-uri]") == sso_server.redirect_uri
    assert "No secret is set." in (await page.text_content("[data-testid=secret-state]") or "")
    found = await blocking_violations(page)
    await page.fill("#issuer", oidc_provider.issuer)
    await page.fill("#display_name", "Acme Login")
    await page.fill("#client_id", CLIENT_ID)
    await page.fill("#client_secret", CLIENT_SECRET)
    await page.fill("#allowed_domains", "acme.example")
    await page.click("[data-testid=sso-save]")
    await page.wait_for_selector(".flash")
    assert "discovery was checked" in (await page.text_content(".flash") or "")
    assert "Configured" in (await page.text_content("[data-testid=sso-status]") or "")
    assert "A secret is set." in (await page.text_content("[data-testid=secret-state]") or "")
    assert await page.input_value("#client_secret") == ""  # never sent back
    await admin.close()

    employee = await _context(chromium, sso_server.base_url, oidc_provider, requested)
    page = await employee.new_page()
    await page.goto("/t/acme/sign-in")
    found += await blocking_violations(page)
    await page.click("text=Sign in with Acme Login")
    await page.wait_for_url(f"{oidc_provider.issuer}/**")
    await page.fill("input[name=login]", "employee")
    await page.fill("input[name=password]", "whatever the provider accepts")
    await page.click("button[type=submit]")
    await page.wait_for_url(f"{sso_server.base_url}/home")
    assert await page.text_content("[data-testid=tenant-name]") == "acme GmbH"
    assert "(employee)" in (await page.text_content("header") or "")
    # the session is the usual web session: sign out works as after a password sign-in
    await page.click("button:has-text('Sign out')")
    await page.wait_for_url("**/sso/signed-out/acme")
    found += await blocking_violations(page)
    assert await page.is_visible("[data-testid=provider-logout]")
    await employee.close()
    assert found == []
    assert _elsewhere(requested, sso_server.base_url, oidc_provider.issuer) == []


async def test_a_refusal_is_a_page_that_says_why(
    chromium: Browser, acme: Accounts, oidc_provider: OidcProvider, sso_server: SsoServer
) -> None:
    from tests.identity.sso.flows import configured
    from tests.web.pages import page_client

    async with page_client(sso_server.base_url) as http:
        await configured(http, acme, oidc_provider)
    requested: list[str] = []
    context = await _context(chromium, sso_server.base_url, oidc_provider, requested)
    page = await context.new_page()
    await page.goto("/t/acme/sign-in")
    await page.click("text=Sign in with Acme Login")
    await page.fill("input[name=login]", "outsider")
    await page.fill("input[name=password]", "any")
    answer: Any = None
    async with page.expect_response(lambda r: "/sso/callback" in r.url) as info:
        await page.click("button[type=submit]")
    answer = await info.value
    assert answer.status == 403
    reason = await page.text_content("[data-testid=sso-reason]")
    assert reason == "Your e-mail domain is not allowed to sign in to this organisation."
    assert await blocking_violations(page) == []
    await context.close()
