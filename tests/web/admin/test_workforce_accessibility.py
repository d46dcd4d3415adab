"""axe-core finds no serious or critical violation on any workforce page: the lists, the
forms empty, filled and refused (with their message), a site drawn with its geofence,
the location setting, and the invitation link's page (tests/web/test_accessibility.py)."""

from __future__ import annotations

from typing import Any

import httpx

from tests.accounts import Accounts, mailed_link
from tests.web.test_accessibility import blocking_violations
from tests.web.test_browser import signed_in
from tests.workforce.seed import seed_workforce
from timeward.db.session import Database


async def test_no_serious_or_critical_violation_on_any_workforce_page(
    open_browser: Any, client: httpx.AsyncClient, acme: Accounts, db: Database
) -> None:
    workforce = await seed_workforce(client, acme)
    invited = await client.post(
        "/api/v1/users",
        json={"email": "invitee@acme.example", "role": "employee"},
        headers=workforce.admin,
    )
    assert invited.status_code == 201
    token = await mailed_link(db, acme.tenant_id, "invitee@acme.example", "invitations")
    visit = await open_browser()
    page = await signed_in(visit, acme.email("client_admin"))
    found = []
    paths = [
        "/admin/employees",
        "/admin/employees?q=of",
        "/admin/employees/new",
        f"/admin/employees/{workforce.employees['employee']}",
        "/admin/users",
        "/admin/sites",
        "/admin/sites/new",
        f"/admin/sites/{workforce.sites['hq']}",
        f"/admin/sites/{workforce.sites['remote']}",
        "/admin/settings/location",
    ]
    for path in paths:
        await page.goto(path)
        found += await blocking_violations(page)
    assert await page.is_visible("[data-testid=current-mode]")
    await page.goto(f"/admin/sites/{workforce.sites['hq']}")
    assert await page.is_visible("[data-testid=geofence-preview]")

    await page.goto("/admin/employees/new")  # refused: the form again with its message
    await page.fill("#f-name", "Someone")
    await page.fill("#f-phone", "not a phone")
    await page.click("[data-testid=save-employee]")
    await page.wait_for_selector("[data-testid=problem]")
    found += await blocking_violations(page)
    await page.goto("/admin/sites/new")
    await page.fill("#f-name", "Half a fence")
    await page.fill("#f-latitude", "52.5")
    await page.click("[data-testid=save-site]")
    await page.wait_for_selector("[data-testid=problem]")
    found += await blocking_violations(page)

    invitee = await visit.context.new_page()
    await invitee.context.clear_cookies()
    await invitee.goto(f"/invitations/{token}")
    found += await blocking_violations(invitee)
    assert found == []
