"""axe-core finds no serious or critical accessibility violation on any staff page, with
something on each (an instruction, a hold, a breach, a registry entry, a grant entered)."""

from __future__ import annotations

from typing import Any

import httpx

from tests.accounts import Accounts
from tests.instructions.support import instruct, place_hold
from tests.web.staff.console import staff_page
from tests.web.test_accessibility import blocking_violations
from tests.workforce.seed import seed_workforce
from timeward import clock


async def test_no_serious_or_critical_violation_on_any_staff_page(
    open_browser: Any, client: httpx.AsyncClient, acme: Accounts, staff: Accounts
) -> None:
    await seed_workforce(client, acme)
    created = await instruct(
        client, acme, kind="delete_subject", subject_user_id=str(acme.user_id("employee"))
    )
    instruction_id = created["instruction"]["id"]
    await place_hold(client, staff, acme.tenant_id, scope="tenant", client_may_be_told=True)
    breach = await client.post(
        "/api/v1/platform/breaches",
        json={
            "title": "Backup bucket readable",
            "discovered_at": clock.now().isoformat(),
            "description": "A bucket was readable.",
            "data_categories": ["names"],
            "subject_categories": ["employees"],
            "measures_taken": "Closed.",
            "affected": {"tenant_ids": [str(acme.tenant_id)]},
        },
        headers=staff.auth("platform_admin"),
    )
    assert breach.status_code == 201, breach.text
    registered = await client.post(
        "/api/v1/platform/sub-processors",
        json={
            "name": "Mailer GmbH",
            "purpose": "Sending e-mail",
            "location": "Germany",
            "data_categories": ["work e-mail"],
        },
        headers=staff.auth("platform_admin"),
    )
    assert registered.status_code == 201, registered.text
    granted = await client.post(
        "/api/v1/support-grants",
        json={"reason": "Ticket 4711: timesheet totals", "hours": 2},
        headers=acme.auth("client_admin"),
    )
    assert granted.status_code == 201, granted.text

    visit = await open_browser()
    anonymous = await visit.context.new_page()
    await anonymous.goto("/staff/sign-in")
    found = await blocking_violations(anonymous)
    page = await staff_page(visit, staff.email("platform_admin"))
    await page.goto("/staff/support")
    await page.click("[data-testid=enter]")
    await page.wait_for_selector("[data-testid=support-banner]")
    for path in [
        "/staff",
        "/staff/instructions",
        f"/staff/instructions/{instruction_id}",
        "/staff/instructions/retry-failed",
        "/staff/legal-holds",
        "/staff/breaches",
        f"/staff/breaches/{breach.json()['id']}",
        "/staff/sub-processors",
        "/staff/tenants",
        "/staff/support",
        f"/staff/support/{acme.tenant_id}/employees",
        "/staff/team",
    ]:
        await page.goto(path)
        assert await page.locator("[data-testid=support-banner]").count() == 1, path
        found += await blocking_violations(page)
    await page.goto("/staff/instructions/00000000-0000-0000-0000-000000000000")  # a 404 page
    found += await blocking_violations(page)
    assert found == []
