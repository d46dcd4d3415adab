"""Timesheets over HTTP: the team's and one employee's week and month, the payroll export
(CSV and XLSX: rows, hours as decimals and h:mm, totals, formula escaping, audited as a
staff read), and period locks (a closed month refuses every change; an admin reopens it
with a reason, on the audit chain)."""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from openpyxl import load_workbook
from sqlalchemy import select

from tenants.time.locks import ensure_open, lock_month
from tests.accounts import Accounts
from tests.workforce.seed import Workforce, iso, seed_workforce
from tests.workforce.timesheet_data import (
    at,
    csv_rows,
    decide,
    enter,
    last_month,
    month_key,
    seed_sheet,
    use_zone,
)
from timeward.acting import Acting
from timeward.audit.models import AuditEvent
from timeward.db.session import Database, Scope
from timeward.services import Services


async def _events(db: Database, workforce: Workforce, action: str) -> list[AuditEvent]:
    async with db.transaction(Scope.TENANT, workforce.accounts.tenant_id) as session:
        rows = await session.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq)
        )
        return list(rows.all())


def _row_of(body: dict[str, Any], workforce: Workforce, who: str) -> dict[str, Any]:
    wanted = str(workforce.employees[who])
    row: dict[str, Any] = next(e for e in body["employees"] if e["employee_id"] == wanted)
    return row


async def test_the_team_week_and_one_employees_month(
    client: httpx.AsyncClient, acme_workforce: Workforce, bravo: Accounts
) -> None:
    sheet = await seed_sheet(client, acme_workforce)
    week = await client.get(
        f"/api/v1/timesheets?week={sheet.monday.isoformat()}", headers=acme_workforce.manager
    )
    assert week.status_code == 200, week.text
    body = week.json()
    assert body["kind"] == "week" and body["start"] == sheet.monday.isoformat()
    employee = _row_of(body, acme_workforce, "employee")
    by_day = [day["seconds"] for day in employee["days"]]
    # Tuesday 8:15, Wednesday 8:20, Thursday 2:00 pending, Friday rejected (no hours).
    assert by_day == [0, 29700, 30000, 7200, 0, 0, 0]
    assert employee["approved_seconds"] == 29700 + 30000
    assert employee["pending_entries"] == 1 and employee["rejected_entries"] == 1
    assert _row_of(body, acme_workforce, "colleague")["seconds"] == 8 * 3600 + 7 * 60
    assert len(body["employees"]) == 4  # every active employee, with or without time

    month = await client.get(
        f"/api/v1/timesheets?month={month_key(sheet.month)}"
        f"&employee_id={acme_workforce.employees['employee']}",
        headers=acme_workforce.manager,
    )
    assert month.status_code == 200, month.text
    (only,) = month.json()["employees"]
    assert only["seconds"] == 29700 + 30000 + 7200
    assert len(only["days"]) in (28, 29, 30, 31)

    theirs = await seed_workforce(client, bravo)
    other = await client.get(
        f"/api/v1/timesheets?employee_id={theirs.employees['employee']}",
        headers=acme_workforce.manager,
    )
    assert other.status_code == 404
    for query in ("week=2026-11-03", "month=2026-13", "week=2026-11-02&month=2026-11"):
        refused = await client.get(f"/api/v1/timesheets?{query}", headers=acme_workforce.manager)
        assert refused.status_code == 422, (query, refused.text)
        assert refused.json()["errors"][0]["source"] == "query"
    mine = await client.get("/api/v1/timesheets", headers=acme_workforce.employee)
    assert mine.status_code == 403


