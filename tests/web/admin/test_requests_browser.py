"""The privacy-request console in a real browser (Chromium through Playwright), with the
real job worker and SMTP server: the whole life of an access request, an extension whose
reason the employee then reads, a refusal with the right to complain, an erasure with its
preview and result, a restriction set and lifted (the person told first), a manager's
403 page and another tenant's id as a 404 page. The fixture fails any test whose pages
asked another host for anything."""

from __future__ import annotations

import io
import json
import re
import zipfile
from typing import Any

import httpx

from tests.fixtures.jobs import Jobs
from tests.jobs.smtp_server import SmtpServer, body
from tests.privacy.companies import Company, admin_view, file_request, seed_company, to
from tests.web.admin.requests_helpers import BASE, demo_queue
from tests.web.conftest import artifact
from tests.web.test_browser import signed_in
from timeward.db.session import Database


async def _admin_page(open_browser: Any, company: Company) -> Any:
    visit = await open_browser()
    return await signed_in(visit, company.accounts.email("client_admin"), company.accounts.slug)


async def _employee_page(open_browser: Any, company: Company) -> Any:
    visit = await open_browser()
    return await signed_in(visit, company.accounts.email("employee"), company.accounts.slug)


async def test_requests_the_whole_life_of_an_access_request(
    open_browser: Any, client: httpx.AsyncClient, db: Database, jobs: Jobs
) -> None:
    acme = await seed_company(db, client, "acme")
    person = acme.people["employee"]
    employee = await _employee_page(open_browser, acme)
    await employee.click("nav >> text=My privacy requests")
    await employee.check("#type-access")
    await employee.fill("#details", "Everything you hold about me.")
    await employee.click("button:has-text('Send to my employer')")
    await employee.wait_for_selector("[data-testid=request-explanation]")
    mine = employee.url

    admin = await _admin_page(open_browser, acme)
    await admin.click("nav >> a[href='/admin/privacy-requests']")
    row = admin.locator("[data-testid=queue-row]")
    assert await row.count() == 1
    assert person.name in await row.first.text_content()
    await row.first.locator("a").click()
    assert "Everything you hold about me." in await admin.content()
    # filed in the app: the sign-in verified the identity, so no verification is offered
    assert "Record the identity as verified" not in await admin.content()
    await admin.click("[data-testid=preview-export]")
    preview = admin.locator("[data-testid=export-preview]")
    await preview.wait_for()
    employees_row = preview.locator("tr", has=admin.locator("code", has_text="employees"))
    assert (await employees_row.locator("td").last.text_content()) == "1"
    await admin.click("button:has-text('Build the export and deliver it')")
    await admin.wait_for_selector("text=The export is being built")
    await jobs.drain()
    await admin.reload()
    result = admin.locator("[data-testid=export-result]")
    await result.wait_for()
    assert "employees" in await result.text_content()
    async with admin.expect_download() as admin_download:
        await admin.click("[data-testid=admin-download]")
    assert (await admin_download.value).suggested_filename.endswith(".zip")
    await admin.fill("#complete-note", "Here is your data.")
    await admin.click("button:has-text('Complete')")
    await admin.wait_for_selector("text=The request is completed")
    assert await admin.text_content("[data-testid=status]") == "completed"

    await employee.goto(mine)
    assert await employee.text_content("[data-testid=request-status]") == "completed"
    assert "Here is your data." in await employee.content()
    async with employee.expect_download() as download:
        await employee.click("[data-testid=download]")
    path = await (await download.value).path()
    with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as archive:
        document = json.loads(archive.read("export.json"))
    [record] = document["tables"]["employees"]["rows"]
    assert (record["name"], record["phone"]) == (person.name, person.phone)


