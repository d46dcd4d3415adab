"""A double click on "erase" never strands the work: one POST is taken, the other is a 409,
and the job of the first one runs to the end at once (not when the reconciler next looks).
Over HTTP, with the in-process worker consuming the jobs as they are sent."""

from __future__ import annotations

import asyncio

import httpx

from tests.accounts import PASSWORD, token_pair
from tests.fixtures.jobs import Jobs
from tests.jobs.smtp_server import SmtpServer
from tests.privacy.companies import admin_view, seed_company
from timeward.db.session import Database
from timeward.identity.service import add_member

ROUNDS = 8
CLICKS = 5  # rapid clicks: enough for the in-process worker to meet the race


async def _file_erasure(client: httpx.AsyncClient, db: Database, tenant_id: object, n: int) -> str:
    email = f"twin.{n}@acme.example"
    await add_member(db, tenant_id, email, PASSWORD, "employee")  # type: ignore[arg-type]
    token = (await token_pair(client, email, "acme")).json()["access_token"]
    filed = await client.post(
        "/api/v1/me/privacy-requests",
        json={"request_type": "erasure"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert filed.status_code == 201, filed.text
    return str(filed.json()["id"])


async def test_two_erasure_posts_at_once_start_one_job_that_finishes(
    client: httpx.AsyncClient, db: Database, jobs: Jobs, smtp_server: SmtpServer
) -> None:
    acme = await seed_company(db, client, "acme")
    stranded = []
    for n in range(ROUNDS):
        request_id = await _file_erasure(client, db, acme.tenant_id, n)
        await jobs.drain()
        path = f"/api/v1/privacy-requests/{request_id}/erasure"
        clicks = await asyncio.gather(
            *(client.post(path, json={}, headers=acme.admin) for _ in range(CLICKS))
        )
        assert sorted(c.status_code for c in clicks) == [202] + [409] * (CLICKS - 1), [
            c.text for c in clicks
        ]
        await jobs.drain()
        state = (await admin_view(client, acme, request_id))["fulfilment"]["state"]
        if state != "done":
            stranded.append((n, state))
    assert stranded == [], f"{len(stranded)} of {ROUNDS} double clicks stranded the erasure"