async def test_the_payroll_export_in_csv_and_xlsx(
    client: httpx.AsyncClient, acme_workforce: Workforce, db: Database
) -> None:
    renamed = await client.patch(
        f"/api/v1/employees/{acme_workforce.employees['colleague']}",
        json={"name": "=HYPERLINK(1)", "employee_number": "-E100"},
        headers=acme_workforce.admin,
    )
    assert renamed.status_code == 200, renamed.text
    sheet = await seed_sheet(client, acme_workforce)
    month = month_key(sheet.month)
    per_entry = await client.get(
        f"/api/v1/timesheets/export?month={month}&format=csv", headers=acme_workforce.manager
    )
    assert per_entry.status_code == 200, per_entry.text
    assert per_entry.headers["content-type"].startswith("text/csv")
    assert f"timesheets-{month}-per-entry.csv" in per_entry.headers["content-disposition"]
    rows = csv_rows(per_entry.content)
    # Approved only; each person's rows in time order (people by name, in the collation).
    rows.sort(key=lambda r: r["employee_name"])
    assert [
        (r["employee_name"], r["start_utc"], r["hours_decimal"], r["hours_hmm"]) for r in rows
    ] == [
        ("'=HYPERLINK(1)", "09:00", "8.12", "8:07"),
        ("Employee of acme", "07:00", "4.50", "4:30"),
        ("Employee of acme", "12:00", "3.75", "3:45"),
        ("Employee of acme", "08:00", "8.33", "8:20"),
    ]
    assert rows[0]["employee_number"] == "'-E100"
    assert {r["entry_id"] for r in rows} == {
        sheet.entries[name] for name in ("colleague", "tue_early", "tue_late", "wed")
    }

    per_day = await client.get(
        f"/api/v1/timesheets/export?month={month}&format=csv&rows=day",
        headers=acme_workforce.manager,
    )
    days = sorted(csv_rows(per_day.content), key=lambda d: d["employee_name"])
    tuesday = (sheet.monday + timedelta(days=1)).isoformat()
    assert [(d["employee_name"], d["date"], d["entries"], d["hours_hmm"]) for d in days] == [
        ("'=HYPERLINK(1)", tuesday, "1", "8:07"),
        ("Employee of acme", tuesday, "2", "8:15"),
        ("Employee of acme", (sheet.monday + timedelta(days=2)).isoformat(), "1", "8:20"),
    ]

    xlsx = await client.get(
        f"/api/v1/timesheets/export?month={month}&format=xlsx&rows=day",
        headers=acme_workforce.admin,
    )
    assert xlsx.status_code == 200, xlsx.text
    workbook = load_workbook(io.BytesIO(xlsx.content))
    assert workbook.sheetnames == ["Days", "Totals"]
    day_sheet = list(workbook["Days"].iter_rows(values_only=True))
    assert day_sheet[0] == (
        "employee_number", "employee_name", "date", "entries", "hours_decimal", "hours_hmm"
    )  # fmt: skip
    assert ("E003", "Employee of acme", tuesday, 2, 8.25, "8:15") in day_sheet
    names = [cell for cell in workbook["Days"]["B"] if cell.value == "'=HYPERLINK(1)"]
    assert [cell.data_type for cell in names] == ["s"]  # text, never a formula
    totals = list(workbook["Totals"].iter_rows(values_only=True))
    assert sorted(totals[1:-1]) == [
        ("'-E100", "'=HYPERLINK(1)", 1, 8.12, "8:07"),
        ("E003", "Employee of acme", 2, 16.58, "16:35"),
    ]
    assert totals[-1] == (None, "Total", None, 24.7, "24:42")

    reads = await _events(db, acme_workforce, "personal_data.read")
    exports = [e for e in reads if e.details["route"] == "GET /api/v1/timesheets/export"]
    assert [(e.actor_role, e.subject_type) for e in exports] == [
        ("client_manager", "time_entries"),
        ("client_manager", "time_entries"),
        ("client_admin", "time_entries"),
    ]
    refused = await client.get(
        f"/api/v1/timesheets/export?month={month}", headers=acme_workforce.employee
    )
    assert refused.status_code == 403
    bad = await client.get(
        f"/api/v1/timesheets/export?month={month}&format=pdf", headers=acme_workforce.manager
    )
    assert bad.status_code == 400


