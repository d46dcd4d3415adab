"""The client admin's instruction pages over HTTP against the real app, database, worker
and executor: a delete-subject instruction confirmed with its due date, carried out, and
its certificate read and verified on its page (a tampered one is "not valid"); returned
data downloaded; offboarding asks for the slug; roles, other tenants and bad input."""

from __future__ import annotations

import base64
import io
import json
import re
import zipfile
from datetime import date
from typing import Any
from uuid import UUID

import asyncpg
import httpx

from tests.accounts import Accounts
from tests.fixtures.jobs import Jobs
from tests.instructions.support import (
    DONE,
    fill_notifications,
    instruct,
    place_hold,
    wait_for_status,
)
from tests.web.admin.admin_session import signed_in_as
from tests.web.pages import csrf_token, submit
from tests.workforce.seed import seed_workforce
from timeward import clock
from timeward.db.session import Database
from timeward.deadlines import TenantCalendar, instruction_due


def shown(day: date) -> str:
    """How ``day()`` writes a date on an English page."""
    return day.strftime("%d %b %Y")


def instruction_id_of(response: httpx.Response) -> str:
    assert response.status_code == 303, response.text
    found = re.fullmatch(r"/admin/instructions/([0-9a-f-]{36})", response.headers["location"])
    assert found, response.headers["location"]
    return found.group(1)


async def tamper_certificate(
    owner: asyncpg.Pool, tenant_id: UUID, instruction_id: str, assignment: str
) -> None:
    """Change the stored certificate as the schema owner (the application role may not;
    forced row-level security has no update policy on this table, so the owner's
    exemption is restored for this one transaction)."""
    async with owner.acquire() as conn, conn.transaction():
        await conn.execute("alter table deletion_certificates no force row level security")
        changed = await conn.execute(
            f"update deletion_certificates set {assignment} "
            "where tenant_id = $1 and instruction_id = $2",
            tenant_id,
            UUID(instruction_id),
        )
        await conn.execute("alter table deletion_certificates force row level security")
    assert changed == "UPDATE 1"


def forged(token: str, change: dict[str, Any]) -> str:
    header, body, signature = token.split(".")
    payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    payload.update(change)
    encoded = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode()
    return f"{header}.{encoded}.{signature}"


async def test_delete_subject_confirmed_carried_out_and_its_certificate_verified(
    live_server: str,
    client: httpx.AsyncClient,
    db: Database,
    owner: asyncpg.Pool,
    jobs: Jobs,
    acme: Accounts,
) -> None:
    assert acme.tenant_id
    workforce = await seed_workforce(client, acme)
    subject = workforce.employees["employee"]
    await fill_notifications(db, acme.tenant_id, acme.user_id("employee"), 4)
    async with signed_in_as(live_server, acme) as browser:
        listing = await browser.get("/admin/instructions")
        assert listing.status_code == 200
        assert "You have not given any instruction." in listing.text
        assert f'value="{subject}"' in listing.text  # the person can be chosen

        confirm = await browser.get(
            "/admin/instructions/confirm",
            params={"kind": "delete_subject", "subject_id": str(subject)},
        )
        assert confirm.status_code == 200, confirm.text
        due = instruction_due(clock.now(), TenantCalendar("DE"))
        assert f'data-testid="due-date">{shown(due)}</time>' in confirm.text
        assert "Employee of acme (E003)" in confirm.text
        assert "30 working days after receipt" in confirm.text
        before = await client.get("/api/v1/instructions", headers=acme.auth("client_admin"))
        assert before.json()["items"] == []  # the confirmation wrote nothing

        given = await browser.post(
            "/admin/instructions",
            data={
                "_csrf_token": csrf_token(confirm.text),
                "kind": "delete_subject",
                "subject_id": str(subject),
            },
        )
        instruction_id = instruction_id_of(given)
        await jobs.drain()
        await wait_for_status(client, acme, instruction_id, DONE)

        detail = await browser.get(f"/admin/instructions/{instruction_id}")
        assert "The instruction was sent to the processor." in detail.text
        assert 'data-testid="instruction-status">completed<' in detail.text
        assert f">{shown(due)}</time>" in detail.text
        assert re.search(r"<td>notifications</td><td>4</td>", detail.text)
        assert f"/admin/instructions/{instruction_id}/certificate" in detail.text
        listing = await browser.get("/admin/instructions")
        assert 'data-testid="instruction-status">completed<' in listing.text

        api = await client.get(
            f"/api/v1/instructions/{instruction_id}/certificate",
            headers=acme.auth("client_admin"),
        )
        certificate = api.json()
        page = await browser.get(f"/admin/instructions/{instruction_id}/certificate")
        assert page.status_code == 200
        assert 'data-valid="yes"' in page.text and "Signature valid" in page.text
        assert certificate["payload"]["digest"] in page.text
        assert re.search(r'data-table="notifications"><td>notifications</td><td>4</td>', page.text)
        assert "Security and audit log" in page.text  # the basis of what was kept
        assert certificate["jws"] in page.text

        # the signed token altered: the signature no longer verifies
        token = forged(certificate["jws"], {"outcome": "completed", "tables": []})
        await tamper_certificate(owner, acme.tenant_id, instruction_id, f"jws = '{token}'")
        page = await browser.get(f"/admin/instructions/{instruction_id}/certificate")
        assert 'data-valid="no"' in page.text
        assert "Not valid: signature does not verify" in page.text

        # the genuine token, but the shown content altered
        await tamper_certificate(
            owner,
            acme.tenant_id,
            instruction_id,
            f"jws = '{certificate['jws']}', payload = payload || '{{\"outcome\": \"x\"}}'",
        )
        page = await browser.get(f"/admin/instructions/{instruction_id}/certificate")
        assert 'data-valid="no"' in page.text
        assert "the stored content differs from what was signed" in page.text
        assert certificate["payload"]["digest"] not in page.text  # untrusted: not shown

        # a stored payload stripped of its content still makes a page, not a 500
        await tamper_certificate(
            owner, acme.tenant_id, instruction_id, 'payload = \'{"id": "forged"}\''
        )
        page = await browser.get(f"/admin/instructions/{instruction_id}/certificate")
        assert page.status_code == 200 and 'data-valid="no"' in page.text


