"""Helpers for the page tests: a browser-like HTTP client that keeps cookies and sends
forms with the CSRF token the page carried, as a browser would."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager

import httpx

from tests.accounts import PASSWORD

CSRF_FIELD = re.compile(r'name="_csrf_token" value="([^"]*)"')
SESSION_COOKIE = "timeward_session"


@asynccontextmanager
async def page_client(
    base_url: str, address: str = "127.0.0.1"
) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.AsyncHTTPTransport(local_address=address)
    async with httpx.AsyncClient(base_url=base_url, timeout=30, transport=transport) as client:
        yield client


def csrf_token(html: str) -> str:
    found = CSRF_FIELD.search(html)
    assert found, "the page carries no CSRF token"
    return found.group(1)


async def submit(
    client: httpx.AsyncClient, form_page: str, action: str, fields: Mapping[str, str | list[str]]
) -> httpx.Response:
    """Open the page holding the form, then post it with its token (no redirect followed);
    a list is a field sent once per value (checkboxes of one name)."""
    page = await client.get(form_page)
    assert page.status_code == 200, page.text
    return await client.post(action, data={"_csrf_token": csrf_token(page.text), **fields})


async def sign_in(
    client: httpx.AsyncClient, email: str, tenant: str, password: str = PASSWORD
) -> httpx.Response:
    return await submit(
        client, "/sign-in", "/sign-in", {"email": email, "password": password, "tenant": tenant}
    )
