"""Machine clients: a client admin creates one over the API, the client gets an Ed25519
access token at /oauth/token (client_secret_basic and client_secret_post) and can do
exactly what its scopes allow, in its own tenant; revoked, rotated or expired, it is
refused at once; every action is audited with the client's id."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import httpx

from tests.accountability.support import audit_events
from tests.accounts import Accounts
from tests.fixtures.clock import FixedClock
from tests.fixtures.jobs import Jobs
from tests.jobs.smtp_server import SmtpServer, body, recipients
from tests.machine.support import bearer, create_machine, machine_token
from timeward.jobs.registry import declared_actor
from timeward.observability.redaction import REDACTED, redact_text

INSTRUCTIONS = ["instructions:read", "instructions:write"]


def claims(token: str) -> dict[str, object]:
    payload = token.split(".")[1]
    decoded: dict[str, object] = json.loads(base64.urlsafe_b64decode(payload + "=" * 4))
    return decoded


async def test_a_client_gets_a_token_both_ways_and_acts_within_its_scopes(
    client: httpx.AsyncClient, acme: Accounts, bravo: Accounts
) -> None:
    machine = await create_machine(client, acme, INSTRUCTIONS)
    assert machine.secret.startswith("tws_")
    assert machine.created["token_endpoint"].endswith("/oauth/token")

    listed = await client.get("/api/v1/api-clients", headers=acme.auth("client_admin"))
    [entry] = listed.json()["items"]
    assert entry["name"] == "Privacy tool" and entry["status"] == "active"
    assert machine.secret not in listed.text  # shown once, at creation

    by_post = await client.post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": machine.client_id,
            "client_secret": machine.secret,
        },
    )
    assert by_post.status_code == 200, by_post.text
    assert by_post.headers["cache-control"] == "no-store"
    token = await machine_token(client, machine)
    for issued in (token, by_post.json()["access_token"]):
        got = claims(issued)
        assert got["sub"] == machine.client_id == got["client_id"]
        assert got["tid"] == str(acme.tenant_id)
        assert got["scope"] == "instructions:read instructions:write"
    header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    assert header["alg"] == "Ed25519"  # the same signing as the users' tokens
    jwks = (await client.get("/.well-known/jwks.json")).json()
    assert header["kid"] in {key["kid"] for key in jwks["keys"]}

    created = await client.post(
        "/api/v1/instructions", json={"kind": "return_data"}, headers=bearer(token)
    )
    assert created.status_code == 201, created.text
    instruction = created.json()["instruction"]
    assert instruction["requested_by"] == machine.client_id
    assert instruction["requested_by_role"] == "api_client"
    listed_by_machine = await client.get("/api/v1/instructions", headers=bearer(token))
    assert [i["id"] for i in listed_by_machine.json()["items"]] == [instruction["id"]]

    for path in (
        "/api/v1/privacy-requests",
        "/api/v1/employees",
        "/api/v1/users",
        "/api/v1/api-clients",
        "/api/v1/audit-events",
        "/api/v1/platform/tenants",
        "/api/v1/platform/instructions",
    ):
        refused = await client.get(path, headers=bearer(token))
        assert refused.status_code == 403, (path, refused.text)

    theirs = await client.post(
        "/api/v1/instructions", json={"kind": "return_data"}, headers=bravo.auth("client_admin")
    )
    other_id = theirs.json()["instruction"]["id"]
    missing = await client.get(f"/api/v1/instructions/{other_id}", headers=bearer(token))
    assert missing.status_code == 404
    cancel = await client.post(
        f"/api/v1/instructions/{other_id}/cancel",
        json={"reason": "sent by mistake"},
        headers=bearer(token),
    )
    assert cancel.status_code == 404

    admin = acme.auth("client_admin")
    [given] = await audit_events(client, admin, "instruction.received")
    assert given["actor_id"] == machine.client_id and given["actor_role"] == "api_client"
    issued_events = await audit_events(client, admin, "api_client.token_issued")
    assert len(issued_events) == 2
    assert {e["actor_id"] for e in issued_events} == {machine.client_id}


async def test_a_narrower_scope_can_be_asked_and_a_scope_not_held_is_refused(
    client: httpx.AsyncClient, acme: Accounts
) -> None:
    machine = await create_machine(client, acme, INSTRUCTIONS)
    read_only = await machine_token(client, machine, scope="instructions:read")
    assert claims(read_only)["scope"] == "instructions:read"
    assert (await client.get("/api/v1/instructions", headers=bearer(read_only))).status_code == 200
    write = await client.post(
        "/api/v1/instructions", json={"kind": "return_data"}, headers=bearer(read_only)
    )
    assert write.status_code == 403

    more = await client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "scope": "privacy-requests:read"},
        auth=machine.basic(),
    )
    assert more.status_code == 400 and more.json()["error"] == "invalid_scope"


async def test_bad_credentials_and_bad_requests_are_oauth_errors(
    client: httpx.AsyncClient, acme: Accounts
) -> None:
    machine = await create_machine(client, acme, ["instructions:read"])
    wrong = await client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(machine.client_id, "tws_wrong"),
    )
    assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_client"
    [refused] = await audit_events(client, acme.auth("client_admin"), "api_client.token_refused")
    assert refused["subject_id"] == machine.client_id
    assert "tws_" not in json.dumps(refused)

    unknown = await client.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, auth=("nobody", "tws_x")
    )
    assert unknown.status_code == 401 and unknown.json()["error"] == "invalid_client"
    no_grant = await client.post("/oauth/token", data={}, auth=machine.basic())
    assert no_grant.status_code == 400 and no_grant.json()["error"] == "unsupported_grant_type"
    password_grant = await client.post(
        "/oauth/token", data={"grant_type": "password"}, auth=machine.basic()
    )
    assert password_grant.status_code == 400
    as_json = await client.post(
        "/oauth/token", json={"grant_type": "client_credentials"}, auth=machine.basic()
    )
    assert as_json.status_code == 400

    for bad in (
        {"name": "x", "scopes": ["everything"]},
        {"name": "x", "scopes": []},
        {"name": "x", "scopes": ["instructions:read"], "expires_at": "2020-01-01T00:00:00Z"},
        {"name": "", "scopes": ["instructions:read"]},
        {"scopes": ["instructions:read"]},
    ):
        response = await client.post(
            "/api/v1/api-clients", json=bad, headers=acme.auth("client_admin")
        )
        assert response.status_code in (400, 422), (bad, response.text)


async def test_token_requests_are_throttled_like_logins(
    client: httpx.AsyncClient, acme: Accounts
) -> None:
    machine = await create_machine(client, acme, ["instructions:read"])
    statuses = []
    for _ in range(7):
        response = await client.post(
            "/oauth/token",
            data={"grant_type": "client_credentials"},
            auth=(machine.client_id, "tws_guess"),
        )
        statuses.append(response.status_code)
    assert statuses[:5] == [401] * 5
    assert statuses[-1] == 429
    assert int(response.headers["retry-after"]) > 0
    # even the right secret waits now, from this address
    right = await client.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, auth=machine.basic()
    )
    assert right.status_code == 429


async def test_revoked_rotated_and_expired_clients_are_refused_at_once(
    client: httpx.AsyncClient, acme: Accounts, bravo: Accounts, fixed_clock: FixedClock
) -> None:
    admin = acme.auth("client_admin")
    machine = await create_machine(client, acme, INSTRUCTIONS)
    token = await machine_token(client, machine)

    # another tenant's admin cannot touch it
    other = await client.delete(
        f"/api/v1/api-clients/{machine.client_id}", headers=bravo.auth("client_admin")
    )
    assert other.status_code == 404
    assert (await client.get("/api/v1/instructions", headers=bearer(token))).status_code == 200

    rotated = await client.post(f"/api/v1/api-clients/{machine.client_id}/rotate", headers=admin)
    assert rotated.status_code == 200, rotated.text
    new_secret = rotated.json()["client_secret"]
    assert new_secret != machine.secret
    assert (await client.get("/api/v1/instructions", headers=bearer(token))).status_code == 401
    old = await client.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, auth=machine.basic()
    )
    assert old.status_code == 401
    fresh = await client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(machine.client_id, new_secret),
    )
    token = fresh.json()["access_token"]
    assert (await client.get("/api/v1/instructions", headers=bearer(token))).status_code == 200

    revoked = await client.delete(f"/api/v1/api-clients/{machine.client_id}", headers=admin)
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    after = await client.get("/api/v1/instructions", headers=bearer(token))
    assert after.status_code == 401
    again = await client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(machine.client_id, new_secret),
    )
    assert again.status_code == 401
    twice = await client.delete(f"/api/v1/api-clients/{machine.client_id}", headers=admin)
    assert twice.status_code == 409

    expires = fixed_clock.current + timedelta(hours=2)
    short = await create_machine(client, acme, INSTRUCTIONS, expires_at=expires.isoformat())
    short_token = await machine_token(client, short)
    assert (
        await client.get("/api/v1/instructions", headers=bearer(short_token))
    ).status_code == 200
    fixed_clock.set(expires + timedelta(seconds=1))
    expired = await client.get("/api/v1/instructions", headers=bearer(short_token))
    assert expired.status_code == 401
    refused = await client.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, auth=short.basic()
    )
    assert refused.status_code == 401
    listed = await client.get("/api/v1/api-clients", headers=admin)
    statuses = {c["client_id"]: c["status"] for c in listed.json()["items"]}
    assert statuses == {machine.client_id: "revoked", short.client_id: "expired"}
    actions = [e["action"] for e in await audit_events(client, admin, "api_client.revoked")]
    assert actions == ["api_client.revoked"]


async def test_admins_are_warned_by_mail_a_week_before_a_client_expires(
    client: httpx.AsyncClient,
    acme: Accounts,
    jobs: Jobs,
    smtp_server: SmtpServer,
    fixed_clock: FixedClock,
) -> None:
    now = datetime.now(UTC)
    soon = await create_machine(
        client, acme, ["instructions:read"], expires_at=(now + timedelta(days=5)).isoformat()
    )
    await create_machine(
        client, acme, ["instructions:read"], expires_at=(now + timedelta(days=30)).isoformat()
    )
    await create_machine(client, acme, ["instructions:read"])  # never expires

    declared_actor("warn_expiring_clients").send()
    await jobs.drain()
    declared_actor("warn_expiring_clients").send()  # a second run warns nobody again
    await jobs.drain()

    assert recipients(smtp_server.received) == [acme.email("client_admin")]
    text = body(smtp_server.received[0])
    assert soon.client_id in text and "expires" in text
    assert soon.secret not in text


def test_client_and_webhook_secrets_never_reach_a_log_line() -> None:
    text = "secret tws_Zm9vYmFyYmF6cXV4cXV1eGZvb2Jh and whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    assert redact_text(text) == f"secret {REDACTED} and {REDACTED}"


async def test_a_machine_reading_personal_data_leaves_a_record_with_its_id(
    client: httpx.AsyncClient, acme: Accounts
) -> None:
    machine = await create_machine(client, acme, ["privacy-requests:read"])
    token = await machine_token(client, machine)
    queue = await client.get("/api/v1/privacy-requests", headers=bearer(token))
    assert queue.status_code == 200, queue.text
    reads = await audit_events(client, acme.auth("client_admin"), "personal_data.read")
    assert [(e["actor_id"], e["actor_role"]) for e in reads] == [(machine.client_id, "api_client")]
