"""Timesheet test data: entries on chosen days of last month, entered and decided over HTTP
by the people who would do it (a manager enters, another manager or an admin decides)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx

from tests.workforce.seed import Workforce, iso


def last_month() -> date:
    """The first day of the month before this one (UTC): a month that has ended."""
    return (datetime.now(UTC).date().replace(day=1) - timedelta(days=1)).replace(day=1)


def month_key(first: date) -> str:
    return first.strftime("%Y-%m")


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


async def use_zone(client: httpx.AsyncClient, workforce: Workforce, zone: str) -> None:
    """The client admin chooses the tenant's time zone (where its days begin and end)."""
    chosen = await client.put(
        "/api/v1/settings/regional", json={"time_zone": zone}, headers=workforce.admin
    )
    assert chosen.status_code == 200, chosen.text


async def enter(
    client: httpx.AsyncClient,
    workforce: Workforce,
    employee: str,
    start: datetime,
    minutes: int,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    response = await client.post(
        "/api/v1/time-entries",
        json={
            "employee_id": str(workforce.employees[employee]),
            "started_at": iso(start),
            "ended_at": iso(start + timedelta(minutes=minutes)),
            "site_id": str(workforce.sites["hq"]),
        },
        headers=headers or workforce.admin,
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def decide(
    client: httpx.AsyncClient,
    workforce: Workforce,
    entry_id: str,
    state: str = "approved",
    note: str | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    return await client.post(
        f"/api/v1/time-entries/{entry_id}/approval",
        json={"state": state, "note": note},
        headers=headers or workforce.admin,
    )


@dataclass
class Sheet:
    """Last month's week with the employee's and the colleague's time.

    Employee, Tuesday: 07:00-11:30 (approved) and 12:00-15:45 (approved) = 8:15;
    Wednesday 08:00-16:20 (approved) = 8:20; Thursday 08:00-10:00 pending; Friday
    08:00-09:00 rejected. Colleague, Tuesday 09:00-17:07 (approved) = 8:07.
    """

    month: date
    monday: date
    entries: dict[str, str]

    def monday_at(self, hour: int) -> datetime:
        return at(self.monday, hour)


async def seed_sheet(client: httpx.AsyncClient, workforce: Workforce) -> Sheet:
    """The sheet's days are UTC days: the tenant's zone is set to UTC first (the tests'
    tenants are German, so it would be Europe/Berlin)."""
    await use_zone(client, workforce, "UTC")
    month = last_month()
    monday = month + timedelta(days=7 - month.weekday())  # a Monday wholly inside the month
    tue, wed, thu, fri = (monday + timedelta(days=n) for n in (1, 2, 3, 4))
    plan = {
        "tue_early": ("employee", at(tue, 7), 270, "approved"),
        "tue_late": ("employee", at(tue, 12), 225, "approved"),
        "wed": ("employee", at(wed, 8), 500, "approved"),
        "thu": ("employee", at(thu, 8), 120, None),
        "fri": ("employee", at(fri, 8), 60, "rejected"),
        "colleague": ("colleague", at(tue, 9), 487, "approved"),
    }
    entries = {}
    for name, (who, start, minutes, state) in plan.items():
        entry = await enter(client, workforce, who, start, minutes)
        entries[name] = entry["id"]
        if state is not None:
            decided = await decide(client, workforce, entry["id"], state, note=f"{state} by admin")
            assert decided.status_code == 201, decided.text
    return Sheet(month, monday, entries)


def csv_rows(content: bytes) -> list[dict[str, str]]:
    text = content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))
