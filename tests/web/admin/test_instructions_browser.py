"""The instruction pages in Chromium: a client admin gives a delete-subject instruction
after reading its due date, the real executor carries it out, and the certificate page
says its signature is valid (and "not valid" once the stored certificate is tampered
with). axe-core finds no serious or critical violation on any of these pages; the
fixture fails on any request to another host."""

from __future__ import annotations

from typing import Any

import asyncpg
import httpx

from tests.accounts import Accounts
from tests.fixtures.jobs import Jobs
from tests.instructions.support import DONE, fill_notifications, wait_for_status
from tests.web.admin.test_instructions_pages import forged, shown, tamper_certificate
from tests.web.test_accessibility import blocking_violations
from tests.web.test_browser import signed_in
from tests.workforce.seed import seed_workforce
from timeward import clock
from timeward.db.session import Database
from timeward.deadlines import TenantCalendar, instruction_due


async def test_delete_subject_given_in_the_browser_and_its_certificate_verified(
    open_browser: Any,
    client: httpx.AsyncClient,
    db: Database,
    owner: asyncpg.Pool,
    jobs: Jobs,
    acme: Accounts,
) -> None:
    assert acme.tenant_id
    workforce = await seed_workforce(client, acme)
    await fill_notifications(db, acme.tenant_id, acme.user_id("employee"), 3)
    visit = await open_browser()
    page = await signed_in(visit, acme.email("client_admin"))
    found: list[str] = []

    await page.click("nav >> text=Instructions")
    await page.wait_for_url("**/admin/instructions")
    found += await blocking_violations(page)
    await page.check("#kind-delete_subject")
    await page.select_option("#subject_id", str(workforce.employees["employee"]))
    await page.click("[data-testid=review-instruction]")
    await page.wait_for_selector("[data-testid=what-happens]")
    due = instruction_due(clock.now(), TenantCalendar("DE"))
    assert await page.text_content("[data-testid=due-date]") == shown(due)
    assert await page.text_content("[data-testid=subject]") == "Employee of acme (E003)"
    found += await blocking_violations(page)

    await page.click("[data-testid=give-instruction]")
    await page.wait_for_selector("text=The instruction was sent to the processor.")
    instruction_id = page.url.rsplit("/", 1)[1]
    assert await page.text_content("[data-testid=due-date]") == shown(due)
    await jobs.drain()
    await wait_for_status(client, acme, instruction_id, DONE)
    await page.reload()
    assert await page.text_content("[data-testid=instruction-status]") == "completed"
    assert await page.locator("[data-testid=progress-row]").count() > 0
    found += await blocking_violations(page)

    await page.click("[data-testid=certificate-link]")
    await page.wait_for_selector("[data-testid=signature]")
    signature = page.locator("[data-testid=signature]")
    assert await signature.get_attribute("data-valid") == "yes"
    assert "Signature valid" in await signature.text_content()
    row = page.locator("[data-testid=certificate-row][data-table=notifications] td")
    assert await row.nth(1).text_content() == "3"
    found += await blocking_violations(page)

    token = await page.text_content("[data-testid=jws]")
    assert token
    altered = forged(token, {"tables": []})
    await tamper_certificate(owner, acme.tenant_id, instruction_id, f"jws = '{altered}'")
    await page.reload()
    assert await signature.get_attribute("data-valid") == "no"
    assert "Not valid" in await signature.text_content()

    await page.goto("/admin/instructions/confirm?kind=offboard_tenant")
    assert "acme" in await page.text_content("label[for=confirm_slug]")
    found += await blocking_violations(page)
    await page.goto("/admin/instructions")
    assert await page.locator("[data-testid=instruction]").count() == 1
    found += await blocking_violations(page)
    assert found == []


async def test_a_manager_gets_a_403_page_and_no_admin_navigation(
    open_browser: Any, acme: Accounts, bravo: Accounts, client: httpx.AsyncClient
) -> None:
    visit = await open_browser()
    page = await signed_in(visit, acme.email("client_manager"))
    assert await page.locator("nav >> text=Instructions").count() == 0
    assert await page.locator("nav >> text=Accountability").count() == 0
    for path in ("/admin/instructions", "/admin/audit", "/admin/support"):
        response = await page.goto(path)
        assert response is not None and response.status == 403, path
        assert "Not allowed" in await page.content()
    assert await blocking_violations(page) == []
