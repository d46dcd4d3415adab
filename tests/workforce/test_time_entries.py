"""Timesheets over HTTP: clock pairs become pending entries, managers enter, correct,
approve and reject time (never their own), lists filter and page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import httpx
from sqlalchemy import select

from tests.workforce.seed import Workforce, iso
from timeward.audit.models import AuditEvent
from timeward.db.session import Database, Scope


def _span(days_ago: int, hours: float = 8, start_hour: int = 7) -> tuple[str, str]:
    day = datetime.now(UTC).replace(hour=start_hour, minute=0, second=0, microsecond=0)
    start = day - timedelta(days=days_ago)
    return iso(start), iso(start + timedelta(hours=hours))


async def _manual(
    client: httpx.AsyncClient,
    workforce: Workforce,
    employee: str = "employee",
    days_ago: int = 2,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> httpx.Response:
    started_at, ended_at = _span(days_ago)
    body = {
        "employee_id": str(workforce.employees[employee]),
        "started_at": started_at,
        "ended_at": ended_at,
        **extra,
    }
    return await client.post(
        "/api/v1/time-entries", json=body, headers=headers or workforce.manager
    )


async def test_a_clocked_shift_is_approved_by_a_manager(
    client: httpx.AsyncClient, acme_workforce: Workforce, db: Database
) -> None:
    start = datetime.now(UTC) - timedelta(hours=3)
    await client.post("/api/v1/clock/in", json={"at": iso(start)}, headers=acme_workforce.employee)
    end = start + timedelta(hours=2)
    out = await client.post(
        "/api/v1/clock/out", json={"at": iso(end)}, headers=acme_workforce.employee
    )
    entry_id = out.json()["time_entry_id"]
    listed = await client.get(
        f"/api/v1/time-entries?employee_id={acme_workforce.employees['employee']}&approval_state=pending",
        headers=acme_workforce.manager,
    )
    (entry,) = listed.json()["items"]
    assert entry["id"] == entry_id and entry["duration_seconds"] == 7200
    approved = await client.post(
        f"/api/v1/time-entries/{entry_id}/approval",
        json={"state": "approved", "note": "ok"},
        headers=acme_workforce.manager,
    )
    assert approved.status_code == 201, approved.text
    body = approved.json()
    assert body["approval_state"] == "approved" and body["decision_note"] == "ok"
    assert body["decided_by"] == str(acme_workforce.accounts.user_id("client_manager"))
    assert body["decided_at"] is not None
    mine = await client.get("/api/v1/me/time-entries", headers=acme_workforce.employee)
    assert [e["approval_state"] for e in mine.json()["items"]] == ["approved"]
    async with db.transaction(Scope.TENANT, acme_workforce.accounts.tenant_id) as session:
        events = (
            await session.scalars(
                select(AuditEvent).where(AuditEvent.action == "time_entry.approved")
            )
        ).all()
    assert [e.subject_id for e in events] == [acme_workforce.employees["employee"]]
    assert events[0].details == {"time_entry_id": entry_id}


async def test_managers_enter_correct_and_reject_time(
    client: httpx.AsyncClient, acme_workforce: Workforce
) -> None:
    created = await _manual(
        client, acme_workforce, notes="Forgot to clock in", site_id=str(acme_workforce.sites["hq"])
    )
    assert created.status_code == 201, created.text
    entry = created.json()
    assert entry["source"] == "manual" and entry["approval_state"] == "pending"
    assert entry["duration_seconds"] == 8 * 3600 and entry["notes"] == "Forgot to clock in"
    path = f"/api/v1/time-entries/{entry['id']}"
    approve = await client.post(
        f"{path}/approval", json={"state": "approved"}, headers=acme_workforce.admin
    )
    assert approve.json()["approval_state"] == "approved"
    started_at, _ = _span(2, start_hour=8)
    corrected = await client.patch(
        path, json={"started_at": started_at}, headers=acme_workforce.manager
    )
    assert corrected.status_code == 200
    assert corrected.json()["duration_seconds"] == 7 * 3600
    assert corrected.json()["approval_state"] == "pending"
    assert corrected.json()["decided_by"] is None
    rejected = await client.post(
        f"{path}/approval",
        json={"state": "rejected", "note": "Not on the rota"},
        headers=acme_workforce.manager,
    )
    assert rejected.json()["approval_state"] == "rejected"
    assert (await client.get(path, headers=acme_workforce.manager)).json()[
        "decision_note"
    ] == "Not on the rota"
    pending = await client.post(
        f"{path}/approval", json={"state": "pending"}, headers=acme_workforce.manager
    )
    assert pending.status_code == 400 and "state" in str(pending.json()["errors"])


async def test_nobody_enters_or_decides_their_own_time(
    client: httpx.AsyncClient, acme_workforce: Workforce
) -> None:
    await client.post("/api/v1/clock/in", json={}, headers=acme_workforce.manager)
    out = await client.post("/api/v1/clock/out", json={}, headers=acme_workforce.manager)
    own = out.json()["time_entry_id"]
    decide = await client.post(
        f"/api/v1/time-entries/{own}/approval",
        json={"state": "approved"},
        headers=acme_workforce.manager,
    )
    edit = await client.patch(
        f"/api/v1/time-entries/{own}", json={"notes": "all good"}, headers=acme_workforce.manager
    )
    enter = await _manual(client, acme_workforce, employee="client_manager")
    assert [r.status_code for r in (decide, edit, enter)] == [409, 409, 409]
    assert "your own time entries" in decide.json()["detail"]
    by_admin = await client.post(
        f"/api/v1/time-entries/{own}/approval",
        json={"state": "approved"},
        headers=acme_workforce.admin,
    )
    assert by_admin.status_code == 201


async def test_manual_entries_are_validated_with_the_field_named(
    client: httpx.AsyncClient, acme_workforce: Workforce
) -> None:
    now = datetime.now(UTC)
    base = {"employee_id": str(acme_workforce.employees["employee"])}
    cases: list[tuple[dict[str, Any], int, str]] = [
        (
            {
                "started_at": iso(now - timedelta(hours=2)),
                "ended_at": iso(now - timedelta(hours=3)),
            },
            422,
            "ended_at",
        ),
        ({"started_at": iso(now - timedelta(hours=30)), "ended_at": iso(now)}, 422, "ended_at"),
        ({"started_at": iso(now), "ended_at": iso(now + timedelta(hours=1))}, 422, "ended_at"),
        ({"started_at": "2026-01-01T08:00:00", "ended_at": iso(now)}, 400, "started_at"),
        ({"started_at": iso(now - timedelta(hours=2))}, 400, "ended_at"),
        (
            {
                "started_at": iso(now - timedelta(hours=2)),
                "ended_at": iso(now),
                "employee_id": str(UUID(int=5)),
            },
            422,
            "employee_id",
        ),
        (
            {
                "started_at": iso(now - timedelta(hours=2)),
                "ended_at": iso(now),
                "site_id": str(UUID(int=5)),
            },
            422,
            "site_id",
        ),
        (
            {
                "started_at": iso(now - timedelta(hours=2)),
                "ended_at": iso(now),
                "notes": "x" * 2001,
            },
            400,
            "notes",
        ),
    ]
    for extra, status, key in cases:
        response = await client.post(
            "/api/v1/time-entries", json={**base, **extra}, headers=acme_workforce.manager
        )
        assert response.status_code == status, (extra, response.text)
        assert key in str(response.json()["errors"]), extra
    assert (await _manual(client, acme_workforce)).status_code == 201
    overlap = await _manual(client, acme_workforce)
    assert overlap.status_code == 409 and "overlaps" in overlap.json()["detail"]


async def test_time_entry_lists_filter_and_page(
    client: httpx.AsyncClient, acme_workforce: Workforce
) -> None:
    for days_ago in (1, 2, 3, 4, 5):
        assert (await _manual(client, acme_workforce, days_ago=days_ago)).status_code == 201
    colleague = await _manual(client, acme_workforce, employee="colleague", days_ago=2)
    await client.post(
        f"/api/v1/time-entries/{colleague.json()['id']}/approval",
        json={"state": "approved"},
        headers=acme_workforce.manager,
    )
    everything = await client.get("/api/v1/time-entries", headers=acme_workforce.manager)
    assert len(everything.json()["items"]) == 6
    page = await client.get("/api/v1/time-entries?limit=4", headers=acme_workforce.manager)
    assert len(page.json()["items"]) == 4 and page.json()["next_offset"] == 4
    starts = [e["started_at"] for e in page.json()["items"]]
    assert starts == sorted(starts, reverse=True)
    approved = await client.get(
        "/api/v1/time-entries?approval_state=approved", headers=acme_workforce.manager
    )
    assert [e["id"] for e in approved.json()["items"]] == [colleague.json()["id"]]
    window_start, _ = _span(4, start_hour=0)
    window_end, _ = _span(2, start_hour=0)
    window = await client.get(
        "/api/v1/time-entries",
        params={
            "from": window_start,
            "to": window_end,
            "employee_id": str(acme_workforce.employees["employee"]),
        },
        headers=acme_workforce.manager,
    )
    assert len(window.json()["items"]) == 2
    mine = await client.get(
        "/api/v1/me/time-entries", params={"from": window_start}, headers=acme_workforce.employee
    )
    assert len(mine.json()["items"]) == 4
    unknown = await client.get(
        f"/api/v1/time-entries?employee_id={UUID(int=9)}", headers=acme_workforce.manager
    )
    assert unknown.status_code == 404
    for query in ("limit=201", "limit=-1", "offset=-5", "approval_state=maybe"):
        response = await client.get(f"/api/v1/time-entries?{query}", headers=acme_workforce.manager)
        assert response.status_code == 400, query