async def test_a_closed_month_refuses_every_change_until_an_admin_reopens_it(
    client: httpx.AsyncClient, acme_workforce: Workforce, bravo: Accounts, db: Database
) -> None:
    sheet = await seed_sheet(client, acme_workforce)
    month = month_key(sheet.month)
    pending = sheet.entries["thu"]
    for role in ("client_manager", "employee"):
        refused = await client.put(
            f"/api/v1/period-locks/{month}", headers=acme_workforce.auth(role)
        )
        assert refused.status_code == 403
    locked = await client.put(f"/api/v1/period-locks/{month}", headers=acme_workforce.admin)
    assert locked.status_code == 200, locked.text
    assert locked.json()["lock"]["locked"] is True and locked.json()["pending_entries"] == 1
    again = await client.put(f"/api/v1/period-locks/{month}", headers=acme_workforce.admin)
    assert again.status_code == 200  # closing a closed month changes nothing

    manager = acme_workforce.manager
    attempts = [
        await client.patch(f"/api/v1/time-entries/{pending}", json={"notes": "x"}, headers=manager),
        await decide(client, acme_workforce, pending, headers=manager),
        await client.post(
            "/api/v1/time-entries",
            json={
                "employee_id": str(acme_workforce.employees["colleague"]),
                "started_at": iso(at(sheet.monday, 6)),
                "ended_at": iso(at(sheet.monday, 7)),
            },
            headers=manager,
        ),
    ]
    for attempt in attempts:
        assert attempt.status_code == 409, attempt.text
        assert attempt.json()["reason"] == "period_locked" and attempt.json()["month"] == month
        assert "closed for payroll" in attempt.json()["detail"]
    # Moving an entry of an open month into the closed one is refused too.
    recent = await enter(
        client, acme_workforce, "colleague", datetime.now(UTC) - timedelta(hours=3), 60
    )
    moved = await client.patch(
        f"/api/v1/time-entries/{recent['id']}",
        json={"started_at": iso(at(sheet.monday, 6)), "ended_at": iso(at(sheet.monday, 7))},
        headers=manager,
    )
    assert moved.status_code == 409 and moved.json()["reason"] == "period_locked"
    entry = await client.get(f"/api/v1/time-entries/{pending}", headers=manager)
    assert entry.json()["approval_state"] == "pending" and entry.json()["notes"] is None
    why_only = await client.patch(
        f"/api/v1/time-entries/{recent['id']}", json={"correction_note": "x"}, headers=manager
    )  # a reason alone is no correction: nothing changes, in an open month too
    assert why_only.status_code == 200 and why_only.json()["correction_note"] is None

    # Another tenant's months are its own.
    theirs = await seed_workforce(client, bravo)
    their_entry = await enter(client, theirs, "employee", at(sheet.monday, 8), 60)
    assert (await decide(client, theirs, their_entry["id"])).status_code == 201

    this_month = datetime.now(UTC).strftime("%Y-%m")
    early = await client.put(f"/api/v1/period-locks/{this_month}", headers=acme_workforce.admin)
    assert early.status_code == 422 and "has not ended" in early.text
    by_manager = await client.post(
        f"/api/v1/period-locks/{month}/reopen", json={"reason": "x"}, headers=manager
    )
    assert by_manager.status_code == 403
    blank = await client.post(
        f"/api/v1/period-locks/{month}/reopen", json={"reason": "   "}, headers=acme_workforce.admin
    )
    assert blank.status_code == 422 and blank.json()["errors"][0]["key"] == "reason"
    reason = "Overtime of the 3rd week was missing"
    reopened = await client.post(
        f"/api/v1/period-locks/{month}/reopen",
        json={"reason": reason},
        headers=acme_workforce.admin,
    )
    assert reopened.status_code == 201, reopened.text
    assert reopened.json()["locked"] is False and reopened.json()["reopen_reason"] == reason
    twice = await client.post(
        f"/api/v1/period-locks/{month}/reopen",
        json={"reason": reason},
        headers=acme_workforce.admin,
    )
    assert twice.status_code == 409 and twice.json()["reason"] == "period_not_locked"
    approved = await decide(client, acme_workforce, pending, headers=manager)
    assert approved.status_code == 201 and approved.json()["approval_state"] == "approved"

    listed = await client.get("/api/v1/period-locks", headers=manager)
    assert [(lock["month"], lock["locked"]) for lock in listed.json()] == [(month, False)]
    locks = await _events(db, acme_workforce, "period.locked")
    assert [e.details for e in locks] == [{"month": month, "pending_entries": 1}]
    assert locks[0].actor_id == acme_workforce.accounts.user_id("client_admin")
    reopenings = await _events(db, acme_workforce, "period.reopened")
    assert [(e.details, e.actor_role) for e in reopenings] == [
        ({"month": month, "reason": reason}, "client_admin")
    ]
    assert last_month() == sheet.month


