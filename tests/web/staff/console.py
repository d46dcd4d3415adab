"""Helpers for the staff console tests: signing in as platform staff, over HTTP and in
the browser."""

from __future__ import annotations

from typing import Any

import httpx

from tests.accounts import PASSWORD
from tests.web.pages import submit


async def staff_sign_in(
    client: httpx.AsyncClient, email: str, password: str = PASSWORD
) -> httpx.Response:
    """Sign in on the staff page (no redirect followed)."""
    return await submit(
        client, "/staff/sign-in", "/staff/sign-in", {"email": email, "password": password}
    )


async def staff_page(visit: Any, email: str) -> Any:
    """A browser page signed in as this staff member, on the overview."""
    page = await visit.context.new_page()
    await page.goto("/staff/sign-in")
    await page.fill("#email", email)
    await page.fill("#password", PASSWORD)
    await page.click("button:has-text('Sign in')")
    await page.wait_for_url("**/staff")
    return page
