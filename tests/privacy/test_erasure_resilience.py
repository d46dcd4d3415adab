"""Erasure across employers, after a crash, and before the processor seam is wired.

- A person known to two client companies is erased by each separately; the login identity
  they share goes only when the last one has erased them.
- A worker dying between the tenant's part and the identity's leaves the request
  resumable: the reconciler re-enqueues it and the second run finishes without redoing
  (or undoing) the first part.
- With no instructions implementation registered, the need is recorded on the request;
  the reconciler hands it over once one is registered, and an extension is forwarded.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

import asyncpg
import httpx
import pytest

from tenants.privacy_requests import jobs as privacy_jobs
from tenants.privacy_requests import processor
from tenants.privacy_requests.instructions_link import InstructionsLink
from tests.accounts import PASSWORD
from tests.fixtures.clock import FixedClock
from tests.fixtures.jobs import Jobs
from tests.privacy.companies import act, admin_view, file_request, seed_company
from tests.privacy.scan import scan_everything
from tests.privacy.test_erasure import RecordingInstructions
from timeward.db.bootstrap import DatabaseUrls
from timeward.db.session import Database
from timeward.identity.service import add_member

INTAKE = "/api/v1/public/privacy-requests"
START = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _start(fixed_clock: FixedClock) -> None:
    fixed_clock.set(START)


@pytest.fixture
def no_instructions() -> Iterator[None]:
    wired = processor.processor_instructions()
    processor.register_processor_instructions(None)
    yield
    processor.register_processor_instructions(wired)


async def login(client: httpx.AsyncClient, email: str, tenant: str) -> int:
    response = await client.post(
        "/api/v1/auth/token", json={"email": email, "password": PASSWORD, "tenant": tenant}
    )
    return response.status_code


async def queue_ids(client: httpx.AsyncClient, headers: dict[str, str]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = (
        await client.get("/api/v1/privacy-requests", headers=headers)
    ).json()["items"]
    return items


async def erase_and_complete(
    client: httpx.AsyncClient, company: Any, jobs: Jobs, request_id: str
) -> dict[str, Any]:
    await act(client, company, request_id, "identity", {"method": "id_document"})
    await act(client, company, request_id, "erasure", expect=202)
    await jobs.drain()
    view = await admin_view(client, company, request_id)
    assert view["fulfilment"]["state"] == "done", view["fulfilment"]
    await act(client, company, request_id, "completion", {})
    await jobs.drain()
    return view


async def test_a_person_of_two_employers_keeps_their_login_until_both_erased(
    client: httpx.AsyncClient,
    db: Database,
    owner: asyncpg.Pool,
    database_urls: DatabaseUrls,
    jobs: Jobs,
    no_instructions: None,
) -> None:
    acme = await seed_company(db, client, "acme")
    globex = await seed_company(db, client, "globex")
    person = acme.people["employee"]
    await add_member(db, globex.tenant_id, person.email, PASSWORD, "employee")
    response = await client.post(
        INTAKE,
        json={
            "email": person.email,
            "text": f"Erase me, {person.name}, {person.address}",
            "request_type": "erasure",
        },
    )
    assert response.status_code == 202
    await jobs.drain()
    [in_acme] = await queue_ids(client, acme.admin)
    [in_globex] = await queue_ids(client, globex.admin)

    # globex knows only the account: its erasure removes the membership, not the identity.
    report = (await erase_and_complete(client, globex, jobs, in_globex["id"]))["fulfilment"][
        "report"
    ]
    tables = {t["table"]: t for t in report["tables"]}
    assert tables["memberships"]["removed"] == 1
    assert tables["privacy_requests"]["retained"] == 1
    assert await login(client, person.email, "globex") == 401
    assert await login(client, person.email, "acme") == 200
    after = await admin_view(client, globex, in_globex["id"])
    assert (after["details"], after["contact_email"]) == (None, None)
    employee = await client.get(
        f"/api/v1/employees/{acme.employees['employee']}", headers=acme.admin
    )
    assert employee.json()["name"] == person.name  # the other employer's data is untouched
    tenants = [acme.tenant_id, globex.tenant_id]
    left = await scan_everything(owner, database_urls, tenants, {"email": person.email})
    assert "users.email: email" in left  # still someone's login (acme's)

    await erase_and_complete(client, acme, jobs, in_acme["id"])
    assert await login(client, person.email, "acme") == 401
    assert await scan_everything(owner, database_urls, tenants, person.values()) == []


async def test_a_crash_between_the_two_parts_is_resumed_by_the_reconciler(
    client: httpx.AsyncClient,
    db: Database,
    jobs: Jobs,
    fixed_clock: FixedClock,
    monkeypatch: pytest.MonkeyPatch,
    no_instructions: None,
) -> None:
    acme = await seed_company(db, client, "acme")
    person = acme.people["employee"]
    filed = await file_request(client, acme, "erasure")
    await jobs.drain()

    calls: list[UUID] = []
    real = privacy_jobs.remove_login_identity

    async def dies_once(database: Any, user_id: UUID, tenant_id: UUID) -> bool:
        calls.append(user_id)
        if len(calls) == 1:
            raise RuntimeError("worker killed")
        return await real(database, user_id, tenant_id)

    monkeypatch.setattr(privacy_jobs, "remove_login_identity", dies_once)
    monkeypatch.setitem(privacy_jobs.erase_privacy_subject.options, "max_retries", 0)
    await act(client, acme, filed["id"], "erasure", expect=202)
    await jobs.drain()
    halfway = await admin_view(client, acme, filed["id"])
    assert halfway["fulfilment"]["state"] == "running"
    assert halfway["subject"]["name"] == "Erased employee"  # the tenant's part is committed
    assert halfway["fulfilment"]["report"]["tables"]
    assert await login(client, person.email, "acme") == 401  # membership gone already

    fixed_clock.set(START + timedelta(minutes=16))
    privacy_jobs.reconcile_privacy_requests.send()
    await jobs.drain()
    done = await admin_view(client, acme, filed["id"])
    assert done["fulfilment"]["state"] == "done"
    assert done["fulfilment"]["report"]["tables"] == halfway["fulfilment"]["report"]["tables"]
    assert done["fulfilment"]["attempts"] == 2
    assert len(calls) == 2
    assert [e["action"] for e in done["events"]].count("erased") == 1


async def test_the_processor_instruction_waits_for_the_seam_and_follows_extensions(
    client: httpx.AsyncClient,
    db: Database,
    jobs: Jobs,
    fixed_clock: FixedClock,
    no_instructions: None,
) -> None:
    acme = await seed_company(db, client, "acme")
    filed = await file_request(client, acme, "erasure")
    await act(client, acme, filed["id"], "erasure", expect=202)
    await jobs.drain()
    view = await admin_view(client, acme, filed["id"])
    assert view["processor_instruction"]["requested_at"] is not None
    assert view["processor_instruction"]["instruction_id"] is None

    recording = RecordingInstructions()
    processor.register_processor_instructions(recording)
    privacy_jobs.reconcile_privacy_requests.send()
    privacy_jobs.reconcile_privacy_requests.send()  # twice: created once
    await jobs.drain()
    [created] = recording.created
    assert (created.request_id, created.due) == (UUID(filed["id"]), date(2027, 3, 31))
    assert created.employee_id == acme.employees["employee"]
    assert created.user_id == acme.accounts.user_id("employee")
    view = await admin_view(client, acme, filed["id"])
    assert view["processor_instruction"]["instruction_id"] == str(UUID(int=1))

    await act(
        client, acme, filed["id"], "extension", {"due_date": "2027-04-30", "reason": "Backups"}
    )
    assert recording.due_changes == [(UUID(int=1), date(2027, 4, 30))]


async def test_erasure_gives_the_processor_a_real_delete_subject_instruction(
    client: httpx.AsyncClient, db: Database, jobs: Jobs
) -> None:
    """With the real link (tenants.privacy_requests.instructions_link) installed."""
    assert isinstance(processor.processor_instructions(), InstructionsLink)
    acme = await seed_company(db, client, "acme")
    filed = await file_request(client, acme, "erasure")
    await act(client, acme, filed["id"], "erasure", expect=202)
    await jobs.drain()
    view = await admin_view(client, acme, filed["id"])
    instruction_id = view["processor_instruction"]["instruction_id"]
    assert instruction_id is not None
    response = await client.get(f"/api/v1/instructions/{instruction_id}", headers=acme.admin)
    assert response.status_code == 200, response.text
    body = response.json()
    instruction = body.get("instruction", body)
    assert instruction["kind"] == "delete_subject"
    assert instruction["subject_request_id"] == filed["id"]
    due = filed["due_date"]
    assert date.fromisoformat(instruction["due_on"]) < date.fromisoformat(due)
