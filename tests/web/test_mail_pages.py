"""The mail pages (docs/accountability.md, "Essential and optional mail"): "My e-mails" for
a signed-in member (CSRF on every form, as ``/api/v1/me/mail-preferences``), the client
admin's digest default on the same page, the signed unsubscribe link's confirm page
(which changes nothing) and its one-click POST without a session, in German too; in
Chromium, an employee stops the hours summary and the page says so (axe-core clean)."""

from __future__ import annotations

from typing import Any

import httpx

from tests.accounts import Accounts
from tests.web.pages import page_client, sign_in, submit
from tests.web.test_accessibility import blocking_violations
from tests.web.test_browser import signed_in
from tests.workforce.seed import seed_workforce
from timeward.config import Settings
from timeward.mail.categories import Topic
from timeward.mail.unsubscribe import unsubscribe_token

PREFERENCES = "/api/v1/me/mail-preferences"


async def _state(client: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, Any]:
    response = await client.get(PREFERENCES, headers=headers)
    assert response.status_code == 200, response.text
    return {c["topic"]: c["subscribed"] for c in response.json()}


async def test_my_mail_page_with_csrf_and_the_admins_default(
    live_server: str, client: httpx.AsyncClient, acme: Accounts
) -> None:
    workforce = await seed_workforce(client, acme)
    async with page_client(live_server) as browser:
        await sign_in(browser, acme.email("employee"), "acme")
        page = await browser.get("/my/mail")
        assert page.status_code == 200
        assert 'data-testid="mail-hours_summary-start"' in page.text
        assert "admin_digest" not in page.text and "digest-default" not in page.text
        forged = await browser.post(
            "/my/mail", data={"topic": "hours_summary", "subscribed": "yes"}
        )
        assert forged.status_code == 403  # no CSRF token
        assert (await _state(client, workforce.employee))["hours_summary"] is False
        fields = {"topic": "hours_summary", "subscribed": "yes"}
        saved = await submit(browser, "/my/mail", "/my/mail", fields)
        assert saved.status_code == 303, saved.text
        after = await browser.get(saved.headers["location"])
        assert "it applies from the next e-mail" in after.text
        assert 'data-testid="mail-hours_summary-stop"' in after.text
        assert (await _state(client, workforce.employee))["hours_summary"] is True
        refused = await submit(
            browser, "/my/mail", "/my/mail", {"topic": "admin_digest", "subscribed": "yes"}
        )
        assert refused.status_code == 422
        # an employee cannot set the tenant's default
        denied = await submit(
            browser, "/my/mail", "/admin/settings/mail", {"digest_default": "opt_out"}
        )
        assert denied.status_code == 403

    async with page_client(live_server) as browser:
        await sign_in(browser, acme.email("client_admin"), "acme")
        page = await browser.get("/my/mail")
        assert 'data-testid="mail-admin_digest-start"' in page.text
        assert 'value="opt_in" checked' in page.text
        saved = await submit(
            browser, "/my/mail", "/admin/settings/mail", {"digest_default": "opt_out"}
        )
        assert saved.status_code == 303, saved.text
        page = await browser.get("/my/mail")
        assert 'value="opt_out" checked' in page.text
        # opt-out: the admin receives the digest until they stop it
        assert 'data-testid="mail-admin_digest-stop"' in page.text
    shown = await client.get("/api/v1/settings/mail", headers=workforce.admin)
    assert shown.json() == {"digest_default": "opt_out"}


async def test_unsubscribe_pages_without_a_session_in_german(
    live_server: str, client: httpx.AsyncClient, acme: Accounts, settings: Settings
) -> None:
    workforce = await seed_workforce(client, acme)
    chosen = await client.put(
        f"{PREFERENCES}/hours_summary", json={"subscribed": True}, headers=workforce.employee
    )
    assert chosen.status_code == 200
    assert acme.tenant_id is not None
    token = unsubscribe_token(
        settings.resolve_master_key(), acme.tenant_id, acme.user_id("employee"), Topic.HOURS_SUMMARY
    )
    german = {"Accept-Language": "de"}
    async with page_client(live_server) as anonymous:
        confirm = await anonymous.get(f"/mail/unsubscribe/{token}", headers=german)
        assert confirm.status_code == 200
        assert "Diese optionale E-Mail abbestellen: Wöchentliche Übersicht Ihrer Stunden?" in (
            confirm.text
        )
        # the form sends what a mail client sends (RFC 8058), no CSRF token: the link's
        # signature is the capability
        form = confirm.text.split(f'action="/mail/unsubscribe/{token}"')[1].split("</form>")[0]
        assert 'name="List-Unsubscribe" value="One-Click"' in form
        assert "_csrf_token" not in form
        assert 'action="/language"' not in confirm.text  # its form would need the token
        assert (await _state(client, workforce.employee))["hours_summary"] is True
        done = await anonymous.post(
            f"/mail/unsubscribe/{token}", data={"List-Unsubscribe": "One-Click"}, headers=german
        )
        assert done.status_code == 200
        assert "Sie erhalten diese E-Mail nicht mehr" in done.text
        again = await anonymous.post(f"/mail/unsubscribe/{token}", data={})  # idempotent
        assert again.status_code == 200
    assert (await _state(client, workforce.employee))["hours_summary"] is False


async def test_stopping_a_mail_in_the_browser(
    open_browser: Any, client: httpx.AsyncClient, acme: Accounts
) -> None:
    workforce = await seed_workforce(client, acme)
    await client.put(
        f"{PREFERENCES}/hours_summary", json={"subscribed": True}, headers=workforce.employee
    )
    visit = await open_browser()
    page = await signed_in(visit, acme.email("employee"))
    await page.click("nav >> text=My e-mails")
    await page.wait_for_url("**/my/mail")
    found = await blocking_violations(page)
    await page.click("[data-testid=mail-hours_summary-stop]")
    await page.wait_for_selector("text=Your mail preference is saved")
    assert (await page.inner_text("[data-testid=mail-hours_summary-state]")).startswith("no")
    assert await page.is_visible("[data-testid=mail-hours_summary-start]")
    found += await blocking_violations(page)
    assert found == []
    assert (await _state(client, workforce.employee))["hours_summary"] is False
