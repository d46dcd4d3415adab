"""The register of requests from authorities in a real browser (Chromium): staff record a
request under a non-disclosure order kept until reviewed, the client admin is not told,
staff lift the order on the request's page and the client admin gets the mail (a real
SMTP server) and sees the request in its console; then staff refuse it with a reason.
axe-core finds no serious or critical violation on the register, the request's page and
the public transparency page."""

from __future__ import annotations

from typing import Any

import httpx

from tests.accounts import Accounts
from tests.fixtures.jobs import Jobs
from tests.jobs.smtp_server import SmtpServer, recipients
from tests.web.pages import page_client, sign_in
from tests.web.staff.console import staff_page
from tests.web.test_accessibility import blocking_violations
from tests.workforce.seed import seed_workforce
from timeward import clock


async def test_staff_record_a_request_lift_its_order_and_decide_on_the_page(
    open_browser: Any,
    live_server: str,
    client: httpx.AsyncClient,
    jobs: Jobs,
    smtp_server: SmtpServer,
    acme: Accounts,
    bravo: Accounts,
    staff: Accounts,
) -> None:
    people = await seed_workforce(client, acme)
    visit = await open_browser()
    page = await staff_page(visit, staff.email("platform_staff"))
    await page.click("nav >> text=Authority requests")
    await page.select_option("#tenant", str(acme.tenant_id))
    await page.fill("#authority", "Staatsanwaltschaft Berlin")
    await page.fill("#instrument", "search warrant")
    await page.fill("#reference", "276 Js 1234/26")
    await page.fill("#received", clock.now().strftime("%Y-%m-%dT00:00"))
    await page.fill("#subjects", str(people.employees["employee"]))
    await page.fill("#categories", "employees, time_entries")
    await page.select_option("#order-kind", "until_reviewed")
    await page.fill("#review-on", "2999-01-01")
    await page.click("button:has-text('Record')")
    await page.wait_for_url("**/staff/authority-requests/*")
    assert "in force" in await page.inner_text("[data-testid=order]")
    assert await page.inner_text("[data-testid=client-told]") == "not yet"

    await jobs.drain()
    assert smtp_server.received == []
    async with page_client(live_server) as admin:
        await sign_in(admin, acme.email("client_admin"), acme.slug)
        hidden = await admin.get("/admin/authority-requests")
        assert "276 Js 1234/26" not in hidden.text

        await page.check("#lift")
        await page.click("button:has-text('Record the review')")
        await page.wait_for_selector("text=The review of the order is recorded.")
        await jobs.drain()
        assert recipients(smtp_server.received) == [acme.email("client_admin")]
        await page.reload()
        assert await page.inner_text("[data-testid=client-told]") != "not yet"
        shown = await admin.get("/admin/authority-requests")
        assert "276 Js 1234/26" in shown.text
        assert "delayed by a non-disclosure order" in shown.text

    async with page_client(live_server) as other:
        await sign_in(other, bravo.email("client_admin"), bravo.slug)
        assert "276 Js 1234/26" not in (await other.get("/admin/authority-requests")).text

    await page.select_option("#decision", "refuse")
    await page.fill("#reason", "The warrant names no employee of this client.")
    await page.click("button:has-text('Record the decision')")
    await page.wait_for_selector("text=The decision is recorded.")
    assert (await page.inner_text("[data-testid=decision]")).startswith("refuse: The warrant")
    assert await blocking_violations(page) == []
    await page.click("nav >> text=Authority requests")
    assert await blocking_violations(page) == []
    public = await visit.context.new_page()
    await public.goto("/transparency")
    assert "276 Js 1234/26" not in await public.content()
    assert await public.inner_text("[data-testid=year] >> nth=0") != ""
    assert await blocking_violations(public) == []
