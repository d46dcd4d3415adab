"""Helpers of the SSO tests: configure a tenant's SSO over the API, and walk the
authorization-code flow with httpx as a browser would (cookies kept, the provider's login
form filled), stopping before our callback so a test can alter what comes back."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from tests.accounts import Accounts
from tests.fixtures.sso import CLIENT_ID, CLIENT_SECRET, OidcProvider

FORM_ACTION = re.compile(r'<form[^>]*action="([^"]+)"')


def sso_body(issuer: str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "issuer": issuer,
        "display_name": "Acme Login",
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "allowed_domains": ["acme.example"],
    }
    return {**body, **overrides}


async def configure(
    client: httpx.AsyncClient, accounts: Accounts, issuer: str, **overrides: Any
) -> httpx.Response:
    response = await client.put(
        "/api/v1/settings/sso",
        json=sso_body(issuer, **overrides),
        headers=accounts.auth("client_admin"),
    )
    return response


async def configured(
    client: httpx.AsyncClient, accounts: Accounts, provider: OidcProvider, **overrides: Any
) -> None:
    response = await configure(client, accounts, provider.issuer, **overrides)
    assert response.status_code == 200, response.text


async def start(browser: httpx.AsyncClient, slug: str) -> str:
    """``/sso/start``: the URL of the provider's authorization endpoint it redirects to."""
    response = await browser.get("/sso/start", params={"tenant": slug})
    assert response.status_code == 303, response.text
    return response.headers["location"]


async def log_in_at_provider(browser: httpx.AsyncClient, authorize_url: str, login: str) -> str:
    """Fill the provider's login form; returns the callback URL it sends the browser to."""
    response = await browser.get(authorize_url)
    while (
        response.status_code in (302, 303) and "/sso/callback" not in response.headers["location"]
    ):
        response = await browser.get(httpx.URL(authorize_url).join(response.headers["location"]))
    if response.status_code == 200:
        action = FORM_ACTION.search(response.text)
        assert action, response.text[:500]
        response = await browser.post(
            action.group(1), data={"prompt": "login", "login": login, "password": "any"}
        )
        while "/sso/callback" not in response.headers.get("location", ""):
            assert response.status_code in (302, 303), response.text[:500]
            response = await browser.get(
                httpx.URL(authorize_url).join(response.headers["location"])
            )
    location = response.headers["location"]
    assert "/sso/callback" in location, location
    return location


async def callback_url(browser: httpx.AsyncClient, slug: str, login: str) -> str:
    return await log_in_at_provider(browser, await start(browser, slug), login)


def query_of(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


async def sign_in_with_sso(browser: httpx.AsyncClient, slug: str, login: str) -> httpx.Response:
    """The whole flow; returns our callback's answer (a redirect home when it worked)."""
    return await browser.get(await callback_url(browser, slug, login))