async def test_a_close_and_a_change_in_flight_never_cross(
    client: httpx.AsyncClient, acme_workforce: Workforce, db: Database, services: Services
) -> None:
    """Closing waits for a change already inside the month; a change waits for a close in
    flight, then sees it and is refused."""
    sheet = await seed_sheet(client, acme_workforce)
    month, tenant_id = month_key(sheet.month), acme_workforce.accounts.tenant_id
    assert tenant_id is not None
    async with db.transaction(Scope.TENANT, tenant_id) as session:
        await ensure_open(session, tenant_id, [at(sheet.monday, 8)])  # a change in flight
        closing = asyncio.create_task(
            client.put(f"/api/v1/period-locks/{month}", headers=acme_workforce.admin)
        )
        await asyncio.sleep(0.5)
        assert not closing.done()
    assert (await asyncio.wait_for(closing, 10)).status_code == 200

    reopened = await client.post(
        f"/api/v1/period-locks/{month}/reopen",
        json={"reason": "race"},
        headers=acme_workforce.admin,
    )
    assert reopened.status_code == 201
    admin = Acting(acme_workforce.accounts.user_id("client_admin"), "client_admin")
    async with db.transaction(Scope.TENANT, tenant_id) as session:
        await lock_month(session, services.audit, tenant_id, sheet.month, admin)  # in flight
        approving = asyncio.create_task(decide(client, acme_workforce, sheet.entries["thu"]))
        await asyncio.sleep(0.5)
        assert not approving.done()
    refused = await asyncio.wait_for(approving, 10)
    assert refused.status_code == 409 and refused.json()["reason"] == "period_locked"


TORONTO, BERLIN = ZoneInfo("America/Toronto"), ZoneInfo("Europe/Berlin")


async def test_a_night_in_toronto_counts_on_its_local_day_in_the_sheets_and_the_export(
    client: httpx.AsyncClient, acme_workforce: Workforce
) -> None:
    """23:30 on Monday 30 November in Toronto is 04:30 on 1 December in UTC: the sheet,
    the employee's sheet and the export put it on the 30th, in November."""
    await use_zone(client, acme_workforce, "America/Toronto")
    start = datetime(2026, 11, 30, 23, 30, tzinfo=TORONTO)
    assert start.astimezone(UTC) == datetime(2026, 12, 1, 4, 30, tzinfo=UTC)
    entry = await enter(client, acme_workforce, "employee", start, 90)
    assert (await decide(client, acme_workforce, entry["id"])).status_code == 201

    manager = acme_workforce.manager
    team = (await client.get("/api/v1/timesheets?week=2026-11-30", headers=manager)).json()
    assert team["time_zone"] == "America/Toronto"
    days = {day["day"]: day["seconds"] for day in _row_of(team, acme_workforce, "employee")["days"]}
    assert days["2026-11-30"] == 5400 and days["2026-12-01"] == 0
    one = await client.get(
        f"/api/v1/timesheets?month=2026-11&employee_id={acme_workforce.employees['employee']}",
        headers=manager,
    )
    (only,) = one.json()["employees"]
    assert [(d["day"], d["seconds"]) for d in only["days"] if d["seconds"]] == [
        ("2026-11-30", 5400)
    ]

    november = await client.get("/api/v1/timesheets/export?month=2026-11", headers=manager)
    (row,) = csv_rows(november.content)
    assert (row["date"], row["start_utc"], row["hours_hmm"]) == ("2026-11-30", "04:30", "1:30")
    per_day = await client.get("/api/v1/timesheets/export?month=2026-11&rows=day", headers=manager)
    assert [(d["date"], d["hours_decimal"]) for d in csv_rows(per_day.content)] == [
        ("2026-11-30", "1.50")
    ]
    december = await client.get("/api/v1/timesheets/export?month=2026-12", headers=manager)
    assert csv_rows(december.content) == []


