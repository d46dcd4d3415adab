"""Erasure end to end: the employer erases, the report says what was removed, anonymised
and retained (with the legal basis), the requester is told, and afterwards a scan of every
text and json column of every table finds none of the person's values."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from uuid import UUID

import asyncpg
import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tenants.privacy_requests import processor
from tenants.privacy_requests.processor import ProcessorErasure
from tests.fixtures.jobs import Jobs
from tests.jobs.smtp_server import SmtpServer, body
from tests.privacy.companies import (
    act,
    admin_view,
    assert_others_untouched,
    file_request,
    seed_company,
    to,
    working_life,
)
from tests.privacy.rows import assert_every_row_accounted, subject_rows
from tests.privacy.scan import scan_everything
from timeward.db.bootstrap import DatabaseUrls
from timeward.db.session import Database


class RecordingInstructions:
    """Stands in for the client-instructions feature (issue 6) at the seam."""

    def __init__(self) -> None:
        self.created: list[ProcessorErasure] = []
        self.due_changes: list[tuple[UUID, date]] = []

    async def create_subject_deletion(
        self, session: AsyncSession, erasure: ProcessorErasure
    ) -> UUID:
        self.created.append(erasure)
        return UUID(int=len(self.created))

    async def subject_request_due_changed(
        self, session: AsyncSession, tenant_id: UUID, instruction_id: UUID, due: date
    ) -> None:
        self.due_changes.append((instruction_id, due))


@pytest.fixture
def instructions() -> AsyncIterator[RecordingInstructions]:
    recording = RecordingInstructions()
    wired = processor.processor_instructions()
    processor.register_processor_instructions(recording)
    yield recording
    processor.register_processor_instructions(wired)


async def test_erasure_end_to_end_leaves_no_personal_value_anywhere(
    client: httpx.AsyncClient,
    db: Database,
    owner: asyncpg.Pool,
    database_urls: DatabaseUrls,
    jobs: Jobs,
    smtp_server: SmtpServer,
    instructions: RecordingInstructions,
) -> None:
    acme = await seed_company(db, client, "acme")
    bystander = await seed_company(db, client, "bystander")
    life = await working_life(client, acme)
    person = acme.people["employee"]
    filed = await file_request(client, acme, "erasure", details=f"Please erase {person.name}.")
    await jobs.drain()
    tenants = [acme.tenant_id, bystander.tenant_id]
    before = await scan_everything(owner, database_urls, tenants, person.values())
    assert {
        "employees.name: name",
        "employees.work_email: email",
        "employees.phone: phone",
        "employees.postal_address: address",
        "users.email: email",
        "time_entries.notes: name",
        "privacy_requests.details: address",
        "outbound_emails.recipient: email",
    } <= set(before)

    employee_id, user_id = acme.employees["employee"], acme.accounts.user_id("employee")
    expected = await subject_rows(owner, acme.tenant_id, employee_id, user_id)
    expected["privacy_request_events"] += 1  # the 'erasure_requested' step, recorded next

    started = await act(client, acme, filed["id"], "erasure", expect=202)
    assert started["fulfilment"]["state"] == "queued"
    await jobs.drain()
    done = await admin_view(client, acme, filed["id"])
    assert done["fulfilment"]["state"] == "done", done["fulfilment"]
    report = done["fulfilment"]["report"]
    tables = {t["table"]: t for t in report["tables"]}
    assert_every_row_accounted(tables, expected)
    assert tables["employees"]["anonymised"] == 1
    assert (tables["time_entries"]["retained"], tables["time_entries"]["basis"]) == (
        1,
        "working_time",
    )
    assert (tables["clock_events"]["retained"], tables["clock_events"]["basis"]) == (
        2,
        "working_time",
    )
    assert tables["memberships"]["removed"] == 1
    assert tables["notifications"]["removed"] >= 1
    assert tables["outbound_emails"]["removed"] >= 1
    assert tables["audit_events"]["basis"] == "audit"
    # Rows, each counted once: the person's two requests name them in three columns each
    # (subject, requester, verified by), their time entry in created_by.
    assert (tables["privacy_requests"]["retained"], tables["privacy_requests"]["anonymised"]) == (
        2,
        0,
    )
    assert tables["time_entries"]["anonymised"] == 0
    assert report["locations_destroyed"] == 2
    assert set(report["bases"]) == {"working_time", "accountability", "audit"}
    assert "section 16(2)" in report["bases"]["working_time"]["explanation"]
    # What the tenant cannot reach became an instruction to the processor, with the due date.
    [instruction] = instructions.created
    assert (instruction.request_id, instruction.due) == (
        UUID(filed["id"]),
        date.fromisoformat(filed["due_date"]),
    )
    assert instruction.employee_id == acme.employees["employee"]
    assert done["processor_instruction"]["instruction_id"] == str(UUID(int=1))

    # The hours stay, anonymised; the employee record is a tombstone.
    tombstone = await client.get(
        f"/api/v1/employees/{acme.employees['employee']}", headers=acme.admin
    )
    assert tombstone.json()["name"] == "Erased employee"
    assert tombstone.json()["contact"] == {
        "work_email": None,
        "phone": None,
        "postal_address": None,
    }
    assert tombstone.json()["user_id"] is None
    entry = await client.get(f"/api/v1/time-entries/{life['entry_id']}", headers=acme.admin)
    assert entry.json()["duration_seconds"] >= 0 and entry.json()["notes"] is None
    events = await client.get(
        "/api/v1/clock-events",
        params={"employee_id": str(acme.employees["employee"])},
        headers=acme.admin,
    )
    assert {e["location"]["status"] for e in events.json()["items"]} == {"reduced"}
    # The person can no longer sign in (the identity had no other employer).
    login = await client.post(
        "/api/v1/auth/token",
        json={"email": person.email, "password": "correct horse battery staple", "tenant": "acme"},
    )
    assert login.status_code == 401

    completed = await act(client, acme, filed["id"], "completion", {"note": "All done."})
    assert completed["status"] == "completed"
    await jobs.drain()
    [answer] = [
        m for m in to(smtp_server.received, person.email) if "answered" in str(m["Subject"])
    ]
    text = body(answer)
    assert "What was kept, and why:" in text
    assert "time entries: Working-time records" in text
    assert "- 2 privacy requests: The record of your privacy request" in text
    assert "anonymised: 1 employee record" in text
    assert "privacy requests" not in text.split("What was kept")[0]  # nothing counted twice
    assert "section 16(2)" in text
    assert "backups and logs are deleted by Timeward" in text
    after = await admin_view(client, acme, filed["id"])
    assert (after["contact_email"], after["details"]) == (None, None)

    assert await scan_everything(owner, database_urls, tenants, person.values()) == []
    # Nobody else lost anything.
    await assert_others_untouched(client, acme, bystander)