async def test_a_hold_the_client_may_be_told_of_is_named_on_the_certificate(
    live_server: str,
    client: httpx.AsyncClient,
    db: Database,
    jobs: Jobs,
    acme: Accounts,
    staff: Accounts,
) -> None:
    assert acme.tenant_id
    workforce = await seed_workforce(client, acme)
    await fill_notifications(db, acme.tenant_id, acme.user_id("employee"), 2)
    await place_hold(
        client,
        staff,
        acme.tenant_id,
        basis="Court order to preserve records",
        reference="LG Berlin 12 O 34/27",
        scope="subject",
        subject_user_id=str(acme.user_id("employee")),
        client_may_be_told=True,
    )
    async with signed_in_as(live_server, acme) as browser:
        given = await submit(
            browser,
            "/admin/instructions",
            "/admin/instructions",
            {"kind": "delete_subject", "subject_id": str(workforce.employees["employee"])},
        )
        instruction_id = instruction_id_of(given)
        await jobs.drain()
        await wait_for_status(client, acme, instruction_id, DONE)
        detail = await browser.get(f"/admin/instructions/{instruction_id}")
        assert 'data-testid="instruction-status">partially completed<' in detail.text
        page = await browser.get(f"/admin/instructions/{instruction_id}/certificate")
        assert 'data-valid="yes"' in page.text
        assert 'data-testid="outcome">partially completed<' in page.text
        [hold] = re.findall(r'data-testid="legal-hold">([^<]*)<', page.text)
        assert hold == "LG Berlin 12 O 34/27: Court order to preserve records"
        row = page.text.split('data-table="notifications">')[1].split("</tr>")[0]
        assert "<td>2</td>" in row and "(legal hold)" in row  # kept, and why


async def test_returned_data_is_downloaded_from_the_page(
    live_server: str, client: httpx.AsyncClient, db: Database, jobs: Jobs, acme: Accounts
) -> None:
    assert acme.tenant_id
    await fill_notifications(db, acme.tenant_id, acme.user_id("employee"), 2)
    async with signed_in_as(live_server, acme) as browser:
        confirm = await browser.get("/admin/instructions/confirm", params={"kind": "return_data"})
        assert "Nothing is deleted." in confirm.text
        given = await browser.post(
            "/admin/instructions",
            data={"_csrf_token": csrf_token(confirm.text), "kind": "return_data"},
        )
        instruction_id = instruction_id_of(given)
        await jobs.drain()
        await wait_for_status(client, acme, instruction_id, DONE)
        detail = await browser.get(f"/admin/instructions/{instruction_id}")
        assert f"/admin/instructions/{instruction_id}/export" in detail.text
        download = await browser.get(f"/admin/instructions/{instruction_id}/export")
        assert download.status_code == 200
        assert download.headers["content-type"] == "application/zip"
        archive = zipfile.ZipFile(io.BytesIO(download.content))
        assert len(json.loads(archive.read("notifications.json"))) == 2
    events = await client.get(
        "/api/v1/audit-events",
        params={"action": "export.downloaded"},
        headers=acme.auth("client_admin"),
    )
    [event] = events.json()["items"]
    assert event["actor_id"] == str(acme.user_id("client_admin"))


