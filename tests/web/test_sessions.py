"""Web sessions over HTTP: the cookie and the bearer token each open only their own half
of the site; sign-out, a disabled account and a role change end a session at once;
idle and absolute timeouts; CSRF; the page security headers."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from tests.accounts import Accounts
from tests.web.pages import SESSION_COOKIE, page_client, sign_in, submit
from timeward import clock
from timeward.web.security_headers import PAGE_POLICY


async def test_signing_in_opens_home_with_an_http_only_lax_cookie(
    live_server: str, acme: Accounts
) -> None:
    async with page_client(live_server) as browser:
        response = await sign_in(browser, acme.email("employee"), "acme")
        assert response.status_code == 303 and response.headers["location"] == "/home"
        cookie = response.headers["set-cookie"]
        assert cookie.startswith(f"{SESSION_COOKIE}=")
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
        home = await browser.get("/home")
        assert home.status_code == 200
        assert "acme GmbH" in home.text
        assert home.headers["content-security-policy"] == PAGE_POLICY
        root = await browser.get("/")
        assert root.status_code == 303 and root.headers["location"] == "/home"


async def test_anonymous_visitors_are_sent_to_sign_in(live_server: str, db: object) -> None:
    async with page_client(live_server) as browser:
        root = await browser.get("/")
        assert root.status_code == 303 and root.headers["location"] == "/sign-in"
        home = await browser.get("/my/time")
        assert home.status_code == 303
        assert home.headers["location"] == "/sign-in?next=/my/time"


async def test_a_cookie_never_authenticates_the_api(live_server: str, acme: Accounts) -> None:
    async with page_client(live_server) as browser:
        await sign_in(browser, acme.email("employee"), "acme")
        assert (await browser.get("/home")).status_code == 200
        api = await browser.get("/api/v1/me")
        assert api.status_code == 401
        assert api.headers["content-type"].startswith("application/json")
        clock_in = await browser.post("/api/v1/clock/in", json={})
        assert clock_in.status_code == 401


async def test_a_bearer_token_never_opens_a_page(client: httpx.AsyncClient, acme: Accounts) -> None:
    page = await client.get("/home", headers=acme.auth("employee"))
    assert page.status_code == 303 and page.headers["location"].startswith("/sign-in")


async def test_sign_out_revokes_the_session_row(live_server: str, acme: Accounts) -> None:
    async with page_client(live_server) as browser:
        await sign_in(browser, acme.email("employee"), "acme")
        stolen = browser.cookies[SESSION_COOKIE]
        signed_out = await submit(browser, "/home", "/sign-out", {})
        assert signed_out.status_code == 303
    async with page_client(live_server) as thief:
        thief.cookies.set(SESSION_COOKIE, stolen)
        assert (await thief.get("/home")).status_code == 303


@pytest.mark.parametrize("change", [{"status": "disabled"}, {"role": "client_manager"}])
async def test_disabling_or_a_role_change_ends_the_session_at_once(
    live_server: str, client: httpx.AsyncClient, acme: Accounts, change: dict[str, str]
) -> None:
    async with page_client(live_server) as browser:
        await sign_in(browser, acme.email("employee"), "acme")
        assert (await browser.get("/home")).status_code == 200
        changed = await client.patch(
            f"/api/v1/users/{acme.user_id('employee')}",
            json=change,
            headers=acme.auth("client_admin"),
        )
        assert changed.status_code == 200, changed.text
        assert (await browser.get("/home")).status_code == 303


async def test_absolute_then_idle_timeouts(
    live_server: str, acme: Accounts, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Time only moves forward here (the login throttle keeps its own clock)."""
    start = clock.now()
    async with page_client(live_server, "127.0.0.43") as browser:
        await sign_in(browser, acme.email("employee"), "acme")
        for minutes in range(25, 12 * 60, 25):  # used every 25 minutes: never idle
            monkeypatch.setattr(clock, "now", lambda m=minutes: start + timedelta(minutes=m))
            assert (await browser.get("/home")).status_code == 200, minutes
        monkeypatch.setattr(clock, "now", lambda: start + timedelta(hours=12, minutes=1))
        assert (await browser.get("/home")).status_code == 303
        later = start + timedelta(hours=13)
        monkeypatch.setattr(clock, "now", lambda: later)
        await sign_in(browser, acme.email("employee"), "acme")
        monkeypatch.setattr(clock, "now", lambda: later + timedelta(minutes=29))
        assert (await browser.get("/home")).status_code == 200
        monkeypatch.setattr(clock, "now", lambda: later + timedelta(minutes=60))
        assert (await browser.get("/home")).status_code == 303


async def test_a_form_without_its_csrf_token_is_refused_with_a_page(
    live_server: str, acme: Accounts
) -> None:
    async with page_client(live_server) as browser:
        await sign_in(browser, acme.email("employee"), "acme")
        refused = await browser.post("/home/clock", data={"action": "in"})
        assert refused.status_code == 403
        assert refused.headers["content-type"].startswith("text/html")
        forged = await browser.post("/home/clock", data={"action": "in", "_csrf_token": "x"})
        assert forged.status_code == 403
        anonymous = await browser.post("/sign-in", data={"email": "a@b.example"})
        assert anonymous.status_code == 403


async def test_wrong_passwords_are_throttled_with_a_429_page(
    live_server: str, acme: Accounts
) -> None:
    async with page_client(live_server, "127.0.0.41") as browser:
        statuses = []
        for _ in range(7):
            response = await sign_in(browser, acme.email("client_admin"), "acme", "wrong password!")
            statuses.append(response.status_code)
        assert statuses[:5] == [401] * 5 and statuses[-1] == 429
        assert int(response.headers["retry-after"]) > 0
        assert "Too many failed sign-ins" in response.text


async def test_forgot_password_answers_the_same_for_any_address(
    live_server: str, acme: Accounts
) -> None:
    answers = []
    async with page_client(live_server, "127.0.0.42") as browser:
        for email in (acme.email("employee"), "nobody@acme.example"):
            fields = {"email": email, "tenant": "acme"}
            response = await submit(browser, "/forgot-password", "/forgot-password", fields)
            assert response.status_code == 200
            answers.append(response.text.replace(email, "EMAIL"))
    assert answers[0] == answers[1]
