"""The timesheet pages in Chromium: a manager approves an entry with a note, then
downloads the month for payroll as CSV and XLSX (opened and checked row by row, with their
totals); a month closed by an admin refuses a manager's correction until the admin reopens
it with a reason (on the audit log); axe-core finds no serious or critical violation on
any timesheet page. The browser fixture fails the test on any request to another host."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from openpyxl import load_workbook
from sqlalchemy import select

from tests.accounts import Accounts
from tests.web.test_accessibility import blocking_violations
from tests.web.test_browser import signed_in
from tests.workforce.seed import seed_workforce
from tests.workforce.timesheet_data import csv_rows, month_key, seed_sheet
from timeward.audit.models import AuditEvent
from timeward.db.session import Database, Scope


async def _download(page: Any, button: str) -> Path:
    async with page.expect_download() as started:
        await page.click(f"[data-testid={button}]")
    download = await started.value
    path = Path(await download.path())
    assert download.suggested_filename.startswith("timesheets-")
    return path


async def test_a_timesheet_approved_then_exported(
    open_browser: Any, client: httpx.AsyncClient, acme: Accounts
) -> None:
    workforce = await seed_workforce(client, acme)
    sheet = await seed_sheet(client, workforce)
    month = month_key(sheet.month)
    visit = await open_browser()
    page = await signed_in(visit, acme.email("client_manager"))
    await page.click("nav >> text=Timesheets")
    await page.wait_for_selector("[data-testid=team-row]")
    await page.goto(
        f"/admin/timesheets/employees/{workforce.employees['employee']}?week={sheet.monday}"
    )
    row = page.locator(f"[data-entry='{sheet.entries['thu']}']")
    await row.locator("input[name=note]").fill("Delivery confirmed by the foreman")
    await row.locator("[data-testid=approve]").click()
    await page.wait_for_selector("text=The time entry was approved.")
    assert "approved" in await row.locator("[data-testid=entry-state]").text_content()

    await page.goto(f"/admin/timesheets?month={month}")
    await page.check("#rows-day")
    days = csv_rows((await _download(page, "export-csv")).read_bytes())
    tue, wed, thu = (str(sheet.monday + timedelta(days=n)) for n in (1, 2, 3))
    shown = sorted(
        (d["employee_name"], d["date"], d["hours_decimal"], d["hours_hmm"]) for d in days
    )
    assert shown == [
        ("Colleague of acme", tue, "8.12", "8:07"),
        ("Employee of acme", tue, "8.25", "8:15"),
        ("Employee of acme", wed, "8.33", "8:20"),
        ("Employee of acme", thu, "2.00", "2:00"),  # approved in the browser just now
    ]
    assert sum(int(d["entries"]) for d in days) == 5  # the rejected Friday is not paid

    await page.goto(f"/admin/timesheets?month={month}")
    await page.check("#rows-entry")
    workbook = load_workbook(io.BytesIO((await _download(page, "export-xlsx")).read_bytes()))
    entries = list(workbook["Entries"].iter_rows(values_only=True))
    assert entries[0][:7] == (
        "employee_number", "employee_name", "date", "start_utc", "end_utc", "hours_decimal",
        "hours_hmm",
    )  # fmt: skip
    assert len(entries) == 1 + 5
    assert sorted(e[5] for e in entries[1:]) == [2.0, 3.75, 4.5, 8.12, 8.33]
    totals = {row[1]: row[2:] for row in workbook["Totals"].iter_rows(min_row=2, values_only=True)}
    assert totals == {
        "Colleague of acme": (1, 8.12, "8:07"),
        "Employee of acme": (3, 18.58, "18:35"),
        "Total": (None, 26.7, "26:42"),
    }

    employee = await signed_in(await open_browser(), acme.email("employee"))
    assert await employee.locator("nav >> text=Timesheets").count() == 0
    refused = await employee.goto("/admin/timesheets")
    assert refused is not None and refused.status == 403
    assert "Not allowed" in await employee.content()


async def test_a_closed_month_refuses_an_edit_until_an_admin_reopens_it(
    open_browser: Any, client: httpx.AsyncClient, acme: Accounts, db: Database
) -> None:
    workforce = await seed_workforce(client, acme)
    sheet = await seed_sheet(client, workforce)
    month = month_key(sheet.month)
    manager = await signed_in(await open_browser(), acme.email("client_manager"))
    admin = await signed_in(await open_browser(), acme.email("client_admin"))
    entry_page = f"/admin/timesheets/entries/{sheet.entries['thu']}"
    await manager.goto(entry_page)  # the correction form, while the month is open

    await admin.goto(f"/admin/timesheets?month={month}")
    await admin.click(f"[data-testid=close-{month}]")
    await admin.wait_for_selector("text=The month is closed for payroll.")

    await manager.fill("#end", "11:00")
    async with manager.expect_navigation() as navigation:
        await manager.click("[data-testid=save-correction]")
    response = await navigation.value
    assert response is not None and response.status == 409
    detail = await manager.text_content("[data-testid=error-detail]")
    assert "is closed for payroll" in detail and "reopen" in detail
    await manager.goto(entry_page)
    assert await manager.locator("[data-testid=month-closed]").count() == 1
    assert await manager.locator("[data-testid=save-correction]").count() == 0

    reason = "The foreman's Thursday report came in late"
    await admin.fill(f"#reason-{month}", reason)
    await admin.click(f"[data-testid=reopen-{month}]")
    await admin.wait_for_selector("text=The month is open again.")

    await manager.goto(entry_page)
    await manager.fill("#end", "11:00")
    await manager.click("[data-testid=save-correction]")
    await manager.wait_for_selector("text=The time entry was corrected.")
    corrected = await client.get(
        f"/api/v1/time-entries/{sheet.entries['thu']}", headers=workforce.admin
    )
    assert corrected.json()["duration_seconds"] == 3 * 3600
    async with db.transaction(Scope.TENANT, acme.tenant_id) as session:
        events = await session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action.in_(["period.locked", "period.reopened"]))
            .order_by(AuditEvent.seq)
        )
        trail = [(e.action, e.details.get("reason"), e.actor_role) for e in events]
    assert trail == [
        ("period.locked", None, "client_admin"),
        ("period.reopened", reason, "client_admin"),
    ]


async def test_no_serious_or_critical_violation_on_the_timesheet_pages(
    open_browser: Any, client: httpx.AsyncClient, acme: Accounts
) -> None:
    workforce = await seed_workforce(client, acme)
    sheet = await seed_sheet(client, workforce)
    month = month_key(sheet.month)
    employee = workforce.employees["employee"]
    page = await signed_in(await open_browser(), acme.email("client_admin"))
    found = []
    for path in (
        "/admin/timesheets",
        f"/admin/timesheets?week={sheet.monday}",
        f"/admin/timesheets?month={month}",
        f"/admin/timesheets/employees/{employee}?week={sheet.monday}",
        f"/admin/timesheets/employees/{employee}?month={month}",
        f"/admin/timesheets/entries/{sheet.entries['thu']}",
    ):
        await page.goto(path)
        found += await blocking_violations(page)
    await page.goto(f"/admin/timesheets?month={month}")
    await page.click(f"[data-testid=close-{month}]")  # the closed state: reopen form, notices
    await page.wait_for_selector("[data-testid=month-closed]")
    found += await blocking_violations(page)
    await page.goto(f"/admin/timesheets/entries/{sheet.entries['thu']}")
    found += await blocking_violations(page)
    assert found == []
