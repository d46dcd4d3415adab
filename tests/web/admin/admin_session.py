"""A page client signed in as a tenant's client admin (or another of its roles)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from tests.accounts import Accounts
from tests.web.pages import page_client, sign_in


@asynccontextmanager
async def signed_in_as(
    live_server: str, accounts: Accounts, role: str = "client_admin"
) -> AsyncIterator[httpx.AsyncClient]:
    async with page_client(live_server) as browser:
        signed = await sign_in(browser, accounts.email(role), accounts.slug)
        assert signed.status_code == 303, signed.text
        yield browser
