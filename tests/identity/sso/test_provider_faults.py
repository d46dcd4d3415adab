"""The real provider misbehaving or changing under us: killed in the middle of a sign-in,
its signing key rotated between two sign-ins; and signing out, with the provider's own
logout offered."""

from __future__ import annotations

import asyncio
import html
import re

from tests.accounts import Accounts
from tests.fixtures.sso import OidcProvider, SsoServer
from tests.identity.sso.flows import callback_url, configured, sign_in_with_sso
from tests.web.pages import csrf_token, page_client, sign_in


async def test_a_provider_killed_mid_flow_is_an_error_page_and_others_still_get_in(
    acme: Accounts, bravo: Accounts, oidc_provider: OidcProvider, sso_server: SsoServer
) -> None:
    async with page_client(sso_server.base_url) as browser:
        await configured(browser, acme, oidc_provider)
        url = await callback_url(browser, "acme", "employee")  # the provider issued a code
        oidc_provider.stop()
        answer = await browser.get(url)
        assert answer.status_code == 424
        assert answer.headers["content-type"].startswith("text/html")
        assert "identity provider is not answering" in answer.text
        assert (await browser.get("/home")).status_code == 303
    async with page_client(sso_server.base_url) as other:
        assert (await other.get("/t/acme/sign-in")).status_code == 200
        signed_in = await sign_in(other, bravo.email("employee"), "bravo")
        assert signed_in.headers.get("location") == "/home"
        assert (await other.get("/home")).status_code == 200


async def test_a_key_rotated_at_the_provider_between_two_sign_ins(
    acme: Accounts, oidc_provider: OidcProvider, sso_server: SsoServer
) -> None:
    async with page_client(sso_server.base_url) as browser:
        await configured(browser, acme, oidc_provider)
        first = await sign_in_with_sso(browser, "acme", "employee")
        assert first.headers.get("location") == "/home"
    oidc_provider.rotate_keys()  # now signs with key-2, a key id this process has not seen
    assert [key["kid"] for key in oidc_provider.keys] == ["key-2", "key-1"]
    await asyncio.sleep(1.1)  # past the test server's refetch interval (1 s)
    async with page_client(sso_server.base_url) as browser:
        second = await sign_in_with_sso(browser, "acme", "employee")
        assert second.headers.get("location") == "/home", second.text
        assert (await browser.get("/home")).status_code == 200


async def test_sign_out_offers_the_providers_logout(
    acme: Accounts, oidc_provider: OidcProvider, sso_server: SsoServer
) -> None:
    async with page_client(sso_server.base_url) as browser:
        await configured(browser, acme, oidc_provider)
        await sign_in_with_sso(browser, "acme", "employee")
        home = await browser.get("/home")
        out = await browser.post("/sign-out", data={"_csrf_token": csrf_token(home.text)})
        assert out.headers["location"] == "/sso/signed-out/acme"
        page = await browser.get("/sso/signed-out/acme")
        assert (await browser.get("/home")).status_code == 303  # our session is over
        found = re.search(r'data-testid="provider-logout" href="([^"]+)"', page.text)
        assert found, page.text
        logout = html.unescape(found.group(1))
        assert logout.startswith(f"{oidc_provider.issuer}/session/end?client_id=")
        at_provider = await browser.get(logout)
        assert at_provider.status_code == 200  # the provider's own logout confirmation
        assert "logout" in at_provider.text.lower()


async def test_a_password_tenant_without_sso_signs_out_as_before(
    acme: Accounts, sso_server: SsoServer
) -> None:
    async with page_client(sso_server.base_url) as browser:
        await sign_in(browser, acme.email("employee"), "acme")
        home = await browser.get("/home")
        out = await browser.post("/sign-out", data={"_csrf_token": csrf_token(home.text)})
        assert out.headers["location"] == "/sign-in"
