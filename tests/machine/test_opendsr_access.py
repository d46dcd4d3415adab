"""OpenDSR access and portability: the controller's tool (tests/machine/opendsr_client.py)
asks for one employee's data by e-mail and another's by employee number, follows both to
completed, receives and verifies the signed callbacks, and downloads each export from
its results_url: the subject's data, nothing of anybody else's. The export is the
console's (a privacy request in the queue, answered); the link dies with the export."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx

from tests.accountability.support import audit_events
from tests.fixtures.clock import FixedClock
from tests.fixtures.jobs import Jobs
from tests.machine.opendsr_client import OpenDsrClient, erasure, verify_detached
from tests.machine.receiver import running_receiver
from tests.machine.test_opendsr import tool_for
from tests.privacy.companies import Company, seed_company, working_life
from timeward.db.session import Database


def _path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


async def _document(client: httpx.AsyncClient, url: str) -> tuple[str, dict[str, Any]]:
    """The export behind a results_url, fetched without any token: (all text, export.json)."""
    response = await client.get(_path(url))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/zip")
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        text = "".join(archive.read(n).decode() for n in archive.namelist())
        document: dict[str, Any] = json.loads(archive.read("export.json"))
    return text, document


async def _answered(
    tool: OpenDsrClient, company: Company, subject_request_id: str, role: str
) -> dict[str, Any]:
    done: dict[str, Any] = await tool.follow(subject_request_id, "completed")
    assert done["results_url"] and done["results_count"] > 0
    assert done["instruction_id"] is None and done["privacy_request_id"]
    return done


async def test_access_by_email_and_portability_by_number_deliver_each_subjects_export(
    client: httpx.AsyncClient, db: Database, jobs: Jobs, fixed_clock: FixedClock
) -> None:
    acme = await seed_company(db, client, "acme")
    other = await seed_company(db, client, "other")
    await working_life(client, acme)
    await working_life(client, other)
    by_mail, by_number = acme.people["employee"], acme.people["client_manager"]
    tool = await tool_for(client, acme.accounts)
    keys = (await tool.discovery())["processor_keys"]

    with running_receiver() as receiver:
        sent = await tool.send(
            erasure("acc-1", [("email", by_mail.email.upper())], [receiver.url("/cb")], "access")
        )
        assert sent.status_code == 201, sent.text
        first = sent.json()
        assert first["subject_request_type"] == "access"
        assert first["request_status"] == "in_progress"  # the export job is queued
        assert first["results_url"] is None and first["expected_completion_time"]
        verify_detached(first["processor_signature"], first["encoded_request"].encode(), keys)
        second = await tool.send(
            erasure(
                "port-1",
                [("controller_customer_id", by_number.number)],
                [receiver.url()],
                "portability",
            )
        )
        assert second.status_code == 201, second.text
        await jobs.drain(60)
        access = await _answered(tool, acme, "acc-1", "employee")
        portability = await _answered(tool, acme, "port-1", "client_manager")
        callbacks = receiver.wait_for(4)

    told = []
    for message in callbacks:
        verify_detached(message.headers["x-opendsr-signature"], message.body, keys)
        told.append(json.loads(message.body))
    for request_id in ("acc-1", "port-1"):
        statuses = [t["request_status"] for t in told if t["subject_request_id"] == request_id]
        assert statuses == ["in_progress", "completed"], told

    everyone = [*acme.people.values(), *other.people.values()]
    for done, person in ((access, by_mail), (portability, by_number)):
        text, document = await _document(client, done["results_url"])
        [employee] = document["tables"]["employees"]["rows"]
        assert (employee["name"], employee["employee_number"]) == (person.name, person.number)
        assert person.email in text and person.address in text
        for stranger in everyone:
            if stranger != person:
                assert stranger.name not in text and stranger.address not in text, stranger
        assert sum(len(t["rows"]) for t in document["tables"].values()) == done["results_count"]

    # The console's own request, answered: the admins see it in their queue.
    queue = await client.get(
        f"/api/v1/privacy-requests/{access['privacy_request_id']}", headers=acme.admin
    )
    assert queue.status_code == 200, queue.text
    assert (queue.json()["status"], queue.json()["channel"]) == ("completed", "opendsr")

    # Another tenant in the link, or another token: not found; the audit names the downloads.
    url = access["results_url"]
    assert (
        await client.get(_path(url.replace(str(acme.tenant_id), str(other.tenant_id))))
    ).status_code == 404
    assert (
        await client.get(_path(url.split("token=")[0] + "token=" + "0" * 64))
    ).status_code == 404
    downloads = await audit_events(client, acme.admin, "opendsr.results_downloaded")
    assert len(downloads) == 2

    fixed_clock.set(fixed_clock.now() + timedelta(days=7, seconds=1))
    expired = await client.get(_path(url))
    assert expired.status_code == 410, expired.text


async def test_access_about_nobody_here_completes_with_zero_results(
    client: httpx.AsyncClient, db: Database, jobs: Jobs
) -> None:
    acme = await seed_company(db, client, "acme")
    other = await seed_company(db, client, "other")
    tool = await tool_for(client, acme.accounts)
    body = erasure("acc-none", [("email", other.people["employee"].email)], None, "access")
    response = await tool.send(body)
    assert response.status_code == 201, response.text
    done = response.json()
    assert (done["request_status"], done["results_count"], done["results_url"]) == (
        "completed",
        0,
        None,
    )
    assert done["privacy_request_id"] is None
    recorded = await audit_events(client, acme.admin, "opendsr.request_received")
    assert [(e["details"]["matched"], e["details"]["type"]) for e in recorded] == [
        (False, "access")
    ]
    queue = await client.get("/api/v1/privacy-requests", headers=acme.admin)
    assert queue.json()["items"] == []
