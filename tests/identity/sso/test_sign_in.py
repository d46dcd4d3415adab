"""Signing in with the tenant's identity provider, against the real oidc-provider, over
HTTP as a browser would (httpx keeping cookies): who gets in, who is refused and why, the
same session as password sign-in, the audit trail, SSO-required tenants."""

from __future__ import annotations

import asyncio
import io
import logging

import httpx

from tests.accountability.support import audit_events
from tests.accounts import PASSWORD, Accounts, token_pair
from tests.fixtures.sso import CLIENT_SECRET, OidcProvider, SsoServer
from tests.identity.sso.flows import callback_url, configured, sign_in_with_sso
from tests.web.pages import page_client, sign_in
from timeward.observability.logging import configure_logging


async def test_an_employee_signs_in_and_lands_home_in_a_web_session(
    acme: Accounts, oidc_provider: OidcProvider, sso_server: SsoServer, client: httpx.AsyncClient
) -> None:
    async with page_client(sso_server.base_url) as browser:
        await configured(browser, acme, oidc_provider)
        answer = await sign_in_with_sso(browser, "acme", "employee")
        assert answer.status_code == 303
        assert answer.headers["location"] == "/home"
        home = await browser.get("/home")
        assert home.status_code == 200
        assert 'data-testid="tenant-name">acme GmbH<' in home.text
        # the same server-side session as password sign-in: it never opens the API
        assert (await browser.get("/api/v1/me")).status_code == 401
    events = await audit_events(client, acme.auth("client_admin"), "auth.login")
    sso_logins = [e for e in events if e["details"].get("method") == "sso"]
    assert len(sso_logins) == 1
    assert sso_logins[0]["details"]["issuer"] == oidc_provider.issuer
    assert sso_logins[0]["actor_id"] == str(acme.user_id("employee"))


async def test_the_tenant_sign_in_page_offers_the_provider(
    acme: Accounts, oidc_provider: OidcProvider, sso_server: SsoServer
) -> None:
    async with page_client(sso_server.base_url) as browser:
        before = await browser.get("/t/acme/sign-in")
        assert "Sign in with" not in before.text
        await configured(browser, acme, oidc_provider)
        page = await browser.get("/t/acme/sign-in")
        assert "Sign in with Acme Login" in page.text
        assert 'href="/sso/start?tenant=acme"' in page.text


async def test_an_unverified_email_is_refused(
    acme: Accounts, oidc_provider: OidcProvider, sso_server: SsoServer, client: httpx.AsyncClient
) -> None:
    async with page_client(sso_server.base_url) as browser:
        await configured(browser, acme, oidc_provider)
        answer = await sign_in_with_sso(browser, "acme", "unverified")
        assert answer.status_code == 403
        assert "has not verified your e-mail address" in answer.text
        assert (await browser.get("/home")).status_code == 303  # not signed in
    failures = await audit_events(client, acme.auth("client_admin"), "auth.sso_failed")
    assert [e["details"]["reason"] for e in failures] == ["unverified_email"]


async def test_a_domain_not_allowed_is_refused(
    acme: Accounts, oidc_provider: OidcProvider, sso_server: SsoServer
) -> None:
    async with page_client(sso_server.base_url) as browser:
        await configured(browser, acme, oidc_provider)
        answer = await sign_in_with_sso(browser, "acme", "outsider")
        assert answer.status_code == 403
        assert "e-mail domain is not allowed" in answer.text


async def test_without_membership_refused_and_nothing_said_about_other_tenants(
    acme: Accounts, bravo: Accounts, oidc_provider: OidcProvider, sso_server: SsoServer
) -> None:
    """newcomer@acme.example has no account anywhere; employee@bravo.example has one at
    bravo only: both get the same page at acme (domains allowed for the test)."""
    async with page_client(sso_server.base_url) as browser:
        await configured(
            browser, acme, oidc_provider, allowed_domains=["acme.example", "bravo.example"]
        )
        unknown = await sign_in_with_sso(browser, "acme", "newcomer")
        elsewhere = await sign_in_with_sso(browser, "acme", "bravo")
    assert unknown.status_code == elsewhere.status_code == 403
    assert "no active account in this organisation" in unknown.text
    assert unknown.text == elsewhere.text


async def test_just_in_time_creation_makes_an_employee(
    acme: Accounts, oidc_provider: OidcProvider, sso_server: SsoServer, client: httpx.AsyncClient
) -> None:
    async with page_client(sso_server.base_url) as browser:
        await configured(browser, acme, oidc_provider, create_users=True)
        answer = await sign_in_with_sso(browser, "acme", "newcomer")
        assert answer.headers.get("location") == "/home", answer.text
        home = await browser.get("/home")
        assert "(employee)" in home.text
    users = await client.get("/api/v1/users", headers=acme.auth("client_admin"))
    listed = {u["email"]: u for u in users.json()["items"]}
    assert listed["newcomer@acme.example"]["role"] == "employee"
    assert listed["newcomer@acme.example"]["status"] == "active"


