"""axe-core (through axe-playwright-python) finds no serious or critical accessibility
violation on any page of this slice, signed out and signed in, in Chromium."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.accounts import Accounts
from tests.web.test_browser import signed_in
from tests.workforce.seed import seed_workforce

BLOCKING = {"serious", "critical"}
PUBLIC_PAGES = [
    "/sign-in",
    "/forgot-password",
    "/privacy",
    "/privacy-request",
    "/t/acme/privacy-request",
]
SIGNED_IN_PAGES = [
    "/home",
    "/my/time",
    "/my/time?week=2026-01-05",
    "/my/data",
    "/my/privacy-requests",
    "/my/notifications",
]


async def blocking_violations(page: Any) -> list[str]:
    try:
        from axe_playwright_python.async_playwright import Axe  # optional: the test extra
    except ImportError:
        pytest.skip("accessibility checks need axe-playwright-python (pip install -e '.[test]')")
    results = await Axe().run(page)
    return [
        f"{page.url}: {violation['id']} ({violation['impact']}): {violation['help']}"
        for violation in results.response["violations"]
        if violation["impact"] in BLOCKING
    ]


async def test_no_serious_or_critical_violation_on_any_page(
    open_browser: Any, client: httpx.AsyncClient, acme: Accounts
) -> None:
    await seed_workforce(client, acme)
    filed = await client.post(
        "/api/v1/me/privacy-requests",
        json={"request_type": "access"},
        headers=acme.auth("employee"),
    )
    visit = await open_browser()
    anonymous = await visit.context.new_page()
    found = []
    for path in PUBLIC_PAGES:
        await anonymous.goto(path)
        found += await blocking_violations(anonymous)
    await anonymous.close()
    page = await signed_in(visit, acme.email("employee"))
    for path in [*SIGNED_IN_PAGES, f"/my/privacy-requests/{filed.json()['id']}"]:
        await page.goto(path)
        found += await blocking_violations(page)
    await page.goto("/my/privacy-requests/00000000-0000-0000-0000-000000000000")
    found += await blocking_violations(page)
    assert found == []


async def test_the_check_does_see_a_violation(open_browser: Any, db: object) -> None:
    """The same check on a page given an input without a label reports it."""
    visit = await open_browser()
    page = await visit.context.new_page()
    await page.goto("/privacy")
    await page.evaluate("document.querySelector('main').append(document.createElement('input'))")
    assert any(
        " label " in found or "(critical)" in found for found in await blocking_violations(page)
    )
