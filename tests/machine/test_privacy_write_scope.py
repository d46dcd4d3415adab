"""``privacy-requests:write``: the controller's tool advances a request of the queue as a
client admin would (verify, extend, refuse, complete; export, erase, correct, flags);
without the scope it is refused (403), another tenant's request is 404, and each step is
audited with the client's id while the request names no member as its decider."""

from __future__ import annotations

import httpx

from tests.accountability.support import audit_events
from tests.fixtures.jobs import Jobs
from tests.machine.support import bearer, create_machine, machine_token
from tests.privacy.companies import file_request, seed_company
from timeward.db.session import Database

READ, WRITE = "privacy-requests:read", "privacy-requests:write"


async def test_a_client_with_the_write_scope_answers_an_access_request(
    client: httpx.AsyncClient, db: Database, jobs: Jobs
) -> None:
    acme = await seed_company(db, client, "acme")
    other = await seed_company(db, client, "other")
    filed = await file_request(client, acme, "access")
    elsewhere = await file_request(client, other, "access")
    path = f"/api/v1/privacy-requests/{filed['id']}"
    reader = bearer(
        await machine_token(client, await create_machine(client, acme.accounts, [READ]))
    )
    writer_machine = await create_machine(client, acme.accounts, [READ, WRITE])
    writer = bearer(await machine_token(client, writer_machine))

    assert (await client.post(f"{path}/export", headers=reader)).status_code == 403
    refused = await client.post(f"{path}/refusal", json={"reason": "x"}, headers=reader)
    assert refused.status_code == 403
    assert (await client.get(path, headers=acme.admin)).json()["status"] == "received"
    foreign = await client.post(
        f"/api/v1/privacy-requests/{elsewhere['id']}/export", headers=writer
    )
    assert foreign.status_code == 404

    started = await client.post(f"{path}/export", headers=writer)
    assert started.status_code == 202, started.text
    await jobs.drain()
    completed = await client.post(f"{path}/completion", json={"note": "Sent"}, headers=writer)
    assert completed.status_code == 200, completed.text
    assert completed.json()["status"] == "completed"
    assert (await client.get(f"{path}/export", headers=reader)).status_code == 200

    client_id = writer_machine.client_id
    for action in ("privacy_request.export_requested", "privacy_request.completed"):
        [event] = await audit_events(client, acme.admin, action)
        assert (event["actor_id"], event["actor_role"]) == (client_id, "api_client"), event
    # the other tenant's request did not move
    theirs = await client.get(f"/api/v1/privacy-requests/{elsewhere['id']}", headers=other.admin)
    assert theirs.json()["status"] == "received"
