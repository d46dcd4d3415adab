"""OpenDSR: a controller's privacy tool (the client in tests/machine/opendsr_client.py,
written from the specification) erases one employee by e-mail and one by employee
number, follows both to completed, receives and verifies the signed callbacks, and the
subjects' data is gone (the scan of tests/privacy/test_delete_subject.py); identities of
nobody in the tenant are a completed request with zero results; a duplicate
subject_request_id returns the first request; malformed bodies are 400/422."""

from __future__ import annotations

import base64
import json

import asyncpg
import httpx
import pytest

from tests.accountability.support import audit_events
from tests.accounts import Accounts
from tests.fixtures.jobs import Jobs
from tests.machine.opendsr_client import OpenDsrClient, erasure, verify_detached
from tests.machine.receiver import running_receiver
from tests.machine.support import create_machine, machine_token
from tests.privacy.companies import assert_others_untouched, seed_company, working_life
from tests.privacy.scan import scan_everything
from timeward.db.bootstrap import DatabaseUrls
from timeward.db.session import Database

INSTRUCTIONS = ["instructions:read", "instructions:write"]


async def tool_for(client: httpx.AsyncClient, accounts: Accounts) -> OpenDsrClient:
    machine = await create_machine(client, accounts, INSTRUCTIONS)
    return OpenDsrClient(client, await machine_token(client, machine))


async def test_erasures_by_email_and_by_employee_number_complete_with_signed_callbacks(
    client: httpx.AsyncClient,
    db: Database,
    owner: asyncpg.Pool,
    database_urls: DatabaseUrls,
    jobs: Jobs,
) -> None:
    acme = await seed_company(db, client, "acme")
    bystander = await seed_company(db, client, "bystander")
    await working_life(client, acme)
    by_mail, by_number = acme.people["employee"], acme.people["client_manager"]
    tool = await tool_for(client, acme.accounts)
    discovery = await tool.discovery()
    assert discovery["supported_subject_request_types"] == ["erasure", "access", "portability"]
    assert {i["identity_type"] for i in discovery["supported_identities"]} == {
        "email",
        "controller_customer_id",
    }
    keys = discovery["processor_keys"]
    tenants = [acme.tenant_id, bystander.tenant_id]
    before = await scan_everything(owner, database_urls, tenants, by_mail.values())
    assert before

    with running_receiver() as receiver:
        first = await tool.send(
            erasure("dsr-1", [("email", by_mail.email.upper())], [receiver.url("/cb")])
        )
        assert first.status_code == 201, first.text
        sent = first.json()
        assert sent["request_status"] == "pending"
        assert sent["controller_id"] == str(acme.tenant_id)
        assert sent["expected_completion_time"] is not None
        verify_detached(sent["processor_signature"], sent["encoded_request"].encode(), keys)
        decoded = json.loads(base64.b64decode(sent["encoded_request"]))
        assert decoded["subject_request_id"] == "dsr-1"
        assert by_mail.email.lower() not in json.dumps(decoded).lower()  # a digest only

        again = await tool.send(erasure("dsr-1", [("email", "someone-else@example.org")]))
        assert again.status_code == 200
        assert again.json()["instruction_id"] == sent["instruction_id"]
        assert again.json()["received_time"] == sent["received_time"]

        second = await tool.send(
            erasure("dsr-2", [("controller_customer_id", by_number.number)], [receiver.url()])
        )
        assert second.status_code == 201, second.text

        await jobs.drain(60)
        for request_id in ("dsr-1", "dsr-2"):
            done = await tool.follow(request_id, "completed")
            assert done["subject_request_id"] == request_id
        callbacks = receiver.wait_for(4)

    for message in callbacks:
        verify_detached(message.headers["x-opendsr-signature"], message.body, keys)
        assert message.headers["x-opendsr-processor-domain"] == "127.0.0.1"
    told = [json.loads(m.body) for m in callbacks]
    first_told = [t["request_status"] for t in told if t["subject_request_id"] == "dsr-1"]
    assert first_told == ["in_progress", "completed"]
    assert {t["status_callback_url"] for t in told} == {receiver.url("/cb"), receiver.url()}

    for person in (by_mail, by_number):
        assert await scan_everything(owner, database_urls, tenants, person.values()) == []
    # the admin (not a subject) and another tenant's employee are untouched; the chain holds
    await assert_others_untouched(client, acme, bystander, colleague="client_admin")
    received = await audit_events(client, acme.admin, "opendsr.request_received")
    assert len(received) == 2


