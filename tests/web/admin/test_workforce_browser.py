"""The workforce pages in a real browser (Chromium through Playwright): an employee added,
edited and found; a restriction refusing an edit on the form; an invitation that arrives
by e-mail and whose link sets the invitee's password; a role change the person's session
follows; a site drawn with its geofence; the location setting reaching the employee's
home; stored markup shown as text. The fixture fails a test whose pages asked another
host for anything (tests/web/conftest.py)."""

from __future__ import annotations

import re
from typing import Any

import httpx

from tenants.settings.models import LocationMode
from tenants.settings.service import LocationPolicy, describe
from tests.accounts import PASSWORD, Accounts
from tests.fixtures.jobs import Jobs
from tests.jobs.smtp_server import SmtpServer
from tests.web.conftest import artifact
from tests.web.test_browser import signed_in
from tests.workforce.seed import seed_workforce

XSS = "<script>alert(1)</script>"


async def test_add_an_employee_edit_them_and_find_them(
    open_browser: Any, client: httpx.AsyncClient, acme: Accounts
) -> None:
    visit = await open_browser()
    page = await signed_in(visit, acme.email("client_admin"))
    await page.click("nav >> text=Employees")
    await page.click("text=Add an employee")
    await page.fill("#f-name", "Grace Hopper")
    await page.fill("#f-employee_number", "G-1906")
    await page.fill("#f-job_title", "Rear admiral")
    await page.fill("#f-hire_date", "2025-12-09")
    await page.fill("#f-work_email", "grace@acme.example")
    await page.check("#f-directory_excluded")
    await page.click("[data-testid=save-employee]")
    await page.wait_for_selector("text=The employee was added.")
    assert await page.text_content("h1") == "Employee: Grace Hopper"
    assert await page.is_visible("[data-testid=objection]")
    await page.fill("#f-job_title", "Computer scientist")
    await page.click("[data-testid=save-employee]")
    await page.wait_for_selector("text=The employee's record was saved.")
    await page.click("text=All employees")
    await page.fill("#q", "hopp")
    await page.click("button:has-text('Search')")
    await page.wait_for_url("**/admin/employees?q=hopp*")
    rows = page.locator("[data-testid=employee-row]")
    assert await rows.count() == 1
    row = await rows.first.text_content() or ""
    assert "Grace Hopper" in row and "grace@acme.example" in row and "objected" in row
    await page.fill("#q", "nobody like this")
    await page.click("button:has-text('Search')")
    await page.wait_for_url("**/admin/employees?q=nobody*")
    assert await page.is_visible("[data-testid=no-employees]")
    listed = await client.get("/api/v1/employees", headers=acme.auth("client_admin"))
    [grace] = listed.json()["items"]
    assert grace["job_title"] == "Computer scientist" and grace["hire_date"] == "2025-12-09"


async def test_a_restriction_refuses_the_edit_on_the_form(
    open_browser: Any, client: httpx.AsyncClient, acme: Accounts
) -> None:
    workforce = await seed_workforce(client, acme)
    colleague = workforce.employees["colleague"]
    frozen = await client.patch(
        f"/api/v1/employees/{colleague}",
        json={"processing_restricted": True},
        headers=workforce.admin,
    )
    assert frozen.status_code == 200
    visit = await open_browser()
    page = await signed_in(visit, acme.email("client_admin"))
    await page.goto(f"/admin/employees/{colleague}")
    assert await page.is_visible("[data-testid=restricted]")
    await page.fill("#f-job_title", "Changed while frozen")
    async with page.expect_navigation() as navigation:
        await page.click("[data-testid=save-employee]")
    response = await navigation.value
    assert response is not None and response.status == 409
    problem = await page.text_content("[data-testid=problem]") or ""
    assert "restricted" in problem and "until the restriction is lifted" in problem
    assert await page.input_value("#f-job_title") == "Changed while frozen"
    record = await client.get(f"/api/v1/employees/{colleague}", headers=workforce.admin)
    assert record.json()["job_title"] is None


async def test_an_invitation_arrives_and_its_link_sets_the_password(
    open_browser: Any,
    client: httpx.AsyncClient,
    acme: Accounts,
    jobs: Jobs,
    smtp_server: SmtpServer,
) -> None:
    address = "new.colleague@acme.example"
    visit = await open_browser()
    admin = await signed_in(visit, acme.email("client_admin"))
    await admin.click("nav >> text=Users and roles")
    await admin.fill("#invite-email", address)
    await admin.select_option("#invite-role", "client_manager")
    await admin.click("[data-testid=invite]")
    await admin.wait_for_selector("text=The invitation was sent by e-mail.")
    row = await admin.text_content(f"[data-email='{address}']") or ""
    assert "pending" in row and "client manager" in row
    await jobs.drain()
    [message] = [m for m in smtp_server.received if m["To"] == address]
    body = message.get_payload(decode=True)
    assert isinstance(body, bytes)
    link = re.search(r"https?://\S+(/invitations/[\w-]+)", body.decode())
    assert link is not None

    invitee = await (await open_browser()).context.new_page()
    await invitee.goto(link.group(1))
    assert "acme GmbH" in (await invitee.text_content("[data-testid=invitation]") or "")
    own = "my very own passphrase"
    await invitee.fill("#password", own)
    await invitee.fill("#password_again", own)
    await invitee.click("[data-testid=accept]")
    await invitee.wait_for_url("**/t/acme/sign-in")
    assert "Your account is ready." in await invitee.content()
    await invitee.fill("#email", address)
    await invitee.fill("#password", own)
    await invitee.click("button:has-text('Sign in')")
    await invitee.wait_for_url("**/home")
    assert "client manager" in (await invitee.text_content(".role") or "")
    again = await invitee.goto(link.group(1))
    assert again is not None and again.status == 404  # the link worked once


