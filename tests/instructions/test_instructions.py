"""Client instructions end to end: HTTP in, real worker (in-process, stub broker) against
PostgreSQL as the application role, real SMTP, certificate verified with the JWKS."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

import asyncpg
import httpx
import pytest

from tests.accounts import Accounts
from tests.fixtures.jobs import Jobs
from tests.instructions.support import (
    DONE,
    checksums,
    counts,
    fill_notifications,
    follow,
    instruct,
    wait_for_status,
)
from tests.jobs.smtp_server import SmtpServer
from timeward.db.session import Database
from timeward.deadlines import TenantCalendar, instruction_due
from timeward.instructions.certificate import InvalidCertificate, verify


async def jwks(client: httpx.AsyncClient) -> dict[str, Any]:
    keys: dict[str, Any] = (await client.get("/.well-known/jwks.json")).json()
    return keys


def _progress(detail: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["table"]: row for row in detail["progress"]}


async def test_delete_subject_runs_to_a_verifiable_certificate(
    client: httpx.AsyncClient,
    db: Database,
    owner: asyncpg.Pool,
    jobs: Jobs,
    acme: Accounts,
    bravo: Accounts,
) -> None:
    assert acme.tenant_id and bravo.tenant_id
    subject = acme.user_id("employee")
    await fill_notifications(db, acme.tenant_id, subject, 7)
    await fill_notifications(db, acme.tenant_id, acme.user_id("client_manager"), 2)
    await fill_notifications(db, bravo.tenant_id, bravo.user_id("employee"), 3)
    bravo_before = await checksums(owner, bravo.tenant_id)

    created = await instruct(client, acme, kind="delete_subject", subject_user_id=str(subject))
    instruction = created["instruction"]
    received = datetime.fromisoformat(instruction["received_at"])
    assert instruction["due_on"] == instruction_due(received, TenantCalendar("DE")).isoformat()
    assert instruction["requested_by"] == str(acme.user_id("client_admin"))
    assert instruction["requested_by_role"] == "client_admin"

    await jobs.drain()
    detail = await wait_for_status(client, acme, instruction["id"], DONE)

    assert detail["instruction"]["status"] == "completed"
    assert detail["instruction"]["open_dsr_status"] == "completed"
    finished = datetime.fromisoformat(detail["instruction"]["finished_at"])
    assert finished.astimezone(UTC).date() <= date.fromisoformat(instruction["due_on"])
    assert [e["to_status"] for e in detail["history"]] == [
        "received",
        "scheduled",
        "in_processing",
        "completed",
    ]
    progress = _progress(detail)
    assert progress["notifications"]["removed"] == 7
    assert progress["memberships"]["removed"] == 1
    # "user.created" named the subject: kept, with the identifiers as a pseudonym
    assert progress["audit_events"]["retained"] >= 1
    assert progress["audit_events"]["basis"].startswith("Security and audit log")
    after = await counts(owner, acme.tenant_id)
    assert after["notifications"] == 3  # the manager's stay, and the admin's completion notice
    assert after["memberships"] == 2
    assert await checksums(owner, bravo.tenant_id) == bravo_before

    certificate = (
        await client.get(
            f"/api/v1/instructions/{instruction['id']}/certificate",
            headers=acme.auth("client_admin"),
        )
    ).json()
    payload = verify(certificate["jws"], await jwks(client))
    assert payload == certificate["payload"]
    assert payload["tenant"]["id"] == str(acme.tenant_id)
    assert payload["instruction"]["id"] == instruction["id"]
    assert payload["scope"] == {
        "kind": "subject",
        "subject_id": None,
        "subject_user_id": str(subject),
    }
    tables = {t["table"]: t for t in payload["tables"]}
    assert tables["notifications"]["removed"] == 7
    assert payload["execution"]["job_ids"]
    assert payload["execution"]["started_at"] <= payload["execution"]["finished_at"]

    html = await client.get(
        f"/api/v1/instructions/{instruction['id']}/certificate.html",
        headers=acme.auth("client_admin"),
    )
    assert html.status_code == 200 and "text/html" in html.headers["content-type"]
    assert "notifications" in html.text and payload["digest"] in html.text


def _tamper(token: str, change: dict[str, Any]) -> str:
    import base64

    header, body, signature = token.split(".")
    payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    payload.update(change)
    forged = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


async def test_certificate_tampering_is_detected(
    client: httpx.AsyncClient, jobs: Jobs, acme: Accounts
) -> None:
    created = await instruct(
        client, acme, kind="delete_subject", subject_user_id=str(acme.user_id("employee"))
    )
    await jobs.drain()
    await wait_for_status(client, acme, created["instruction"]["id"], DONE)
    certificate = (
        await client.get(
            f"/api/v1/instructions/{created['instruction']['id']}/certificate",
            headers=acme.auth("client_admin"),
        )
    ).json()
    keys = await jwks(client)
    verify(certificate["jws"], keys)

    with pytest.raises(InvalidCertificate):
        verify(_tamper(certificate["jws"], {"outcome": "completed", "tables": []}), keys)
    with pytest.raises(InvalidCertificate):  # another key (a forger's own JWKS does not help)
        from joserfc.jwk import OKPKey

        other = OKPKey.generate_key("Ed25519", parameters={"kid": "forged"})
        verify(certificate["jws"], {"keys": [other.as_dict(private=False)]})


async def test_return_data_delivers_a_zip_of_every_table(
    client: httpx.AsyncClient,
    db: Database,
    jobs: Jobs,
    smtp_server: SmtpServer,
    acme: Accounts,
) -> None:
    assert acme.tenant_id
    await fill_notifications(db, acme.tenant_id, acme.user_id("employee"), 3)
    created = await instruct(client, acme, kind="return_data")
    await jobs.drain()
    detail = await wait_for_status(client, acme, created["instruction"]["id"], DONE)
    assert detail["instruction"]["status"] == "completed"

    download = await client.get(
        f"/api/v1/instructions/{created['instruction']['id']}/export",
        headers=acme.auth("client_admin"),
    )
    assert download.status_code == 200, download.text
    assert download.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(download.content))
    names = set(archive.namelist())
    assert {"manifest.json", "notifications.json", "notifications.csv"} <= names
    assert {"memberships.csv", "audit_events.json", "support_grants.csv"} <= names
    assert not {"data_exports.json", "instructions.json", "legal_holds.json"} & names
    notes = json.loads(archive.read("notifications.json"))
    assert len(notes) == 3 and all(n["tenant_id"] == str(acme.tenant_id) for n in notes)
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["tables"]["notifications"] == 3
    csv_lines = archive.read("notifications.csv").decode().splitlines()
    assert csv_lines[0].startswith("tenant_id,id,user_id") and len(csv_lines) == 4

    # delivered: in the app and by e-mail to the client admin, with the receipt links
    [message] = [
        m
        for m in smtp_server.received
        if m["To"] == acme.email("client_admin") and "ready" in m["Subject"]
    ]
    assert created["links"]["export"] in message.get_payload(decode=True).decode()
    public = await follow(client, created["links"]["export"])
    assert public.status_code == 200 and public.content == download.content
    wrong = await client.get(
        f"/api/v1/public/instructions/{created['instruction']['id']}/export?token={'0' * 64}"
    )
    assert wrong.status_code == 404


async def test_other_tenants_instruction_is_not_found(
    client: httpx.AsyncClient, jobs: Jobs, acme: Accounts, bravo: Accounts
) -> None:
    created = await instruct(client, acme, kind="return_data")
    path = f"/api/v1/instructions/{created['instruction']['id']}"
    for method, suffix, body in (
        ("GET", "", None),
        ("POST", "/cancel", {"reason": "mine now"}),
        ("GET", "/certificate", None),
        ("GET", "/export", None),
    ):
        response = await client.request(
            method, path + suffix, json=body, headers=bravo.auth("client_admin")
        )
        assert response.status_code == 404, (method, suffix, response.text)
    listed = await client.get("/api/v1/instructions", headers=bravo.auth("client_admin"))
    assert listed.json()["items"] == []


async def test_illegal_transitions_are_409s(
    client: httpx.AsyncClient, jobs: Jobs, acme: Accounts, staff: Accounts
) -> None:
    created = await instruct(client, acme, kind="return_data")
    instruction_id = created["instruction"]["id"]
    await jobs.drain()
    await wait_for_status(client, acme, instruction_id, DONE)

    cancel = await client.post(
        f"/api/v1/instructions/{instruction_id}/cancel",
        json={"reason": "changed our mind"},
        headers=acme.auth("client_admin"),
    )
    assert cancel.status_code == 409
    assert cancel.json()["current_status"] == "completed"
    for status in ("paused", "scheduled", "rejected"):
        response = await client.post(
            f"/api/v1/platform/instructions/{instruction_id}/status",
            json={"status": status, "reason": "testing"},
            headers=staff.auth("platform_staff"),
        )
        assert response.status_code == 409, response.text


async def test_client_cancels_before_work_starts_and_staff_can_pause_and_resume(
    client: httpx.AsyncClient, idle_jobs: Jobs, acme: Accounts, staff: Accounts
) -> None:
    first = (await instruct(client, acme, kind="return_data"))["instruction"]["id"]
    no_reason = await client.post(
        f"/api/v1/instructions/{first}/cancel",
        json={"reason": ""},
        headers=acme.auth("client_admin"),
    )
    assert no_reason.status_code == 400
    canceled = await client.post(
        f"/api/v1/instructions/{first}/cancel",
        json={"reason": "sent by mistake"},
        headers=acme.auth("client_admin"),
    )
    assert canceled.status_code == 200 and canceled.json()["status"] == "canceled"
    assert canceled.json()["status_reason"] == "sent by mistake"

    second = (await instruct(client, acme, kind="return_data"))["instruction"]["id"]
    paused = await client.post(
        f"/api/v1/platform/instructions/{second}/status",
        json={"status": "paused", "reason": "waiting for the client's confirmation"},
        headers=staff.auth("platform_staff"),
    )
    assert paused.status_code == 200 and paused.json()["status"] == "paused"
    idle_jobs.start()
    await idle_jobs.drain()  # the queued message finds it paused and does nothing
    detail = await wait_for_status(client, acme, second, {"paused"})
    assert detail["instruction"]["status"] == "paused"

    resumed = await client.post(
        f"/api/v1/platform/instructions/{second}/status",
        json={"status": "scheduled"},
        headers=staff.auth("platform_staff"),
    )
    assert resumed.status_code == 200
    await idle_jobs.drain()
    detail = await wait_for_status(client, acme, second, DONE)
    assert [e["to_status"] for e in detail["history"]] == [
        "received",
        "scheduled",
        "paused",
        "scheduled",
        "in_processing",
        "completed",
    ]
    assert {e["actor_role"] for e in detail["history"]} == {
        "client_admin",
        "system",
        "platform_staff",
    }

    idle_jobs.stop()  # so the next one is still waiting when staff decide on it
    third = (await instruct(client, acme, kind="return_data"))["instruction"]["id"]
    unexplained = await client.post(
        f"/api/v1/platform/instructions/{third}/status",
        json={"status": "rejected"},
        headers=staff.auth("platform_staff"),
    )
    assert unexplained.status_code == 422
    rejected = await client.post(
        f"/api/v1/platform/instructions/{third}/status",
        json={"status": "rejected", "reason": "the contract ended last year; nothing is held"},
        headers=staff.auth("platform_staff"),
    )
    assert rejected.status_code == 200, rejected.text
    idle_jobs.start()
    await idle_jobs.drain()  # its message finds it rejected and does nothing
    detail = await wait_for_status(client, acme, third, {"rejected"})
    assert detail["instruction"]["status_reason"] == "the contract ended last year; nothing is held"
    assert detail["instruction"]["open_dsr_status"] == "cancelled"


async def test_instructions_are_immutable_in_the_database(
    client: httpx.AsyncClient, db: Database, owner: asyncpg.Pool, idle_jobs: Jobs, acme: Accounts
) -> None:
    created = await instruct(
        client, acme, kind="delete_subject", subject_user_id=str(acme.user_id("employee"))
    )
    instruction_id = UUID(created["instruction"]["id"])
    for change in (
        "kind = 'offboard_tenant', subject_user_id = null",
        "subject_user_id = gen_random_uuid()",
        "requested_by = gen_random_uuid()",
        "requested_by_role = 'platform_admin'",
        "received_at = received_at - interval '1 day'",
    ):
        async with owner.acquire() as conn:
            with pytest.raises(asyncpg.IntegrityConstraintViolationError, match="immutable"):
                async with conn.transaction():
                    await conn.execute(
                        "select set_config('app.tenant_id', $1, true)", str(acme.tenant_id)
                    )
                    await conn.execute(
                        f"update instructions set {change} where id = $1", instruction_id
                    )
    async with owner.acquire() as conn:
        with pytest.raises(asyncpg.IntegrityConstraintViolationError, match="never deleted"):
            async with conn.transaction():
                await conn.execute(
                    "select set_config('app.tenant_id', $1, true)", str(acme.tenant_id)
                )
                await conn.execute("delete from instructions where id = $1", instruction_id)
        # status and processing fields do change
        async with conn.transaction():
            await conn.execute("select set_config('app.tenant_id', $1, true)", str(acme.tenant_id))
            await conn.execute(
                "update instructions set status = 'paused' where id = $1", instruction_id
            )
