"""The staff console in a real browser (Chromium through Playwright): the queue across
tenants in due-date order with its escalation colours, a failed instruction retried from
its page until it completes, a legal hold recorded on the page keeping an instruction's
rows, a breach recorded on the page reaching a client admin by mail and their
acknowledgement showing up, and a tenant's pages read under a support grant with the
banner. The browser fixture fails any test whose pages asked another host for anything."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import asyncpg
import httpx

from tests.accountability.support import audit_events
from tests.accounts import Accounts
from tests.clients import notification_kinds
from tests.fixtures.jobs import Jobs
from tests.instructions.support import fill_notifications, instruct, wait_for_status
from tests.jobs.smtp_server import SmtpServer, body, recipients
from tests.web.staff.console import staff_page
from tests.workforce.seed import seed_workforce
from timeward import clock
from timeward.acting import Acting
from timeward.db.session import Database, Scope
from timeward.deadlines import TenantCalendar, instruction_due
from timeward.instructions.service import NewInstruction, create_instruction
from timeward.instructions.states import Kind
from timeward.notifications.service import list_for_user
from timeward.services import Services

# The stylesheet's escalation colours (site.css), as the browser computes them.
COLOURS = {
    "ok": "rgb(29, 107, 52)",
    "nearing": "rgb(179, 92, 0)",
    "overdue": "rgb(164, 22, 26)",
}


async def _instruct_on(
    db: Database, services: Services, accounts: Accounts, received_at: datetime
) -> UUID:
    """A delete-subject instruction of the tenant's employee, received at that moment."""
    assert accounts.tenant_id
    async with db.transaction(Scope.TENANT, accounts.tenant_id) as session:
        instruction = await create_instruction(
            session,
            accounts.tenant_id,
            NewInstruction(Kind.DELETE_SUBJECT, subject_user_id=accounts.user_id("employee")),
            Acting(accounts.user_id("client_admin"), "client_admin"),
            audit=services.audit,
            received_at=received_at,
        )
        return instruction.id


def _received_nearing(now: datetime) -> datetime:
    """A receipt time whose due date (Germany) is 1 to 3 business days ahead."""
    calendar = TenantCalendar("DE")
    for days in range(30, 70):
        received = now - timedelta(days=days)
        if 1 <= calendar.business_days_left(instruction_due(received, calendar), now) <= 3:
            return received
    raise AssertionError("no receipt date found")


async def test_the_queue_shows_both_tenants_in_due_date_order_in_their_colours(
    open_browser: Any,
    db: Database,
    services: Services,
    acme: Accounts,
    bravo: Accounts,
    staff: Accounts,
) -> None:
    now = clock.now()
    on_track = await _instruct_on(db, services, acme, now)
    overdue = await _instruct_on(db, services, bravo, now - timedelta(days=80))
    nearing = await _instruct_on(db, services, acme, _received_nearing(now))
    visit = await open_browser()
    page = await staff_page(visit, staff.email("platform_staff"))
    assert await page.text_content("[data-testid=escalation-overdue]") == "overdue: 1"
    await page.click("nav >> text=Instructions")
    rows = page.locator("[data-testid=queue-row]")
    assert await rows.count() == 3
    shown = [
        (await rows.nth(n).get_attribute("data-instruction"), await rows.nth(n).text_content())
        for n in range(3)
    ]
    assert [UUID(str(i)) for i, _ in shown] == [overdue, nearing, on_track]
    assert "bravo" in str(shown[0][1]) and "acme" in str(shown[1][1])
    assert "delete a subject's data" in str(shown[0][1])
    assert str(acme.user_id("employee")) not in await page.content()  # ids of subjects: not here
    for n, escalation in enumerate(("overdue", "nearing", "ok")):
        row = rows.nth(n)
        assert await row.get_attribute("data-escalation") == escalation
        colour = await row.locator("td").first.evaluate(
            "cell => getComputedStyle(cell).borderLeftColor"
        )
        assert colour == COLOURS[escalation]


