"""The accountability pages in Chromium: a breach notice acknowledged, an objection to a
sub-processor change, support access granted and revoked, the controller's details
saved, and the audit log verified as valid. axe-core finds no serious or critical
violation on any of these pages; the fixture fails on any request to another host."""

from __future__ import annotations

from typing import Any

import httpx

from tests.accounts import Accounts
from tests.fixtures.jobs import Jobs
from tests.web.admin.test_accountability_pages import add_sub_processor, record_breach
from tests.web.test_accessibility import blocking_violations
from tests.web.test_browser import signed_in


async def test_the_accountability_pages_in_the_browser(
    open_browser: Any,
    client: httpx.AsyncClient,
    idle_jobs: Jobs,
    acme: Accounts,
    staff: Accounts,
) -> None:
    await record_breach(client, staff, acme)
    await add_sub_processor(client, staff)
    visit = await open_browser()
    page = await signed_in(visit, acme.email("client_admin"))
    found: list[str] = []

    # a breach notice, acknowledged
    await page.click("nav >> text=Accountability")
    await page.wait_for_url("**/admin/breaches")
    assert await page.text_content("[data-testid=notice-due]")
    found += await blocking_violations(page)
    await page.click("text=Backup bucket readable from the internet")
    await page.wait_for_selector("[data-testid=acknowledge]")
    assert await page.text_content("[data-testid=acknowledged]") == "not yet"
    found += await blocking_violations(page)
    await page.click("[data-testid=acknowledge]")
    await page.wait_for_selector("text=Receipt of the breach notice is acknowledged.")
    assert await page.text_content("[data-testid=acknowledged]") != "not yet"
    assert await page.locator("[data-testid=acknowledge]").count() == 0

    # an objection to a sub-processor change
    await page.click("nav.sections >> text=Sub-processors")
    await page.wait_for_url("**/admin/sub-processors")
    assert await page.locator("[data-testid=sub-processor]").count() == 1
    found += await blocking_violations(page)
    await page.fill("[data-testid=change] textarea", "Our works council refuses this mailer.")
    await page.click("[data-testid=object]")
    await page.wait_for_selector("text=Your objection was sent to the processor.")
    assert "Our works council refuses this mailer." in await page.text_content(
        "[data-testid=objected]"
    )

    # support access, granted then revoked
    await page.click("nav.sections >> text=Support access")
    await page.wait_for_url("**/admin/support")
    found += await blocking_violations(page)
    await page.fill("#reason", "Ticket 4711: payroll export looks wrong")
    await page.fill("#hours", "3")
    await page.click("[data-testid=grant]")
    await page.wait_for_selector("text=Support access is granted.")
    state = page.locator("[data-testid=grant-state]")
    assert "active" in await state.text_content()
    found += await blocking_violations(page)
    await page.click("[data-testid=revoke]")
    await page.wait_for_selector("text=Support access is revoked.")
    assert "revoked" in await state.text_content()
    live = await client.get(
        "/api/v1/users",
        headers={**staff.auth("platform_staff"), "X-Support-Tenant": str(acme.tenant_id)},
    )
    assert live.status_code == 404

    # the record of processing, with the controller's details
    await page.click("nav.sections >> text=Record of processing")
    await page.wait_for_url("**/admin/processing")
    found += await blocking_violations(page)
    await page.fill("#contact", "acme GmbH, Hauptstr. 1, 10115 Berlin")
    await page.click("[data-testid=save-details]")
    await page.wait_for_selector("text=Your details for the record of processing are saved.")
    assert (
        await page.text_content("[data-testid=controller-contact]")
        == "acme GmbH, Hauptstr. 1, 10115 Berlin"
    )

    # retention periods
    await page.click("nav.sections >> text=Retention periods")
    await page.wait_for_url("**/admin/retention")
    found += await blocking_violations(page)

    # the audit log, verified
    await page.click("nav.sections >> text=Audit log")
    await page.wait_for_url("**/admin/audit")
    actions = await page.locator("[data-testid=audit-event]").evaluate_all(
        "rows => rows.map(r => r.dataset.action)"
    )
    assert {"breach.acknowledged", "sub_processor.objected", "support.revoked"} <= set(actions)
    found += await blocking_violations(page)
    await page.click("[data-testid=verify]")
    await page.wait_for_url("**/admin/audit/verify")
    chain = page.locator("[data-testid=chain]")
    assert await chain.get_attribute("data-valid") == "yes"
    assert (await chain.text_content()).startswith("Valid")
    found += await blocking_violations(page)
    assert found == []
