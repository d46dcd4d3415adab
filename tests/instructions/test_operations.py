"""Operating the queue: the reconciler, escalation, failures and retries, the staff queue."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

import asyncpg
import httpx
import pytest

from tests.accounts import Accounts
from tests.fixtures.jobs import Jobs
from tests.instructions.support import DONE, fill_notifications, instruct, wait_for_status
from tests.jobs.smtp_server import SmtpServer
from timeward.acting import Acting
from timeward.db.session import Database, Scope
from timeward.deadlines import TenantCalendar, instruction_due
from timeward.instructions import executor, maintenance
from timeward.instructions.executor import ExecutionContext, Outcome, Phase, run_instruction
from timeward.instructions.jobs import alert_staff, execute_instruction
from timeward.instructions.locks import LOCK_CLASS, lock_key
from timeward.instructions.service import (
    NewInstruction,
    create_instruction,
    get_instruction,
)
from timeward.instructions.states import Kind
from timeward.retention.policy import default_policy
from timeward.services import Services


async def _age(owner: asyncpg.Pool, tenant_id: UUID | None, instruction_id: str) -> None:
    async with owner.acquire() as conn, conn.transaction():
        await conn.execute("select set_config('app.tenant_id', $1, true)", str(tenant_id))
        await conn.execute(
            "update instructions set enqueued_at = now() - interval '1 hour' where id = $1",
            UUID(instruction_id),
        )


async def _instruct(client: httpx.AsyncClient, accounts: Accounts, **body: Any) -> str:
    return str((await instruct(client, accounts, **body))["instruction"]["id"])


async def test_a_lost_message_delays_an_instruction_but_never_loses_it(
    client: httpx.AsyncClient, db: Database, owner: asyncpg.Pool, idle_jobs: Jobs, acme: Accounts
) -> None:
    instruction_id = await _instruct(client, acme, kind="return_data")
    idle_jobs.broker.flush_all()  # the broker lost the message

    assert await maintenance.reconcile(db, execute_instruction) == []  # not stranded yet
    await _age(owner, acme.tenant_id, instruction_id)
    assert await maintenance.reconcile(db, execute_instruction) == [UUID(instruction_id)]
    assert await maintenance.reconcile(db, execute_instruction) == []  # enqueued just now

    idle_jobs.start()
    await idle_jobs.drain()
    detail = await wait_for_status(client, acme, instruction_id, DONE)
    assert detail["instruction"]["status"] == "completed"


async def test_an_instruction_a_live_job_holds_is_left_alone(
    client: httpx.AsyncClient, db: Database, owner: asyncpg.Pool, idle_jobs: Jobs, acme: Accounts
) -> None:
    instruction_id = await _instruct(client, acme, kind="return_data")
    idle_jobs.broker.flush_all()
    await _age(owner, acme.tenant_id, instruction_id)
    async with owner.acquire() as worker_connection:  # a "live worker" holding the lock
        await worker_connection.execute(
            "select pg_advisory_lock($1, $2)", LOCK_CLASS, lock_key(UUID(instruction_id))
        )
        assert await maintenance.reconcile(db, execute_instruction) == []
        await worker_connection.execute(
            "select pg_advisory_unlock($1, $2)", LOCK_CLASS, lock_key(UUID(instruction_id))
        )
    assert await maintenance.reconcile(db, execute_instruction) == [UUID(instruction_id)]


@pytest.fixture
def context(services: Services, db: Database) -> ExecutionContext:
    return ExecutionContext(
        database=db,
        audit=services.audit,
        keys=services.keys,
        master_key=services.settings.resolve_master_key(),
        policy=default_policy(),
    )


@pytest.fixture
def flaky_audit_step() -> Iterator[None]:
    original = executor.PHASE_STEPS[Phase.AUDIT_IDENTITY]

    async def broken(job: executor.Job) -> executor.RunResult | None:
        raise ConnectionResetError("the audit store went away")

    executor.PHASE_STEPS[Phase.AUDIT_IDENTITY] = broken
    yield
    executor.PHASE_STEPS[Phase.AUDIT_IDENTITY] = original


async def test_repeated_failures_fail_it_and_a_retry_resumes_where_it_stopped(
    client: httpx.AsyncClient,
    db: Database,
    idle_jobs: Jobs,
    context: ExecutionContext,
    acme: Accounts,
    staff: Accounts,
    flaky_audit_step: None,
) -> None:
    assert acme.tenant_id
    subject = acme.user_id("employee")
    await fill_notifications(db, acme.tenant_id, subject, 3)
    instruction_id = await _instruct(
        client, acme, kind="delete_subject", subject_user_id=str(subject)
    )
    idle_jobs.broker.flush_all()  # run it by hand below
    for _ in range(1, executor.MAX_ATTEMPTS):
        with pytest.raises(ConnectionResetError):
            await run_instruction(context, acme.tenant_id, UUID(instruction_id))
    result = await run_instruction(context, acme.tenant_id, UUID(instruction_id))
    assert result.outcome == Outcome.FINISHED
    detail = await wait_for_status(client, acme, instruction_id, {"failed"})
    assert "ConnectionResetError" in detail["instruction"]["status_reason"]
    progress = {row["table"]: row for row in detail["progress"]}
    assert progress["notifications"]["removed"] == 3  # done before it failed: kept

    executor.PHASE_STEPS[Phase.AUDIT_IDENTITY] = executor.audit_identity
    retried = await client.post(
        "/api/v1/platform/instructions/retry-failed",
        json={},
        headers=staff.auth("platform_staff"),
    )
    assert retried.json() == {"retried": [instruction_id]}
    idle_jobs.start()
    await idle_jobs.drain()
    detail = await wait_for_status(client, acme, instruction_id, DONE)
    assert detail["instruction"]["status"] == "completed"
    progress = {row["table"]: row for row in detail["progress"]}
    assert progress["notifications"]["removed"] == 3  # nothing counted twice
    assert progress["audit_events"]["retained"] >= 1  # pseudonymised, kept with its basis
    assert [e["to_status"] for e in detail["history"]] == [
        "received",
        "scheduled",
        "in_processing",
        "failed",
        "scheduled",
        "in_processing",
        "completed",
    ]


async def test_nothing_to_deliver_to_fails_at_once_and_a_retry_picks_up_from_there(
    client: httpx.AsyncClient,
    db: Database,
    owner: asyncpg.Pool,
    jobs: Jobs,
    acme: Accounts,
    staff: Accounts,
) -> None:
    assert acme.tenant_id
    instruction_id = await _instruct(client, acme, kind="return_data")
    async with owner.acquire() as conn, conn.transaction():  # before the job runs
        await conn.execute("select set_config('app.tenant_id', $1, true)", str(acme.tenant_id))
        await conn.execute("update memberships set status = 'disabled' where role = 'client_admin'")
    await jobs.drain()
    platform = await client.get(
        f"/api/v1/platform/instructions/{instruction_id}", headers=staff.auth("platform_staff")
    )
    body = platform.json()["instruction"]
    assert body["status"] == "failed" and "no active client admin" in body["status_reason"]
    export_id = body["export_id"]
    assert export_id is not None

    async with owner.acquire() as conn, conn.transaction():
        await conn.execute("select set_config('app.tenant_id', $1, true)", str(acme.tenant_id))
        await conn.execute("update memberships set status = 'active'")
    retried = await client.post(
        f"/api/v1/platform/instructions/{instruction_id}/status",
        json={"status": "scheduled", "reason": "client admin re-enabled"},
        headers=staff.auth("platform_staff"),
    )
    assert retried.status_code == 200, retried.text
    await jobs.drain()
    detail = await wait_for_status(client, acme, instruction_id, DONE)
    assert detail["instruction"]["status"] == "completed"
    assert detail["instruction"]["export_id"] == export_id  # not exported twice


async def _create(
    db: Database, services: Services, tenant_id: UUID, admin: UUID, received_at: datetime
) -> UUID:
    async with db.transaction(Scope.TENANT, tenant_id) as session:
        instruction = await create_instruction(
            session,
            tenant_id,
            NewInstruction(Kind.RETURN_DATA),
            Acting(admin, "client_admin"),
            audit=services.audit,
            received_at=received_at,
        )
        return instruction.id


def _received_for_nearing(now: datetime) -> datetime:
    """A receipt time whose due date (Germany) is 1 to 3 business days after today."""
    calendar = TenantCalendar("DE")
    for days in range(30, 70):
        received = now - timedelta(days=days)
        if 1 <= calendar.business_days_left(instruction_due(received, calendar), now) <= 3:
            return received
    raise AssertionError("no receipt date found")


async def test_escalation_flags_nearing_and_overdue_and_alerts_staff(
    client: httpx.AsyncClient,
    db: Database,
    services: Services,
    idle_jobs: Jobs,
    smtp_server: SmtpServer,
    acme: Accounts,
    staff: Accounts,
) -> None:
    assert acme.tenant_id
    admin = acme.user_id("client_admin")
    now = datetime.now(UTC)
    overdue = await _create(db, services, acme.tenant_id, admin, now - timedelta(days=90))
    nearing = await _create(db, services, acme.tenant_id, admin, _received_for_nearing(now))
    fine = await _create(db, services, acme.tenant_id, admin, now)
    idle_jobs.broker.flush_all()

    report = await maintenance.escalate(db, services.audit, alert_staff, now=now)
    assert (report.overdue, report.nearing) == ([overdue], [nearing])
    again = await maintenance.escalate(db, services.audit, alert_staff, now=now)
    assert (again.overdue, again.nearing) == ([overdue], [nearing])

    idle_jobs.start()
    await idle_jobs.drain()
    subjects = sorted(m["Subject"] for m in smtp_server.received)
    # one alert per instruction and staff member, not repeated within a day
    assert len(subjects) == 4
    assert sum("overdue" in s for s in subjects) == 2 and sum("nearing" in s for s in subjects) == 2
    assert {m["To"] for m in smtp_server.received} == {staff.email(r) for r in staff.users}

    queue = await client.get(
        "/api/v1/platform/instructions",
        params={"status": ["scheduled"]},
        headers=staff.auth("platform_staff"),
    )
    items = queue.json()["items"]
    assert [i["id"] for i in items] == [str(overdue), str(nearing), str(fine)]  # by due date
    assert [i["escalation"] for i in items[:2]] == ["overdue", "nearing"]
    assert items[0]["business_days_left"] < items[1]["business_days_left"]
    assert items[0]["tenant_slug"] == "acme"
    forbidden = {"subject_id", "subject_user_id", "email", "name"}
    assert all(forbidden.isdisjoint(item) for item in items)


# Due dates counted by hand on the real calendars (the day of receipt never counts).
DUE_CASES = [
    # Berlin: Women's Day (Mon 8 March 2027) is a holiday in BE only.
    ("DE", "BE", datetime(2027, 2, 1, 9, tzinfo=UTC), None, date(2027, 3, 16)),
    ("DE", "BY", datetime(2027, 2, 1, 9, tzinfo=UTC), None, date(2027, 3, 15)),
    # A request-driven erasure: due 5 calendar days before the request (Sun 2027-02-28),
    # moved back to a business day: Tue 2027-02-23.
    ("DE", "BE", datetime(2027, 2, 1, 9, tzinfo=UTC), date(2027, 2, 28), date(2027, 2, 23)),
    # England: Christmas Day Fri, Boxing Day (Sat) observed Mon 28 Dec, New Year Fri 1 Jan.
    ("GB", "ENG", datetime(2026, 12, 1, 12, tzinfo=UTC), None, date(2027, 1, 15)),
    # Easter 2027: Good Friday 26 March and Easter Monday 29 March (ENG).
    ("GB", "ENG", datetime(2027, 3, 1, 12, tzinfo=UTC), None, date(2027, 4, 14)),
    # California: Memorial Day Mon 31 May, Juneteenth Sat 19 June (observed Fri 18), Fourth
    # of July Sunday (observed Mon 5 July).
    ("US", "CA", datetime(2027, 5, 20, 18, tzinfo=UTC), None, date(2027, 7, 6)),
    # A request already past its buffer: due the day it arrives (urgent).
    ("DE", None, datetime(2027, 2, 1, 9, tzinfo=UTC), date(2027, 2, 3), date(2027, 2, 1)),
]


@pytest.mark.parametrize(
    ("country", "subdivision", "received", "request_due", "expected"), DUE_CASES
)
async def test_due_date_in_the_tenants_calendar(
    db: Database,
    services: Services,
    make_tenant: Any,
    idle_jobs: Jobs,
    country: str,
    subdivision: str | None,
    received: datetime,
    request_due: date | None,
    expected: date,
) -> None:
    from timeward.identity.service import add_member

    tenant_id = await make_tenant("calendar-co", country, subdivision)
    admin = await add_member(db, tenant_id, "boss@calendar.example", None, "client_admin")
    async with db.transaction(Scope.TENANT, tenant_id) as session:
        instruction = await create_instruction(
            session,
            tenant_id,
            NewInstruction(
                Kind.DELETE_SUBJECT,
                subject_user_id=admin,
                subject_request_id=UUID(int=1) if request_due else None,
                subject_request_due=request_due,
            ),
            Acting(admin, "client_admin"),
            audit=services.audit,
            received_at=received,
        )
    assert instruction.due_on == expected


async def test_an_extension_of_the_request_moves_the_due_date(
    db: Database, services: Services, make_tenant: Any, idle_jobs: Jobs
) -> None:
    from timeward.identity.service import add_member
    from timeward.instructions.service import update_subject_request_due

    tenant_id = await make_tenant("calendar-co", "DE", "BE")
    admin = await add_member(db, tenant_id, "boss@calendar.example", None, "client_admin")
    async with db.transaction(Scope.TENANT, tenant_id) as session:
        instruction = await create_instruction(
            session,
            tenant_id,
            NewInstruction(
                Kind.DELETE_SUBJECT,
                subject_user_id=admin,
                subject_request_id=UUID(int=7),
                subject_request_due=date(2027, 2, 28),
            ),
            Acting(admin, "client_admin"),
            audit=services.audit,
            received_at=datetime(2027, 2, 1, 9, tzinfo=UTC),
        )
        assert instruction.due_on == date(2027, 2, 23)
        await update_subject_request_due(session, tenant_id, instruction.id, date(2027, 4, 28))
    async with db.transaction(Scope.TENANT, tenant_id) as session:
        moved = await get_instruction(session, tenant_id, instruction.id)
    assert moved.due_on == date(2027, 3, 16)  # the 30 business days apply again


async def test_only_client_admins_instruct_and_kinds_are_consistent(
    client: httpx.AsyncClient, idle_jobs: Jobs, acme: Accounts
) -> None:
    bad = [
        {"kind": "delete_subject"},
        {"kind": "return_data", "subject_user_id": str(acme.user_id("employee"))},
        {"kind": "offboard_tenant", "subject_request_id": str(UUID(int=3))},
        {"kind": "delete_subject", "subject_user_id": "not-a-uuid"},
        {"kind": "destroy_everything"},
        {"kind": "return_data", "note": "unknown field"},
    ]
    for body in bad:
        response = await client.post(
            "/api/v1/instructions", json=body, headers=acme.auth("client_admin")
        )
        assert 400 <= response.status_code < 500 and response.status_code != 404, (body, response)
    twice = [
        await client.post(
            "/api/v1/instructions",
            json={"kind": "offboard_tenant", "confirm_slug": acme.slug},
            headers=acme.auth("client_admin"),
        )
        for _ in range(2)
    ]
    assert [r.status_code for r in twice] == [201, 409]


async def test_delete_subject_names_an_employee_or_member_of_this_tenant(
    client: httpx.AsyncClient, idle_jobs: Jobs, acme: Accounts, bravo: Accounts
) -> None:
    foreign = await client.post(
        "/api/v1/employees", json={"name": "Bravo's own"}, headers=bravo.auth("client_admin")
    )
    assert foreign.status_code == 201, foreign.text
    own = await client.post(
        "/api/v1/employees",
        json={"name": "Acme's own", "user_id": str(acme.user_id("employee"))},
        headers=acme.auth("client_admin"),
    )
    assert own.status_code == 201, own.text
    nobody = str(UUID(int=0))
    refused = [
        ({"subject_id": nobody}, "subject_id"),
        ({"subject_id": foreign.json()["id"]}, "subject_id"),
        ({"subject_user_id": nobody}, "subject_user_id"),
        ({"subject_user_id": str(bravo.user_id("employee"))}, "subject_user_id"),
        (  # a member of this tenant, but not that employee's account
            {
                "subject_id": own.json()["id"],
                "subject_user_id": str(acme.user_id("client_manager")),
            },
            "subject_user_id",
        ),
    ]
    for ids, field in refused:
        response = await client.post(
            "/api/v1/instructions",
            json={"kind": "delete_subject", **ids},
            headers=acme.auth("client_admin"),
        )
        assert response.status_code == 422, (ids, response.text)
        assert [e["key"] for e in response.json()["errors"]] == [field], response.json()
    # The link to a data-subject request is the erasure flow's, never the client's.
    for link in (
        {"subject_request_id": str(UUID(int=3)), "subject_request_due": "2027-01-01"},
        {"subject_request_id": str(UUID(int=3)), "subject_request_due": "0001-01-01"},
        {"subject_request_due": "0001-01-01"},
    ):
        response = await client.post(
            "/api/v1/instructions",
            json={"kind": "delete_subject", "subject_id": own.json()["id"], **link},
            headers=acme.auth("client_admin"),
        )
        assert 400 <= response.status_code < 500, (link, response.text)
    listed = await client.get("/api/v1/instructions", headers=acme.auth("client_admin"))
    assert listed.json()["items"] == [], listed.json()