async def test_requests_an_extension_whose_reason_the_employee_reads(
    open_browser: Any, client: httpx.AsyncClient, db: Database, jobs: Jobs, smtp_server: SmtpServer
) -> None:
    acme = await seed_company(db, client, "acme")
    filed = await file_request(client, acme, "access")
    latest = (await admin_view(client, acme, filed["id"]))["deadline"]["latest_extension_date"]
    admin = await _admin_page(open_browser, acme)
    await admin.goto(f"{BASE}/{filed['id']}")
    reason = "Payroll archive is being migrated until next month."
    await admin.fill("#extend-reason", reason)
    await admin.click("#extend button:has-text('Show the message')")
    message = admin.locator("[data-testid=message-preview]")
    await message.wait_for()
    text = await message.text_content()
    assert reason in text and "needs more time" in text
    await admin.click("button:has-text('Extend and send')")
    await admin.wait_for_selector("text=The deadline is extended")
    assert await admin.text_content("[data-testid=status]") == "extended"
    assert await admin.text_content("[data-testid=extension-reason]") == reason

    employee = await _employee_page(open_browser, acme)
    await employee.goto(f"/my/privacy-requests/{filed['id']}")
    assert reason in await employee.content()
    due = await admin_view(client, acme, filed["id"])
    assert due["deadline"]["due_date"] == latest
    await jobs.drain()
    mails = to(smtp_server.received, acme.accounts.email("employee"))
    assert any(reason in body(mail) for mail in mails)


async def test_requests_a_refusal_with_the_right_to_complain(
    open_browser: Any, client: httpx.AsyncClient, db: Database
) -> None:
    acme = await seed_company(db, client, "acme")
    filed = await file_request(client, acme, "erasure")
    admin = await _admin_page(open_browser, acme)
    await admin.goto(f"{BASE}/{filed['id']}")
    reason = "We must keep these records for the tax office until 2031."
    await admin.fill("#refuse-reason", reason)
    await admin.click("#refuse button:has-text('Show the message')")
    text = await admin.text_content("[data-testid=message-preview]")
    assert reason in text and "supervisory authority" in text
    await admin.click("button:has-text('Refuse and send')")
    await admin.wait_for_selector("text=The request is refused")
    assert await admin.text_content("[data-testid=status]") == "refused"
    assert await admin.locator("[data-testid=no-decisions]").count() == 1

    employee = await _employee_page(open_browser, acme)
    await employee.goto(f"/my/privacy-requests/{filed['id']}")
    page = await employee.content()
    assert reason in page and "supervisory authority" in page


async def test_requests_an_erasure_with_its_preview_and_result(
    open_browser: Any, client: httpx.AsyncClient, db: Database, jobs: Jobs
) -> None:
    acme = await seed_company(db, client, "acme")
    person = acme.people["employee"]
    filed = await file_request(client, acme, "erasure")
    admin = await _admin_page(open_browser, acme)
    await admin.goto(f"{BASE}/{filed['id']}")
    await admin.click("[data-testid=preview-erasure]")
    preview = admin.locator("[data-testid=erasure-preview]")
    await preview.wait_for()
    employees = preview.locator("[data-testid=erasure-row][data-table=employees] td")
    assert await employees.nth(1).text_content() == "1"  # anonymised: a tombstone
    login = preview.locator("[data-testid=erasure-row][data-table=memberships] td")
    assert await login.first.text_content() == "1"  # removed
    # the preview changed nothing
    still = await client.get(f"/api/v1/employees/{acme.employees['employee']}", headers=acme.admin)
    assert still.status_code == 200 and still.json()["name"] == person.name
    await admin.check("#erasure-confirm")
    await admin.click("button:has-text('Erase')")
    await admin.wait_for_selector("text=The erasure is running")
    await jobs.drain()
    await admin.reload()
    result = admin.locator("[data-testid=erasure-result]")
    await result.wait_for()
    anonymised = result.locator("[data-testid=erasure-row][data-table=employees] td")
    assert await anonymised.nth(1).text_content() == "1"
    audit = result.locator("[data-testid=erasure-row][data-table=audit_events]")
    kept, basis = audit.locator("td").nth(2), audit.locator("td").nth(3)
    assert await kept.text_content() != "0" and (await basis.text_content()).strip()
    assert person.name not in await admin.content()
    tombstone = await client.get(
        f"/api/v1/employees/{acme.employees['employee']}", headers=acme.admin
    )
    assert person.name not in tombstone.text and person.phone not in tombstone.text