async def test_a_role_change_reaches_the_persons_session(open_browser: Any, acme: Accounts) -> None:
    person = await signed_in(await open_browser(), acme.email("employee"))
    assert "employee" in (await person.text_content(".role") or "")
    assert await person.locator("nav >> text=Employees").count() == 0
    admin = await signed_in(await open_browser(), acme.email("client_admin"))
    await admin.goto("/admin/users")
    row = admin.locator(f"[data-email='{acme.email('employee')}']")
    await row.locator("select").select_option("client_admin")
    await row.locator("[data-testid=change-role]").click()
    await admin.wait_for_selector("text=The role was changed.")
    assert "client admin" in (await row.locator("[data-testid=role]").text_content() or "")

    await person.goto("/my/time")
    assert "/sign-in?next=/my/time" in person.url  # the old session ended with the change
    await person.fill("#tenant", "acme")
    await person.fill("#email", acme.email("employee"))
    await person.fill("#password", PASSWORD)
    await person.click("button:has-text('Sign in')")
    await person.wait_for_url("**/my/time")
    assert "client admin" in (await person.text_content(".role") or "")
    await person.click("nav >> text=Employees")
    await person.wait_for_url("**/admin/employees")


async def test_create_a_site_with_a_geofence_and_see_it_drawn(
    open_browser: Any, client: httpx.AsyncClient, acme: Accounts
) -> None:
    visit = await open_browser(viewport={"width": 360, "height": 740})
    page = await signed_in(visit, acme.email("client_admin"))
    await page.click("nav >> text=Sites")
    await page.click("text=Add a job site")
    await page.fill("#f-name", "Harbour depot")
    await page.fill("#f-address", "Kai 3, Hamburg")
    await page.fill("#f-latitude", "53.5450")
    await page.fill("#f-longitude", "9.9660")
    await page.fill("#f-radius_m", "80")
    await page.click("[data-testid=save-site]")
    await page.wait_for_selector("text=The job site was added.")
    fence = page.locator("[data-testid=geofence-preview] svg circle[data-testid=fence]")
    assert await fence.get_attribute("r") == "80"
    assert await page.text_content("[data-testid=scale-label]") == "100 m"
    title = await page.text_content("[data-testid=geofence-preview] svg title")
    assert title == "Geofence of Harbour depot: a circle of 80 m around 53.545, 9.966"
    await page.screenshot(path=artifact("admin-site-360.png"), full_page=True)
    await page.click("text=All job sites")
    row = await page.text_content("[data-testid=site-row]") or ""
    assert "Harbour depot" in row and "80 m around 53.545, 9.966" in row
    sites = await client.get("/api/v1/sites", headers=acme.auth("client_admin"))
    [site] = sites.json()["items"]
    assert site["geofence"] == {"latitude": 53.545, "longitude": 9.966, "radius_m": 80}


async def test_the_location_setting_changes_what_the_employee_reads(
    open_browser: Any, client: httpx.AsyncClient, acme: Accounts
) -> None:
    await seed_workforce(client, acme)
    admin = await signed_in(await open_browser(), acme.email("client_admin"))
    await admin.click("nav >> text=Location setting")
    await admin.check("#mode-precise")
    await admin.fill("#f-precise_location_days", "21")
    await admin.click("[data-testid=save-location]")
    await admin.wait_for_selector("text=The location setting was saved.")
    precise = describe(LocationPolicy(LocationMode.PRECISE, 21))
    assert await admin.text_content("[data-testid=employee-text]") == precise
    employee = await signed_in(await open_browser(), acme.email("employee"))
    assert await employee.text_content("[data-testid=location-explanation]") == precise
    await admin.check("#mode-off")
    await admin.click("[data-testid=save-location]")
    await admin.wait_for_selector("text=The location setting was saved.")
    await employee.reload()
    off = describe(LocationPolicy(LocationMode.OFF, 21))
    assert await employee.text_content("[data-testid=location-explanation]") == off


async def test_markup_in_an_employee_name_is_shown_as_text(
    open_browser: Any, acme: Accounts
) -> None:
    visit = await open_browser()
    page = await signed_in(visit, acme.email("client_admin"))
    await page.goto("/admin/employees/new")
    await page.fill("#f-name", XSS)
    await page.click("[data-testid=save-employee]")
    await page.wait_for_selector("text=The employee was added.")
    assert await page.text_content("h1") == f"Employee: {XSS}"
    await page.goto("/admin/employees")
    assert await page.text_content("[data-testid=employee-row] a") == XSS
    assert page.dialogs == []