async def test_a_failed_instruction_is_retried_from_its_page_and_completes(
    open_browser: Any,
    client: httpx.AsyncClient,
    owner: asyncpg.Pool,
    jobs: Jobs,
    acme: Accounts,
    staff: Accounts,
) -> None:
    assert acme.tenant_id
    instruction_id = (await instruct(client, acme, kind="return_data"))["instruction"]["id"]
    async with owner.acquire() as conn, conn.transaction():  # nobody to deliver to: it fails
        await conn.execute("select set_config('app.tenant_id', $1, true)", str(acme.tenant_id))
        await conn.execute("update memberships set status = 'disabled' where role = 'client_admin'")
    await jobs.drain()
    visit = await open_browser()
    page = await staff_page(visit, staff.email("platform_staff"))
    failed = page.locator("[data-testid=queue-row]")
    assert await failed.count() == 1  # the overview's failures needing attention
    await failed.first.locator("a").click()
    await page.wait_for_selector("[data-testid=retry]")
    assert await page.text_content("[data-testid=instruction-status]") == "failed"
    assert "no active client admin" in str(await page.text_content("[data-testid=status-reason]"))

    async with owner.acquire() as conn, conn.transaction():
        await conn.execute("select set_config('app.tenant_id', $1, true)", str(acme.tenant_id))
        await conn.execute("update memberships set status = 'active'")
    await page.click("[data-testid=retry]")
    await page.wait_for_selector("text=The instruction's status is changed.")
    await jobs.drain()
    detail = await wait_for_status(client, acme, instruction_id, {"completed", "failed"})
    assert detail["instruction"]["status"] == "completed"
    await page.reload()
    assert await page.text_content("[data-testid=instruction-status]") == "completed"
    events = [await e.text_content() for e in await page.locator("[data-testid=event]").all()]
    assert "retry after failure" in str(events)
    assert await page.locator("[data-testid=certificate]").count() == 1  # signed at completion


async def test_a_legal_hold_recorded_on_the_page_keeps_an_instructions_rows(
    open_browser: Any,
    client: httpx.AsyncClient,
    db: Database,
    jobs: Jobs,
    acme: Accounts,
    bravo: Accounts,
    staff: Accounts,
) -> None:
    assert acme.tenant_id
    subject = acme.user_id("employee")
    await fill_notifications(db, acme.tenant_id, subject, 3)
    visit = await open_browser()
    page = await staff_page(visit, staff.email("platform_admin"))
    await page.click("nav >> text=Legal holds")
    await page.select_option("#hold-tenant", str(acme.tenant_id))
    await page.check("#scope-subject")
    await page.fill("#subject-user-id", str(subject))
    await page.fill("#basis", "Court order to preserve evidence")
    await page.fill("#reference", "LG Berlin 12 O 34/27")
    review_on = (clock.now() + timedelta(days=90)).date()
    await page.fill("#review-on", review_on.isoformat())
    await page.click("button:has-text('Record the hold')")
    await page.wait_for_selector("text=The legal hold is recorded.")
    assert await page.locator("[data-testid=hold]").count() == 1
    assert await page.text_content("[data-testid=review-on]") == review_on.strftime("%d %b %Y")

    created = await instruct(client, acme, kind="delete_subject", subject_user_id=str(subject))
    instruction_id = created["instruction"]["id"]
    await jobs.drain()
    await page.reload()
    await page.click("[data-testid=kept-instruction]")
    await page.wait_for_selector("[data-testid=progress]")
    assert instruction_id in page.url
    kept = page.locator("[data-testid=keeping-hold]")
    assert "LG Berlin 12 O 34/27" in str(await kept.first.text_content())
    notifications = page.locator("[data-testid=progress-row][data-table=notifications]")
    assert await notifications.locator("[data-testid=retained]").text_content() == "3"
    assert await page.text_content("[data-testid=instruction-status]") == "partially completed"
    async with db.transaction(Scope.TENANT, acme.tenant_id) as session:
        assert len(await list_for_user(session, acme.tenant_id, subject)) == 3  # still there


