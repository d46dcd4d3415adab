"""The demo seed fills the demo tenant with workforce data, once, and logs no personal
data; the `timeward seed-demo` command runs it. (How fast it is belongs to a bench, not
to a timed test: a limit here failed under a busy machine, not a slow seed.)"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID

import asyncpg
import httpx
import structlog
from sqlalchemy import func, select

from tenants.employees.models import Employee
from tenants.sites.models import JobSite
from tenants.time.models import ClockEvent, TimeEntry
from tests.accounts import token_pair
from tests.conftest import TEST_MASTER_KEY
from tests.database import admin_url
from timeward.db.bootstrap import DatabaseUrls
from timeward.db.session import Database, Scope
from timeward.db.urls import with_database
from timeward.demo import DEMO_EMPLOYEES, DEMO_SITES, seed_demo
from timeward.demo_timesheets import DEMO_MANUAL_ENTRIES
from timeward.identity.service import tenant_by_slug
from timeward.services import Services

PASSWORD = "demo-password-for-tests"


async def _counts(db: Database, tenant_id: UUID) -> dict[str, int]:
    async with db.transaction(Scope.TENANT, tenant_id) as session:
        return {
            model.__tablename__: await session.scalar(
                select(func.count()).select_from(model).where(model.tenant_id == tenant_id)
            )
            or 0
            for model in (Employee, JobSite, ClockEvent, TimeEntry)
        }


async def test_demo_seed_is_idempotent_and_logs_no_personal_data(
    db: Database, client: httpx.AsyncClient, services: Services
) -> None:
    with structlog.testing.capture_logs() as logs:
        logins = await seed_demo(db, PASSWORD, data_keys=services.data_keys)
    tenant = await tenant_by_slug(db, logins.tenant_slug)
    assert tenant is not None
    counts = await _counts(db, tenant.id)
    assert counts["employees"] == len(DEMO_EMPLOYEES) and counts["job_sites"] == len(DEMO_SITES)
    clocked, manual = counts["clock_events"] // 2, len(DEMO_MANUAL_ENTRIES)
    assert counts["clock_events"] >= 100 and counts["time_entries"] == clocked + manual
    await seed_demo(db, PASSWORD, data_keys=services.data_keys)
    assert await _counts(db, tenant.id) == counts

    personal = [name for name, *_ in DEMO_EMPLOYEES] + ["@", "52.5", "13.4", "13.2"]
    logged = repr(logs)
    assert [word for word in personal if word in logged] == []

    token = await token_pair(client, "employee@demo.timeward.test", "demo", PASSWORD)
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    policy = (await client.get("/api/v1/me/clock-policy", headers=headers)).json()
    assert policy["location_mode"] == "precise" and policy["precise_location_days"] == 14
    events = (await client.get("/api/v1/me/clock-events?limit=200", headers=headers)).json()
    statuses = {event["location"]["status"] for event in events["items"]}
    assert statuses == {"precise", "reduced"}
    entries = (await client.get("/api/v1/me/time-entries?limit=200", headers=headers)).json()
    assert {e["approval_state"] for e in entries["items"]} == {"approved", "pending"}
    directory = await client.get("/api/v1/directory?limit=50", headers=headers)
    assert directory.status_code == 200, directory.text  # on in the demo
    listed = {(row["name"], row["site"]) for row in directory.json()["items"]}
    assert listed == {(name, DEMO_SITES[site][0]) for name, _, _, site in DEMO_EMPLOYEES}
    manager = await token_pair(client, "manager@demo.timeward.test", "demo", PASSWORD)
    pending = await client.get(
        "/api/v1/time-entries?approval_state=pending",
        headers={"Authorization": f"Bearer {manager.json()['access_token']}"},
    )
    assert pending.status_code == 200 and pending.json()["items"]
    await _last_week_is_half_decided(client, manager.json()["access_token"])


async def _last_week_is_half_decided(client: httpx.AsyncClient, token: str) -> None:
    """The timesheet console has something to show: last week partly approved, partly
    pending, a manual entry waiting with its note and one rejected with the reason."""
    monday = datetime.now(UTC).date() - timedelta(days=datetime.now(UTC).weekday() + 7)
    sheet = await client.get(
        f"/api/v1/timesheets?week={monday.isoformat()}",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert sheet.status_code == 200, sheet.text
    body = sheet.json()
    assert len(body["employees"]) == len(DEMO_EMPLOYEES)
    for row in body["employees"]:
        approved = [day["approved_seconds"] > 0 for day in row["days"]]
        assert approved == [True, True, True, False, False, False, False], row["name"]
    assert body["pending_entries"] == 2 * len(DEMO_EMPLOYEES) + 1  # Thursday, Friday, survey
    assert sum(row["rejected_entries"] for row in body["employees"]) == 1


def test_seed_demo_command(database_urls: DatabaseUrls, tmp_path: Path, db: Database) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": database_urls.app_url,
        "DATABASE_OWNER_URL": database_urls.owner_url,
        "TIMEWARD_MASTER_KEY": TEST_MASTER_KEY,
        "TIMEWARD_DATA_DIR": str(tmp_path),
    }
    counts = []
    for _ in range(2):
        result = subprocess.run(
            [sys.executable, "-m", "timeward.cli", "seed-demo"],
            env=env,
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stderr
        assert "employee@demo.timeward.test" in result.stdout
        counts.append(asyncio.run(_seeded_rows(database_urls.owner_url)))
    assert counts[0] == counts[1] and min(counts[0]) > 0, "the second run must add nothing"


async def _seeded_rows(owner_url: str) -> tuple[int, ...]:
    """Counted as the superuser: row-level security is forced even on the owner."""
    connection = await asyncpg.connect(with_database(admin_url(), owner_url.rsplit("/", 1)[1]))
    try:
        tables = ("memberships", "employees", "clock_events", "time_entries", "privacy_requests")
        return tuple([await connection.fetchval(f"SELECT count(*) FROM {t}") for t in tables])
    finally:
        await connection.close()