async def test_identities_of_nobody_here_complete_with_zero_results_and_are_recorded(
    client: httpx.AsyncClient, db: Database, idle_jobs: Jobs
) -> None:
    acme = await seed_company(db, client, "acme")
    other = await seed_company(db, client, "other")
    tool = await tool_for(client, acme.accounts)
    for n, identities in enumerate(
        (
            [("email", "nobody@example.org")],
            [("email", other.people["employee"].email)],  # another tenant's employee
            [("controller_customer_id", other.people["employee"].number)],
        )
    ):
        response = await tool.send(erasure(f"none-{n}", identities))
        assert response.status_code == 201, response.text
        body = response.json()
        assert (body["request_status"], body["results_count"]) == ("completed", 0)
        assert body["instruction_id"] is None
        assert (await tool.status(f"none-{n}")).json()["request_status"] == "completed"
    recorded = await audit_events(client, acme.admin, "opendsr.request_received")
    assert [e["details"]["matched"] for e in recorded] == [False, False, False]
    listed = await client.get("/api/v1/instructions", headers=acme.admin)
    assert listed.json()["items"] == []


async def test_a_pending_request_can_be_cancelled_and_other_tenants_get_404(
    client: httpx.AsyncClient, db: Database, idle_jobs: Jobs
) -> None:
    acme = await seed_company(db, client, "acme")
    other = await seed_company(db, client, "other")
    tool = await tool_for(client, acme.accounts)
    stranger = await tool_for(client, other.accounts)
    person = acme.people["employee"]
    created = await tool.send(erasure("dsr-9", [("email", person.email)]))
    assert created.status_code == 201, created.text

    assert (await stranger.status("dsr-9")).status_code == 404
    assert (await stranger.cancel("dsr-9")).status_code == 404

    cancelled = await tool.cancel("dsr-9")
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["request_status"] == "cancelled"
    assert (await tool.status("dsr-9")).json()["request_status"] == "cancelled"
    instruction = await client.get(
        f"/api/v1/instructions/{created.json()['instruction_id']}", headers=acme.admin
    )
    assert instruction.json()["instruction"]["status"] == "canceled"
    assert (await tool.cancel("dsr-9")).status_code == 409
    assert (await tool.status("never-sent")).status_code == 404

    reader = await create_machine(client, acme.accounts, ["instructions:read"])
    read_only = OpenDsrClient(client, await machine_token(client, reader))
    assert (await read_only.send(erasure("dsr-10", [("email", person.email)]))).status_code == 403
    assert (await read_only.status("dsr-9")).status_code == 200


@pytest.mark.parametrize(
    "change",
    [
        {"subject_request_type": "rectification"},
        {"subject_identities": []},
        {"subject_identities": [{"identity_type": "phone", "identity_value": "1"}]},
        {"subject_identities": [{"identity_type": "email"}]},
        {"submitted_time": "2026-12-01T10:00:00"},  # no offset
        {"submitted_time": "yesterday"},
        {"regulation": ""},
        {"subject_request_id": "a/b"},
        {"status_callback_urls": ["ftp://example.org/x"]},
        {"status_callback_urls": "http://127.0.0.1/x"},
        {"api_version": "0.1"},
    ],
)
async def test_malformed_requests_are_400_or_422(
    client: httpx.AsyncClient, acme: Accounts, change: dict[str, object]
) -> None:
    tool = await tool_for(client, acme)
    body = {**erasure("bad-1", [("email", "x@example.org")]), **change}
    response = await tool.send(body)
    assert response.status_code in (400, 422), response.text
    assert (await tool.status("bad-1")).status_code == 404


async def test_bodies_that_are_not_json_objects_are_400(
    client: httpx.AsyncClient, acme: Accounts
) -> None:
    machine = await create_machine(client, acme, INSTRUCTIONS)
    headers = {"Authorization": f"Bearer {await machine_token(client, machine)}"}
    for content in (b"", b"not json", b"[]", b'{"subject_request_id": 5}'):
        response = await client.post(
            "/opendsr/v1/requests",
            content=content,
            headers={**headers, "content-type": "application/json"},
        )
        assert response.status_code == 400, (content, response.text)