async def test_a_month_closed_in_berlin_ends_at_berlin_midnight(
    client: httpx.AsyncClient, acme_workforce: Workforce
) -> None:
    """November closed: 23:30 on the 30th in Berlin is refused; 00:30 on 1 December in
    Berlin (still 30 November in UTC) is December's, and may change."""
    await use_zone(client, acme_workforce, "Europe/Berlin")
    late = await enter(
        client, acme_workforce, "employee", datetime(2026, 11, 30, 23, 30, tzinfo=BERLIN), 30
    )
    early_december = datetime(2026, 12, 1, 0, 30, tzinfo=BERLIN)
    assert early_december.astimezone(UTC).month == 11
    early = await enter(client, acme_workforce, "employee", early_december, 30)
    locked = await client.put("/api/v1/period-locks/2026-11", headers=acme_workforce.admin)
    assert locked.status_code == 200, locked.text
    assert locked.json()["pending_entries"] == 1  # only the Berlin November one

    manager = acme_workforce.manager
    refused = await client.patch(
        f"/api/v1/time-entries/{late['id']}", json={"notes": "x"}, headers=manager
    )
    assert refused.status_code == 409 and refused.json()["month"] == "2026-11"
    allowed = await client.patch(
        f"/api/v1/time-entries/{early['id']}", json={"notes": "night delivery"}, headers=manager
    )
    assert allowed.status_code == 200, allowed.text
    shown = await client.get(f"/api/v1/time-entries/{early['id']}", headers=manager)
    assert shown.json()["notes"] == "night delivery"
    assert (await decide(client, acme_workforce, early["id"], headers=manager)).status_code == 201
    # Nor may it move into the closed month by a Berlin day.
    moved = await client.patch(
        f"/api/v1/time-entries/{early['id']}",
        json={
            "started_at": iso(early_december - timedelta(hours=1)),
            "ended_at": iso(early_december - timedelta(minutes=45)),
        },
        headers=manager,
    )
    assert moved.status_code == 409 and moved.json()["reason"] == "period_locked"


async def test_the_day_the_clocks_go_back_is_twenty_five_hours(
    client: httpx.AsyncClient, acme_workforce: Workforce
) -> None:
    """Sunday 25 October 2026 in Berlin lasts 25 hours: entries starting at 00:15 (CEST)
    and at 23:45 (CET) both count on it, none spills to the days around it."""
    await use_zone(client, acme_workforce, "Europe/Berlin")
    for hour, minute in ((0, 15), (23, 45)):
        start = datetime(2026, 10, 25, hour, minute, tzinfo=BERLIN)
        await enter(client, acme_workforce, "employee", start, 10)
    sheet = await client.get("/api/v1/timesheets?week=2026-10-19", headers=acme_workforce.manager)
    days = _row_of(sheet.json(), acme_workforce, "employee")["days"]
    assert [(d["day"], d["seconds"]) for d in days if d["seconds"]] == [("2026-10-25", 1200)]