async def test_offboarding_asks_for_the_slug_and_can_be_withdrawn(
    live_server: str, client: httpx.AsyncClient, idle_jobs: Jobs, acme: Accounts
) -> None:
    async with signed_in_as(live_server, acme) as browser:
        confirm = await browser.get(
            "/admin/instructions/confirm", params={"kind": "offboard_tenant"}
        )
        assert confirm.status_code == 200
        assert "a grace period of 7 days" in confirm.text
        assert 'data-testid="deletion-starts"' in confirm.text
        assert "short name, acme, to confirm" in confirm.text
        token = csrf_token(confirm.text)
        wrong = await browser.post(
            "/admin/instructions",
            data={"_csrf_token": token, "kind": "offboard_tenant", "confirm_slug": "acme-x"},
        )
        assert wrong.status_code == 422 and "confirm_slug" in wrong.text
        listed = await client.get("/api/v1/instructions", headers=acme.auth("client_admin"))
        assert listed.json()["items"] == []

        given = await browser.post(
            "/admin/instructions",
            data={"_csrf_token": token, "kind": "offboard_tenant", "confirm_slug": "acme"},
        )
        instruction_id = instruction_id_of(given)
        detail = await browser.get(f"/admin/instructions/{instruction_id}")
        assert "Withdraw the instruction" in detail.text
        short = await submit(
            browser,
            f"/admin/instructions/{instruction_id}",
            f"/admin/instructions/{instruction_id}/cancel",
            {"reason": "x"},
        )
        assert short.status_code == 400 and "Invalid reason" in short.text
        withdrawn = await submit(
            browser,
            f"/admin/instructions/{instruction_id}",
            f"/admin/instructions/{instruction_id}/cancel",
            {"reason": "We stay after all"},
        )
        assert withdrawn.status_code == 303
        detail = await browser.get(f"/admin/instructions/{instruction_id}")
        assert 'data-testid="instruction-status">withdrawn<' in detail.text
        assert "We stay after all" in detail.text
        assert "Withdraw the instruction" not in detail.text  # no longer offered
    api = await client.get(
        f"/api/v1/instructions/{instruction_id}", headers=acme.auth("client_admin")
    )
    assert api.json()["instruction"]["status"] == "canceled"


async def test_roles_other_tenants_and_bad_input(
    live_server: str, client: httpx.AsyncClient, idle_jobs: Jobs, acme: Accounts, bravo: Accounts
) -> None:
    created = await instruct(client, acme, kind="return_data")
    acme_id = created["instruction"]["id"]
    async with signed_in_as(live_server, acme, "client_manager") as manager:
        for path in ("/admin/instructions", f"/admin/instructions/{acme_id}"):
            refused = await manager.get(path)
            assert refused.status_code == 403 and "Not allowed" in refused.text
            assert refused.headers["content-type"].startswith("text/html")
        home = await manager.get("/home")
        assert 'href="/admin/instructions"' not in home.text  # not offered in the navigation
    async with signed_in_as(live_server, bravo) as other:
        home = await other.get("/home")
        assert 'href="/admin/instructions"' in home.text
        for path in ("", "/certificate", "/export"):
            missing = await other.get(f"/admin/instructions/{acme_id}{path}")
            assert missing.status_code == 404, path
            assert missing.headers["content-type"].startswith("text/html")
        cancel = await submit(
            other, "/admin/instructions", f"/admin/instructions/{acme_id}/cancel", {"reason": "no"}
        )
        assert cancel.status_code in (404, 400)
        cancel = await submit(
            other,
            "/admin/instructions",
            f"/admin/instructions/{acme_id}/cancel",
            {"reason": "not mine"},
        )
        assert cancel.status_code == 404
        unknown_kind = await other.get("/admin/instructions/confirm", params={"kind": "explode"})
        assert unknown_kind.status_code == 400 and "Invalid kind" in unknown_kind.text
        no_subject = await other.get(
            "/admin/instructions/confirm", params={"kind": "delete_subject"}
        )
        assert no_subject.status_code == 422 and "names a subject" in no_subject.text
        foreign = await other.get(
            "/admin/instructions/confirm",
            params={"kind": "delete_subject", "subject_id": str(acme.user_id("employee"))},
        )
        assert foreign.status_code == 422 and "subject_id" in foreign.text
        not_a_uuid = await other.get(
            "/admin/instructions/confirm", params={"kind": "delete_subject", "subject_id": "7"}
        )
        assert not_a_uuid.status_code == 400 and "subject_id" in not_a_uuid.text
        no_token = await other.post("/admin/instructions", data={"kind": "return_data"})
        assert no_token.status_code == 403
    listed = await client.get("/api/v1/instructions", headers=bravo.auth("client_admin"))
    assert listed.json()["items"] == []
