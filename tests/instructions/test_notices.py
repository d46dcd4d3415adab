"""Every client admin is told how an instruction ended: in the app and by e-mail, with the
certificate link; never of a result a confidential legal hold withholds."""

from __future__ import annotations

from email.message import Message
from typing import Any

import httpx
import pytest

from tests.accounts import PASSWORD, Accounts, token_pair
from tests.fixtures.jobs import Jobs
from tests.instructions.support import (
    fill_notifications,
    instruct,
    place_hold,
    wait_for_status,
)
from tests.jobs.smtp_server import SmtpServer
from timeward.config import Settings
from timeward.db.session import Database
from timeward.identity.service import add_member
from timeward.instructions import executor
from timeward.instructions.executor import PermanentFailure, Phase

SECOND_ADMIN = "second-admin@acme.example"


@pytest.fixture
async def two_admins(client: httpx.AsyncClient, db: Database, acme: Accounts) -> list[str]:
    """The client admins' access tokens (acme's own and a second one)."""
    assert acme.tenant_id
    await add_member(db, acme.tenant_id, SECOND_ADMIN, PASSWORD, "client_admin")
    login = await token_pair(client, SECOND_ADMIN, acme.slug)
    return [acme.tokens["client_admin"], login.json()["access_token"]]


def _mails(smtp_server: SmtpServer, subject: str) -> dict[str, str]:
    found: list[Message] = [m for m in smtp_server.received if m["Subject"] == subject]
    return {str(m["To"]): m.get_payload(decode=True).decode() for m in found}


async def _notes(client: httpx.AsyncClient, token: str, kind: str) -> list[dict[str, Any]]:
    response = await client.get(
        "/api/v1/me/notifications", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200, response.text
    return [n for n in response.json()["items"] if n["kind"] == kind]


async def _delete_employee_notes(
    client: httpx.AsyncClient, db: Database, jobs: Jobs, acme: Accounts
) -> str:
    assert acme.tenant_id
    subject = acme.user_id("employee")
    await fill_notifications(db, acme.tenant_id, subject, 2)
    created = await instruct(client, acme, kind="delete_subject", subject_user_id=str(subject))
    await jobs.drain()
    return str(created["instruction"]["id"])


async def _hold(client: httpx.AsyncClient, staff: Accounts, acme: Accounts, told: bool) -> None:
    await place_hold(
        client,
        staff,
        acme.tenant_id,
        scope="subject",
        subject_user_id=str(acme.user_id("employee")),
        reference="Subpoena 7/27",
        client_may_be_told=told,
    )


async def test_completion_is_told_to_every_client_admin_with_the_certificate_link(
    client: httpx.AsyncClient,
    db: Database,
    jobs: Jobs,
    smtp_server: SmtpServer,
    job_settings: Settings,
    acme: Accounts,
    two_admins: list[str],
) -> None:
    instruction_id = await _delete_employee_notes(client, db, jobs, acme)
    await wait_for_status(client, acme, instruction_id, {"completed"})
    await jobs.drain()

    link = f"{job_settings.public_url}/api/v1/instructions/{instruction_id}/certificate.html"
    mails = _mails(smtp_server, "Timeward: Instruction completed")
    assert set(mails) == {acme.email("client_admin"), SECOND_ADMIN}
    assert all(link in body and "is completed" in body for body in mails.values())
    for token in two_admins:
        [note] = await _notes(client, token, "instruction.completed")
        assert link in note["body"]
    page = await client.get(
        link.removeprefix(job_settings.public_url), headers=acme.auth("client_admin")
    )
    assert page.status_code == 200 and instruction_id in page.text


async def test_a_partial_result_is_told_with_the_hold_the_client_may_know_of(
    client: httpx.AsyncClient,
    db: Database,
    jobs: Jobs,
    smtp_server: SmtpServer,
    acme: Accounts,
    staff: Accounts,
    two_admins: list[str],
) -> None:
    await _hold(client, staff, acme, told=True)
    instruction_id = await _delete_employee_notes(client, db, jobs, acme)
    await wait_for_status(client, acme, instruction_id, {"partially_completed"})
    await jobs.drain()

    mails = _mails(smtp_server, "Timeward: Instruction partially completed")
    assert set(mails) == {acme.email("client_admin"), SECOND_ADMIN}
    assert all("Subpoena 7/27" in body for body in mails.values())
    assert await _notes(client, two_admins[1], "instruction.partially_completed")


async def test_a_result_withheld_by_a_confidential_hold_is_not_announced(
    client: httpx.AsyncClient,
    db: Database,
    jobs: Jobs,
    smtp_server: SmtpServer,
    acme: Accounts,
    staff: Accounts,
    two_admins: list[str],
) -> None:
    await _hold(client, staff, acme, told=False)
    instruction_id = await _delete_employee_notes(client, db, jobs, acme)
    await jobs.drain()
    detail = await wait_for_status(client, acme, instruction_id, {"in_processing"})
    assert detail["instruction"]["certificate_id"] is None

    assert not [m for m in smtp_server.received if "Instruction" in str(m["Subject"])]
    for token in two_admins:
        notes = await client.get(
            "/api/v1/me/notifications", headers={"Authorization": f"Bearer {token}"}
        )
        assert not [n for n in notes.json()["items"] if n["kind"].startswith("instruction.")]


async def test_a_failure_is_told_to_every_client_admin(
    client: httpx.AsyncClient,
    db: Database,
    jobs: Jobs,
    smtp_server: SmtpServer,
    acme: Accounts,
    two_admins: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def no_signing_key(job: executor.Job) -> None:
        raise PermanentFailure("no signing key to certify with")

    monkeypatch.setitem(executor.PHASE_STEPS, Phase.CERTIFY, no_signing_key)
    instruction_id = await _delete_employee_notes(client, db, jobs, acme)
    await wait_for_status(client, acme, instruction_id, {"failed"})
    await jobs.drain()

    mails = _mails(smtp_server, "Timeward: Instruction failed")
    assert set(mails) == {acme.email("client_admin"), SECOND_ADMIN}
    assert all("no signing key to certify with" in body for body in mails.values())
    assert all(f"/api/v1/instructions/{instruction_id}" in body for body in mails.values())
    assert await _notes(client, two_admins[0], "instruction.failed")