async def test_requests_restriction_set_then_lifted_with_the_person_told_first(
    open_browser: Any, client: httpx.AsyncClient, db: Database, jobs: Jobs, smtp_server: SmtpServer
) -> None:
    acme = await seed_company(db, client, "acme")
    filed = await file_request(client, acme, "restriction")
    admin = await _admin_page(open_browser, acme)
    await admin.goto(f"{BASE}/{filed['id']}")
    assert "processing restricted: the person" in await admin.text_content(
        "[data-testid=flag-effects]"
    )
    await admin.click("button:has-text('Set the flags')")
    await admin.wait_for_selector("text=The flags are set")
    assert "processing restricted: yes" in await admin.text_content("[data-testid=flags]")
    blocked = await client.post("/api/v1/clock/in", json={}, headers=acme.employee)
    assert (blocked.status_code, blocked.json()["reason"]) == (409, "processing_restricted")

    reason = "The disputed timesheet was checked and corrected."
    await admin.fill("#lift-reason", reason)
    await admin.click("#lift button:has-text('Show the message')")
    text = await admin.text_content("[data-testid=message-preview]")
    assert reason in text and "lifting the restriction" in text
    await admin.click("button:has-text('Tell the person and lift the restriction')")
    await admin.wait_for_selector("text=The person was told, and the restriction is lifted.")
    assert "processing restricted: no" in await admin.text_content("[data-testid=flags]")
    timeline = await admin.text_content("[data-testid=timeline]")
    assert "restriction lifted" in timeline and reason in timeline
    allowed = await client.post("/api/v1/clock/in", json={}, headers=acme.employee)
    assert allowed.status_code == 201, allowed.text
    await jobs.drain()
    mails = to(smtp_server.received, acme.accounts.email("employee"))
    assert any("lifting the restriction" in body(m) and reason in body(m) for m in mails)


async def test_requests_a_manager_gets_403_and_another_tenants_id_404(
    open_browser: Any, client: httpx.AsyncClient, db: Database
) -> None:
    acme = await seed_company(db, client, "acme")
    globex = await seed_company(db, client, "globex")
    theirs = await file_request(client, globex, "access")
    visit = await open_browser()
    manager = await signed_in(visit, acme.accounts.email("client_manager"), "acme")
    assert await manager.locator("nav >> a[href='/admin/privacy-requests']").count() == 0
    response = await manager.goto(BASE)
    assert response is not None and response.status == 403
    assert "Not allowed" in await manager.content()
    admin = await _admin_page(open_browser, acme)
    response = await admin.goto(f"{BASE}/{theirs['id']}")
    assert response is not None and response.status == 404
    assert "Not found" in await admin.content()


async def test_requests_the_queue_on_a_phone_and_a_request_page(
    open_browser: Any, client: httpx.AsyncClient, db: Database
) -> None:
    """The demo's queue at 360 px (screenshots kept in .artifacts/): the overdue request
    leads, marked in words, and its row opens the request."""
    acme = await seed_company(db, client, "acme")
    await demo_queue(db, client, acme)
    visit = await open_browser(viewport={"width": 360, "height": 740})
    page = await signed_in(visit, acme.accounts.email("client_admin"), "acme")
    assert "6 open, of which 1 overdue." in await page.text_content(
        "[data-testid=privacy-queue-counts]"
    )
    await page.click("text=Open the queue")
    first = page.locator("[data-testid=queue-row]").first
    assert "overdue" in await first.locator(".light").text_content()
    await page.screenshot(path=artifact("admin-queue-360.png"), full_page=True)
    await first.locator("a").click()
    await page.wait_for_selector("[data-testid=timeline]")
    assert "erasure" in await page.text_content("h1")
    assert re.search(r"\(\d+ days overdue\)", await page.text_content("[data-testid=due]"))
    await page.screenshot(path=artifact("admin-request-360.png"), full_page=True)