async def test_sso_required_refuses_passwords_except_the_break_glass_admin(
    acme: Accounts, oidc_provider: OidcProvider, sso_server: SsoServer, client: httpx.AsyncClient
) -> None:
    async with page_client(sso_server.base_url) as browser:
        await configured(
            browser, acme, oidc_provider, required=True,
            break_glass_email=acme.email("client_admin"),
        )  # fmt: skip
        # the page: refused, with the provider offered instead
        refused = await sign_in(browser, acme.email("employee"), "acme")
        assert refused.status_code == 403
        assert "signs in with single sign-on" in refused.text
        assert "Sign in with Acme Login" in refused.text
        # a wrong password still gets the one answer for every failure
        wrong = await sign_in(browser, acme.email("employee"), "acme", "not the password")
        assert wrong.status_code == 401
        # the API: refused too
        api = await token_pair(browser, acme.email("employee"), "acme")
        assert api.status_code == 403
        assert "single sign-on" in api.json()["detail"]
        # the break-glass admin still gets in, both ways
        assert (await token_pair(browser, acme.email("client_admin"), "acme")).status_code == 200
        admin = await sign_in(browser, acme.email("client_admin"), "acme", PASSWORD)
        assert admin.headers.get("location") == "/home"
    async with page_client(sso_server.base_url) as browser:
        # and the employee signs in with SSO
        answer = await sign_in_with_sso(browser, "acme", "employee")
        assert answer.headers.get("location") == "/home"
    refusals = await audit_events(client, acme.auth("client_admin"), "auth.login_refused")
    assert {e["details"]["reason"] for e in refusals} == {"sso_required"}


async def test_a_tampered_state_is_refused(
    acme: Accounts, oidc_provider: OidcProvider, sso_server: SsoServer
) -> None:
    async with page_client(sso_server.base_url) as browser:
        await configured(browser, acme, oidc_provider)
        url = await callback_url(browser, "acme", "employee")
        tampered = url.replace("state=", "state=x")
        answer = await browser.get(tampered)
        assert answer.status_code == 400
        assert "not valid" in answer.text
        assert (await browser.get("/home")).status_code == 303


async def test_a_callback_replayed_or_its_code_reused_is_refused(
    acme: Accounts, oidc_provider: OidcProvider, sso_server: SsoServer
) -> None:
    async with page_client(sso_server.base_url) as browser:
        await configured(browser, acme, oidc_provider)
        url = await callback_url(browser, "acme", "employee")
        assert (await browser.get(url)).headers.get("location") == "/home"
        replayed = await browser.get(url)
        assert replayed.status_code == 400
        assert "already used" in replayed.text
        # the same code under a fresh state: the provider refuses a second exchange
        fresh = await callback_url(browser, "acme", "employee")
        code = httpx.URL(url).params["code"]
        reused = httpx.URL(fresh).copy_set_param("code", code)
        answer = await browser.get(str(reused))
        assert answer.status_code == 403
        assert "refused this sign-in" in answer.text


async def test_a_callback_from_another_browser_is_refused(
    acme: Accounts, oidc_provider: OidcProvider, sso_server: SsoServer
) -> None:
    async with page_client(sso_server.base_url) as victim:
        await configured(victim, acme, oidc_provider)
        url = await callback_url(victim, "acme", "employee")
    async with page_client(sso_server.base_url) as other:
        answer = await other.get(url)
        assert answer.status_code == 400
        assert "another browser" in answer.text


async def test_a_code_for_another_tenants_client_is_refused(
    acme: Accounts, bravo: Accounts, oidc_provider: OidcProvider, sso_server: SsoServer
) -> None:
    """bravo uses the same provider with its own client: bravo's code under acme's state
    is exchanged with acme's client credentials, and the provider refuses it."""
    async with page_client(sso_server.base_url) as browser:
        await configured(browser, acme, oidc_provider)
        await configured(
            browser, bravo, oidc_provider, client_id="bravo-client",
            client_secret="bravo-client-secret-long-enough-0123456789",
            allowed_domains=["bravo.example"],
        )  # fmt: skip
        bravo_url = await callback_url(browser, "bravo", "bravo")
        acme_url = await callback_url(browser, "acme", "employee")
        mixed = httpx.URL(acme_url).copy_set_param("code", httpx.URL(bravo_url).params["code"])
        answer = await browser.get(str(mixed))
        assert answer.status_code == 403
        assert (await browser.get("/home")).status_code == 303


async def test_no_secret_code_state_or_token_reaches_the_logs(
    acme: Accounts, oidc_provider: OidcProvider, sso_server: SsoServer
) -> None:
    """Everything logged during a configuration and a sign-in, libraries' debug lines
    included, rendered as in production (JSON)."""
    written = io.StringIO()
    configure_logging(json=True, level=logging.DEBUG, stream=written)
    try:
        async with page_client(sso_server.base_url) as browser:
            await configured(browser, acme, oidc_provider)
            url = await callback_url(browser, "acme", "employee")
            answer = await browser.get(url)
            assert answer.headers.get("location") == "/home"
    finally:
        configure_logging(json=False)
    logged = written.getvalue()
    query = httpx.URL(url).params
    assert "sso.jwks_fetched" in logged  # the capture did see the sign-in
    for secret in (CLIENT_SECRET, query["code"], query["state"].split(".", 1)[1], "eyJ"):
        assert secret not in logged


async def test_two_first_sign_ins_at_once_make_one_account(
    acme: Accounts, oidc_provider: OidcProvider, sso_server: SsoServer, client: httpx.AsyncClient
) -> None:
    async with (
        page_client(sso_server.base_url) as one,
        page_client(sso_server.base_url, "127.0.0.2") as two,
    ):
        await configured(one, acme, oidc_provider, create_users=True)
        urls = [
            await callback_url(one, "acme", "newcomer"),
            await callback_url(two, "acme", "newcomer"),
        ]
        answers = await asyncio.gather(one.get(urls[0]), two.get(urls[1]))
    assert [a.headers.get("location") for a in answers] == ["/home", "/home"]
    users = await client.get("/api/v1/users", headers=acme.auth("client_admin"))
    emails = [u["email"] for u in users.json()["items"]]
    assert emails.count("newcomer@acme.example") == 1
