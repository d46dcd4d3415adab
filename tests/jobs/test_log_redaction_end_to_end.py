"""Real requests and jobs that handle personal data leave none of it in the log output."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest

from tests.accounts import PASSWORD, log_in_all, seed_platform, seed_tenant, token_pair
from tests.fixtures.jobs import Jobs, queue_one
from tests.jobs.smtp_server import SmtpServer
from timeward.db.session import Database
from timeward.observability.logging import configure_logging

NEW_EMAIL = "grace.hopper@acme.example"
NEW_PASSWORD = "a secret long password"
MAIL_TO = "ada.lovelace@example.test"


@pytest.fixture
def json_logs() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    configure_logging(json=True, stream=stream)
    yield stream
    configure_logging(json=False)


def _lines(captured: str) -> list[dict[str, Any]]:
    parsed = []
    for line in captured.splitlines():
        if line.startswith("{"):
            parsed.append(json.loads(line))
    return parsed


async def test_requests_and_jobs_log_no_personal_data(
    client: httpx.AsyncClient,
    db: Database,
    jobs: Jobs,
    tenant: UUID,
    json_logs: io.StringIO,
    smtp_server: SmtpServer,
) -> None:
    acme = await log_in_all(client, await seed_tenant(db, "acme"))
    refresh = (await token_pair(client, acme.email("employee"), "acme")).json()["refresh_token"]
    await client.post("/api/v1/auth/refresh", json={"refresh_token": refresh})
    await token_pair(client, acme.email("employee"), "acme", "a wrong password")
    await client.get("/api/v1/users", headers=acme.auth("client_admin"))
    await queue_one(db, tenant, to=MAIL_TO)
    await jobs.drain()
    await client.post(
        "/api/v1/users",
        json={"email": NEW_EMAIL, "role": "employee"},
        headers=acme.auth("client_admin"),
    )
    await jobs.drain()
    [invitation] = [m for m in smtp_server.received if m["To"] == NEW_EMAIL]
    body = invitation.get_payload(decode=True)
    assert isinstance(body, bytes)
    found = re.search(r"/invitations/([\w-]+)", body.decode())
    assert found is not None
    link = found.group(1)
    accepted = await client.post(
        f"/api/v1/invitations/{link}/accept", json={"password": NEW_PASSWORD}
    )
    assert accepted.status_code == 200

    output = json_logs.getvalue()
    secrets = [NEW_EMAIL, NEW_PASSWORD, PASSWORD, MAIL_TO, refresh, "Hello Ada", link]
    secrets += [acme.email(role) for role in acme.users] + list(acme.tokens.values())
    assert [s for s in secrets if s in output] == []

    lines = _lines(output)
    requests = [line for line in lines if line.get("event") == "http.request"]
    assert len(requests) >= 8
    assert all(line.get("request_id") and line.get("route") for line in requests)
    listing = [line for line in requests if line["route"] == "/api/v1/users"]
    assert listing and all(
        line["tenant_id"] == str(acme.tenant_id) and line["actor_id"] for line in listing
    )
    sent = [line for line in lines if line.get("event") == "email.sent"]
    assert sent and sent[0]["tenant_id"] == str(tenant) and sent[0]["message_id"]


async def test_the_request_log_records_the_status_a_middleware_answered(
    client: httpx.AsyncClient, db: Database, json_logs: io.StringIO
) -> None:
    """Staff naming a tenant without a grant get a 404 (and no token a 401): log that, not 500."""
    staff = await log_in_all(client, await seed_platform(db))
    without_grant = await client.get(
        "/api/v1/users",
        headers={**staff.auth("platform_staff"), "X-Support-Tenant": str(uuid4())},
    )
    no_token = await client.get("/api/v1/users")
    assert (without_grant.status_code, no_token.status_code) == (404, 401)

    logged = [
        line["status"]
        for line in _lines(json_logs.getvalue())
        if line.get("event") == "http.request" and line.get("route") == "/api/v1/users"
    ]
    assert logged == [404, 401]
