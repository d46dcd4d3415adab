"""The timesheet pages over HTTP (tests/web/pages.py's cookie client): a manager reads the
team's week and one employee's, approves with a note, adds and corrects entries; the
export downloads as a staff read on the audit log; a closed month refuses a change with a
409 page until an admin reopens it with a reason. Employees get 403 pages, another
tenant's ids 404 pages."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import select

from tests.accounts import Accounts
from tests.web.pages import page_client, sign_in, submit
from tests.workforce.seed import Workforce, seed_workforce
from tests.workforce.timesheet_data import csv_rows, enter, month_key, seed_sheet, use_zone
from timeward.audit.models import AuditEvent
from timeward.db.session import Database, Scope


async def _audit(db: Database, workforce: Workforce, action: str) -> list[AuditEvent]:
    async with db.transaction(Scope.TENANT, workforce.accounts.tenant_id) as session:
        rows = await session.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq)
        )
        return list(rows.all())


async def _entry(client: httpx.AsyncClient, workforce: Workforce, entry_id: str) -> dict[str, str]:
    response = await client.get(f"/api/v1/time-entries/{entry_id}", headers=workforce.admin)
    assert response.status_code == 200
    body: dict[str, str] = response.json()
    return body


async def test_a_manager_runs_the_week_in_the_pages(
    live_server: str, client: httpx.AsyncClient, acme: Accounts, bravo: Accounts, db: Database
) -> None:
    workforce = await seed_workforce(client, acme)
    sheet = await seed_sheet(client, workforce)
    week = sheet.monday.isoformat()
    employee_page = f"/admin/timesheets/employees/{workforce.employees['employee']}?week={week}"
    async with page_client(live_server) as browser:
        await sign_in(browser, acme.email("client_manager"), "acme")
        team = await browser.get(f"/admin/timesheets?week={week}")
        assert team.status_code == 200, team.text
        assert '<a href="/admin/timesheets" aria-current="page">Timesheets</a>' in team.text
        assert team.text.count('data-testid="team-row"') == 4
        # The employee's week: 8:15 + 8:20 + 2:00 pending; the colleague's Tuesday 8:07.
        assert 'data-testid="row-total">18.58<' in team.text
        assert 'data-testid="row-total">8.12<' in team.text

        mine = await browser.get(employee_page)
        assert mine.text.count('data-testid="entry-row"') == 5
        tuesday = await browser.get(f"/admin/timesheets?week={sheet.monday + timedelta(days=1)}")
        assert tuesday.status_code == 422 and "expected a Monday" in tuesday.text
        pending = sheet.entries["thu"]
        approved = await submit(
            browser,
            employee_page,
            f"/admin/timesheets/entries/{pending}/decision",
            {"decision": "approved", "note": "Checked against the site diary"},
        )
        assert approved.status_code == 303 and approved.headers["location"] == employee_page
        shown = await browser.get(employee_page)
        assert "The time entry was approved." in shown.text
        assert "Checked against the site diary" in shown.text
        decided = await _entry(client, workforce, pending)
        assert decided["approval_state"] == "approved"
        assert decided["decided_by"] == str(acme.user_id("client_manager"))

        wednesday = sheet.monday + timedelta(days=2)
        added = await submit(
            browser,
            employee_page,
            "/admin/timesheets/entries",
            {
                "employee_id": str(workforce.employees["employee"]),
                "day": wednesday.isoformat(),
                "start": "17:00",
                "end": "18:30",
                "site_id": str(workforce.sites["yard"]),
                "notes": "Forgot to clock the evening delivery",
            },
        )
        assert added.status_code == 303, added.text
        listed = await client.get(
            f"/api/v1/time-entries?employee_id={workforce.employees['employee']}"
            f"&from={wednesday.isoformat()}&to={(wednesday + timedelta(days=1)).isoformat()}",
            headers=workforce.admin,
        )
        new = next(e for e in listed.json()["items"] if e["notes"])
        assert new["duration_seconds"] == 5400 and new["approval_state"] == "pending"
        assert new["created_by"] == str(acme.user_id("client_manager"))

        entry_page = f"/admin/timesheets/entries/{sheet.entries['wed']}"
        form = await browser.get(entry_page)
        assert 'value="08:00"' in form.text and 'value="16:20"' in form.text  # prefilled
        corrected = await submit(
            browser,
            entry_page,
            entry_page,
            {
                "day": wednesday.isoformat(),
                "start": "08:00",
                "end": "16:50",
                "site_id": str(workforce.sites["hq"]),  # as the prefilled form sends it
                "notes": "",
                "correction_note": "The gate log says 16:50",
            },
        )
        assert corrected.status_code == 303, corrected.text
        wed = await _entry(client, workforce, sheet.entries["wed"])
        assert wed["duration_seconds"] == 8 * 3600 + 50 * 60
        assert wed["approval_state"] == "pending"  # a correction sends it back
        assert wed["correction_note"] == "The gate log says 16:50"
        assert "The gate log says 16:50" in (await browser.get(entry_page)).text
        (updated,) = await _audit(db, workforce, "time_entry.updated")
        assert updated.details["fields"] == ["ended_at", "correction_note"]  # names only
        overlapping = await submit(
            browser,
            entry_page,
            entry_page,
            {"day": wednesday.isoformat(), "start": "08:00", "end": "17:30"},
        )
        assert overlapping.status_code == 409 and "overlaps" in overlapping.text
        nonsense = await submit(
            browser, entry_page, entry_page, {"day": "yesterday", "start": "8", "end": "9"}
        )
        assert nonsense.status_code == 422 and "Invalid day" in nonsense.text

        theirs = await seed_workforce(client, bravo)
        their_entry = await enter(client, theirs, "employee", sheet.monday_at(8), 60)
        for path in (
            f"/admin/timesheets/employees/{theirs.employees['employee']}",
            f"/admin/timesheets/entries/{their_entry['id']}",
        ):
            other = await browser.get(path)
            assert other.status_code == 404 and "Not found" in other.text, path
        span = {"day": sheet.monday.isoformat(), "start": "20:00", "end": "21:00"}
        for action, fields in (
            (f"/admin/timesheets/entries/{their_entry['id']}/decision", {"decision": "rejected"}),
            (f"/admin/timesheets/entries/{their_entry['id']}", span),
        ):
            forged = await submit(browser, employee_page, action, fields)
            assert forged.status_code == 404, action
        untouched = await _entry(client, theirs, their_entry["id"])
        assert untouched["approval_state"] == "pending" and untouched["duration_seconds"] == 3600
        their_person = {"employee_id": str(theirs.employees["employee"]), **span}
        refused = await submit(browser, employee_page, "/admin/timesheets/entries", their_person)
        assert refused.status_code == 422 and "employee_id" in refused.text
    reads = await _audit(db, workforce, "personal_data.read")
    routes = {event.details["route"] for event in reads if event.actor_role == "client_manager"}
    assert "GET /admin/timesheets" in routes
    assert "GET /admin/timesheets/employees/{employee_id}" in routes

    async with page_client(live_server) as browser:
        await sign_in(browser, acme.email("employee"), "acme")
        home = await browser.get("/home")
        assert "/admin/timesheets" not in home.text  # not in an employee's navigation
        for path in ("/admin/timesheets", employee_page, "/admin/timesheets/export"):
            refused = await browser.get(path)
            assert refused.status_code == 403 and "Not allowed" in refused.text, path


async def test_the_export_downloads_from_the_page_as_an_audited_read(
    live_server: str, client: httpx.AsyncClient, acme: Accounts, db: Database
) -> None:
    workforce = await seed_workforce(client, acme)
    sheet = await seed_sheet(client, workforce)
    month = month_key(sheet.month)
    async with page_client(live_server) as browser:
        await sign_in(browser, acme.email("client_manager"), "acme")
        team = await browser.get(f"/admin/timesheets?month={month}")
        assert 'data-testid="export-csv"' in team.text
        assert f'name="month" value="{month}"' in team.text
        download = await browser.get(f"/admin/timesheets/export?month={month}&rows=day&format=csv")
    assert download.status_code == 200
    assert "attachment" in download.headers["content-disposition"]
    rows = csv_rows(download.content)
    assert sorted((r["employee_name"], r["hours_decimal"]) for r in rows) == [
        ("Colleague of acme", "8.12"),
        ("Employee of acme", "8.25"),
        ("Employee of acme", "8.33"),
    ]
    reads = await _audit(db, workforce, "personal_data.read")
    exports = [e for e in reads if e.details["route"] == "GET /admin/timesheets/export"]
    assert [(e.actor_id, e.subject_type) for e in exports] == [
        (acme.user_id("client_manager"), "time_entries")
    ]


async def test_a_closed_month_refuses_a_change_in_the_pages_until_reopened(
    live_server: str, client: httpx.AsyncClient, acme: Accounts, db: Database
) -> None:
    workforce = await seed_workforce(client, acme)
    sheet = await seed_sheet(client, workforce)
    month = month_key(sheet.month)
    team = f"/admin/timesheets?month={month}"
    pending = sheet.entries["thu"]
    employee_page = f"/admin/timesheets/employees/{workforce.employees['employee']}?month={month}"
    async with page_client(live_server) as manager, page_client(live_server) as admin:
        await sign_in(manager, acme.email("client_manager"), "acme")
        await sign_in(admin, acme.email("client_admin"), "acme")
        as_manager = await manager.get(team)
        assert f'data-testid="close-{month}"' not in as_manager.text  # admins only
        refused = await submit(manager, team, f"/admin/timesheets/locks/{month}", {})
        assert refused.status_code == 403

        closed = await submit(admin, team, f"/admin/timesheets/locks/{month}", {})
        assert closed.status_code == 303 and closed.headers["location"] == team
        shown = await admin.get(team)
        assert "The month is closed for payroll." in shown.text
        assert 'data-testid="month-closed"' in shown.text
        assert f'data-testid="reopen-{month}"' in shown.text

        sheet_page = await manager.get(employee_page)
        assert 'data-testid="approve"' not in sheet_page.text  # no decision offered
        attempt = await submit(
            manager, employee_page, f"/admin/timesheets/entries/{pending}/decision",
            {"decision": "approved"},
        )  # fmt: skip
        assert attempt.status_code == 409
        assert "Not possible now" in attempt.text and "is closed for payroll" in attempt.text
        assert (await _entry(client, workforce, pending))["approval_state"] == "pending"

        blank = await submit(admin, team, f"/admin/timesheets/locks/{month}/reopen", {"reason": ""})
        assert blank.status_code == 422 and "reason" in blank.text
        reason = "A missing night shift has to be entered"
        reopened = await submit(
            admin, team, f"/admin/timesheets/locks/{month}/reopen", {"reason": reason}
        )
        assert reopened.status_code == 303
        assert "The month is open again." in (await admin.get(team)).text
        again = await submit(
            manager, employee_page, f"/admin/timesheets/entries/{pending}/decision",
            {"decision": "approved"},
        )  # fmt: skip
        assert again.status_code == 303
    (event,) = await _audit(db, workforce, "period.reopened")
    assert event.details == {"month": month, "reason": reason}
    assert event.actor_id == acme.user_id("client_admin")


async def test_the_timesheet_pages_speak_german(
    live_server: str, client: httpx.AsyncClient, acme: Accounts
) -> None:
    workforce = await seed_workforce(client, acme)
    sheet = await seed_sheet(client, workforce)
    month = month_key(sheet.month)
    async with page_client(live_server) as browser:
        browser.headers["accept-language"] = "de-DE,de;q=0.9"
        await sign_in(browser, acme.email("client_admin"), "acme")
        team = await browser.get(f"/admin/timesheets?month={month}")
        assert "Stundenzettel" in team.text and "für die Lohnabrechnung abschließen" in team.text
        assert "Stunden insgesamt, davon" in team.text
        person = await browser.get(
            f"/admin/timesheets/employees/{workforce.employees['employee']}?month={month}"
        )
        assert "Stundenzettel von Employee of acme" in person.text
        assert "Genehmigen" in person.text and "Zeiteintrag hinzufügen" in person.text
        entry = await browser.get(f"/admin/timesheets/entries/{sheet.entries['thu']}")
        assert "Korrektur speichern" in entry.text


async def test_a_toronto_manager_sees_a_night_on_the_day_it_began(
    live_server: str, client: httpx.AsyncClient, acme: Accounts
) -> None:
    """Typed in Toronto time, 23:30 on Monday 30 November (04:30 on 1 December in UTC)
    stays on the 30th: in the team's week, the employee's sheet, the export, and in
    November when November is closed."""
    workforce = await seed_workforce(client, acme)
    await use_zone(client, workforce, "America/Toronto")
    person = workforce.employees["employee"]
    employee_page = f"/admin/timesheets/employees/{person}?week=2026-11-30"
    async with page_client(live_server) as manager, page_client(live_server) as admin:
        await sign_in(manager, acme.email("client_manager"), "acme")
        await sign_in(admin, acme.email("client_admin"), "acme")
        night = {"day": "2026-11-30", "start": "23:30", "end": "01:00", "site_id": ""}
        added = await submit(
            manager, employee_page, "/admin/timesheets/entries",
            {"employee_id": str(person), **night, "notes": "Night shift"},
        )  # fmt: skip
        assert added.status_code == 303 and added.headers["location"] == employee_page
        listed = await client.get(
            f"/api/v1/time-entries?employee_id={person}&from=2026-11-30T00:00:00-05:00"
            "&to=2026-12-02T00:00:00-05:00",
            headers=workforce.admin,
        )
        (entry,) = listed.json()["items"]
        assert entry["started_at"].startswith("2026-12-01T04:30")  # stored in UTC
        assert entry["duration_seconds"] == 5400

        team = await manager.get("/admin/timesheets?week=2026-11-30")
        assert "(days in America/Toronto)" in team.text
        assert 'data-day="2026-11-30">1.50' in team.text
        assert 'data-day="2026-12-01"></td>' in team.text
        sheet = await manager.get(employee_page)
        assert "Mon 30 Nov, 23:30 EST" in sheet.text and "Tue 01 Dec, 01:00 EST" in sheet.text
        approved = await submit(
            manager, employee_page, f"/admin/timesheets/entries/{entry['id']}/decision",
            {"decision": "approved"},
        )  # fmt: skip
        assert approved.status_code == 303
        download = await manager.get("/admin/timesheets/export?month=2026-11&format=csv")
        (row,) = csv_rows(download.content)
        assert (row["date"], row["hours_decimal"]) == ("2026-11-30", "1.50")

        november = "/admin/timesheets?month=2026-11"
        closed = await submit(admin, november, "/admin/timesheets/locks/2026-11", {})
        assert closed.status_code == 303
        entry_page = f"/admin/timesheets/entries/{entry['id']}"
        shown = await manager.get(entry_page)
        assert 'data-testid="month-closed"' in shown.text and "November 2026" in shown.text
        moved = await submit(
            manager, entry_page, entry_page, {**night, "start": "23:00", "correction_note": "x"}
        )
        assert moved.status_code == 409 and "is closed for payroll" in moved.text
