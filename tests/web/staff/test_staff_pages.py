"""The staff console over HTTP: staff sign-in and its session, every page for the roles
its API twin allows, bad input as a 4xx page, and another tenant's pages only under a
support grant that the session entered."""

from __future__ import annotations

import httpx

from tests.accounts import Accounts
from tests.web.pages import page_client
from tests.web.staff.console import staff_sign_in

STAFF_PAGES = [
    "/staff",
    "/staff/instructions",
    "/staff/instructions/retry-failed",
    "/staff/legal-holds",
    "/staff/breaches",
    "/staff/sub-processors",
    "/staff/tenants",
    "/staff/support",
    "/staff/team",
]


async def test_every_staff_page_opens_for_a_platform_admin(
    live_server: str, client: httpx.AsyncClient, acme: Accounts, staff: Accounts
) -> None:
    async with page_client(live_server) as browser:
        signed_in = await staff_sign_in(browser, staff.email("platform_admin"))
        assert signed_in.status_code == 303, signed_in.text
        assert signed_in.headers["location"] == "/staff"
        for path in STAFF_PAGES:
            response = await browser.get(path)
            assert response.status_code == 200, (path, response.text[-2000:])
