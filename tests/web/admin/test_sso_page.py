"""The client admin's single sign-on page over HTTP: who may open it, CSRF, the same
rules and answers as the API (a refused configuration is re-shown with the reason and
nothing saved), the secret never in the page, one tenant's settings not another's."""

from __future__ import annotations

import httpx

from tests.accounts import Accounts
from tests.fixtures.sso import CLIENT_ID, CLIENT_SECRET, FakeProvider
from tests.web.pages import page_client, sign_in, submit

PAGE = "/admin/settings/sso"


def _fields(issuer: str, **overrides: str) -> dict[str, str]:
    return {
        "issuer": issuer,
        "display_name": "Acme Login",
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "allowed_domains": "acme.example, Example.ORG",
        **overrides,
    }


async def test_the_admin_saves_and_sees_only_whether_a_secret_is_set(
    live_server: str, acme: Accounts, fake_idp: FakeProvider, client: httpx.AsyncClient
) -> None:
    async with page_client(live_server) as browser:
        await sign_in(browser, acme.email("client_admin"), "acme")
        before = await browser.get(PAGE)
        assert "Not configured" in before.text and "No secret is set." in before.text
        saved = await submit(browser, PAGE, PAGE, _fields(fake_idp.issuer()))
        assert saved.status_code == 303 and saved.headers["location"] == PAGE
        after = await browser.get(PAGE)
        assert "discovery was checked" in after.text
        assert "Configured: sign-in with Acme Login is offered." in after.text
        assert "A secret is set." in after.text
        assert CLIENT_SECRET not in after.text
        assert 'value="acme.example, example.org"' in after.text
    api = await client.get("/api/v1/settings/sso", headers=acme.auth("client_admin"))
    assert api.json()["allowed_domains"] == ["acme.example", "example.org"]


async def test_a_refused_configuration_is_shown_again_with_the_reason(
    live_server: str, acme: Accounts, fake_idp: FakeProvider, client: httpx.AsyncClient
) -> None:
    async with page_client(live_server) as browser:
        await sign_in(browser, acme.email("client_admin"), "acme")
        refused = await submit(browser, PAGE, PAGE, _fields(fake_idp.issuer("no-pkce")))
        assert refused.status_code == 422
        assert "S256" in refused.text
        assert 'value="Acme Login"' in refused.text  # what was typed stays
        assert CLIENT_SECRET not in refused.text  # but never the secret
    api = await client.get("/api/v1/settings/sso", headers=acme.auth("client_admin"))
    assert api.json()["configured"] is False


async def test_only_the_client_admin_and_only_with_the_csrf_token(
    live_server: str, acme: Accounts, fake_idp: FakeProvider
) -> None:
    async with page_client(live_server) as anonymous:
        to_sign_in = await anonymous.get(PAGE)
        assert to_sign_in.status_code == 303
        assert to_sign_in.headers["location"] == f"/sign-in?next={PAGE}"
    async with page_client(live_server) as browser:
        await sign_in(browser, acme.email("client_manager"), "acme")
        home = await browser.get("/home")
        assert PAGE not in home.text  # not in their navigation
        refused = await browser.get(PAGE)
        assert refused.status_code == 403 and "Not allowed" in refused.text
    async with page_client(live_server) as browser:
        await sign_in(browser, acme.email("client_admin"), "acme")
        assert PAGE in (await browser.get("/home")).text
        forged = await browser.post(PAGE, data=_fields(fake_idp.issuer()))
        assert forged.status_code == 403


async def test_another_tenants_admin_sees_their_own_settings(
    live_server: str, acme: Accounts, bravo: Accounts, fake_idp: FakeProvider
) -> None:
    async with page_client(live_server) as browser:
        await sign_in(browser, acme.email("client_admin"), "acme")
        await submit(browser, PAGE, PAGE, _fields(fake_idp.issuer()))
    async with page_client(live_server, "127.0.0.2") as browser:
        await sign_in(browser, bravo.email("client_admin"), "bravo")
        theirs = await browser.get(PAGE)
        assert "Not configured" in theirs.text
        assert "Acme Login" not in theirs.text


async def test_the_admin_turns_sso_off(
    live_server: str, acme: Accounts, fake_idp: FakeProvider
) -> None:
    async with page_client(live_server) as browser:
        await sign_in(browser, acme.email("client_admin"), "acme")
        await submit(browser, PAGE, PAGE, _fields(fake_idp.issuer()))
        off = await submit(browser, PAGE, f"{PAGE}/remove", {})
        assert off.status_code == 303
        page = await browser.get(PAGE)
        assert "Single sign-on is off" in page.text
        assert "Not configured" in page.text
        assert 'data-testid="sso-remove"' not in page.text