async def test_a_breach_recorded_on_the_page_reaches_the_client_admin_and_is_acknowledged(
    open_browser: Any,
    client: httpx.AsyncClient,
    db: Database,
    jobs: Jobs,
    smtp_server: SmtpServer,
    acme: Accounts,
    bravo: Accounts,
    staff: Accounts,
) -> None:
    assert acme.tenant_id
    visit = await open_browser()
    page = await staff_page(visit, staff.email("platform_staff"))
    await page.click("nav >> text=Breaches")
    await page.fill("#title", "Backup bucket readable")
    discovered = (clock.now() - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    await page.fill("#discovered", discovered)
    await page.fill("#description", "A storage bucket with backups was publicly readable.")
    await page.check(f"#tenant-{acme.tenant_id}")
    await page.fill("#data-categories", "names, work e-mail")
    await page.fill("#subject-categories", "employees")
    await page.fill("#approx-subjects", "40")
    await page.fill("#measures-taken", "Access closed, keys rotated.")
    await page.click("button:has-text('Record and notify')")
    await page.wait_for_selector("text=The breach is recorded")
    notice = page.locator("[data-testid=notice]")
    assert await notice.count() == 1 and await notice.get_attribute("data-tenant") == "acme"
    assert await notice.locator("[data-testid=acknowledged]").text_content() == "not yet"
    breach_id = page.url.rsplit("/", 1)[-1]

    await jobs.drain()
    assert recipients(smtp_server.received) == [acme.email("client_admin")]
    assert "Backup bucket readable" in body(smtp_server.received[0])
    kinds = await notification_kinds(db, acme.tenant_id, acme.user_id("client_admin"))
    assert kinds == ["breach.reported"]  # in the tenant's console too
    admin = acme.auth("client_admin")
    told = await client.get("/api/v1/breaches", headers=admin)
    assert [b["id"] for b in told.json()["items"]] == [breach_id]
    acknowledged = await client.post(f"/api/v1/breaches/{breach_id}/acknowledge", headers=admin)
    assert acknowledged.status_code == 200, acknowledged.text

    await page.reload()
    assert "sent" in str(await notice.locator("[data-testid=delivery]").text_content())
    assert await notice.locator("[data-testid=acknowledged]").text_content() != "not yet"

    await page.fill("#information", "The copy was also indexed by a search engine.")
    await page.click("button:has-text('Add and tell the clients')")
    await page.wait_for_selector("text=The information is added")
    await jobs.drain()
    assert recipients(smtp_server.received[1:]) == [acme.email("client_admin")]
    assert "also indexed by a search engine" in body(smtp_server.received[1])
    assert "Backup bucket readable" in " ".join(str(smtp_server.received[1]["Subject"]).split())
    kinds = await notification_kinds(db, acme.tenant_id, acme.user_id("client_admin"))
    assert sorted(kinds) == ["breach.follow_up", "breach.reported"]
    await page.reload()
    delivery = page.locator("[data-testid=follow-up-delivery]")
    assert await delivery.text_content() == "sent to 1 of 1 tenants"
    for action in ("breach.recorded", "breach.follow_up_added"):
        [event] = await audit_events(client, staff.auth("platform_admin"), action)
        assert event["actor_id"] == str(staff.user_id("platform_staff"))


async def test_a_tenant_is_read_only_under_a_grant_entered_with_the_banner(
    open_browser: Any, client: httpx.AsyncClient, acme: Accounts, staff: Accounts
) -> None:
    await seed_workforce(client, acme)
    visit = await open_browser()
    page = await staff_page(visit, staff.email("platform_staff"))
    employees = f"/staff/support/{acme.tenant_id}/employees"
    refused = await page.goto(employees)
    assert refused is not None and refused.status == 404
    home = await page.goto("/home")  # a tenant's own pages: nothing there for staff
    assert home is not None and home.status == 404

    granted = await client.post(
        "/api/v1/support-grants",
        json={"reason": "Ticket 4711: timesheet totals", "hours": 2},
        headers=acme.auth("client_admin"),
    )
    assert granted.status_code == 201, granted.text
    still_refused = await page.goto(employees)  # a grant alone is not entering
    assert still_refused is not None and still_refused.status == 404
    await page.goto("/staff/support")
    await page.click("[data-testid=enter]")
    await page.wait_for_selector("[data-testid=employee]")
    assert page.url.endswith(employees)
    banner = str(await page.text_content("[data-testid=support-banner]"))
    assert "acme GmbH" in banner and "read only" in banner
    expires = datetime.fromisoformat(granted.json()["expires_at"])
    assert expires.strftime("%d %b %Y, %H:%M") in banner
    names = [await e.text_content() for e in await page.locator("[data-testid=employee]").all()]
    assert any("Employee of acme" in str(n) for n in names)
    forms = await page.eval_on_selector_all("main form", "fs => fs.map(f => f.action)")
    assert [f for f in forms if not f.endswith("/staff/support/leave")] == []  # read only
    await page.goto("/staff/legal-holds")
    assert await page.locator("[data-testid=support-banner]").count() == 1  # on every page
    [entered] = await audit_events(client, acme.auth("client_admin"), "support.entered")
    assert entered["actor_id"] == str(staff.user_id("platform_staff"))
    assert await audit_events(client, acme.auth("client_admin"), "personal_data.read")

    await page.click("button:has-text('Leave the tenant')")
    await page.wait_for_selector("text=You left the tenant.")
    assert await page.locator("[data-testid=support-banner]").count() == 0
    after = await page.goto(employees)
    assert after is not None and after.status == 404
