"""Webhooks: a client admin (or a machine client with webhooks:manage) registers an
endpoint; events of the domain services reach a receiver on loopback, signed per
Standard Webhooks (verified here from the specification and with the standardwebhooks
package), at least once and in order, retried, then the endpoint is disabled and the
admins told; the delivery log and manual redelivery; the SSRF guard."""

from __future__ import annotations

import ipaddress
import json
from typing import Any

import httpx
import pytest
from standardwebhooks.webhooks import Webhook

from tests.accountability.support import audit_events
from tests.accounts import Accounts
from tests.fixtures.jobs import Jobs
from tests.jobs.smtp_server import SmtpServer, body, recipients
from tests.machine.receiver import InvalidSignature, Received, running_receiver, verify
from tests.machine.support import bearer, create_machine, machine_token
from timeward.webhooks.addresses import is_public

STATUS_EVENTS = ["instruction.status_changed"]


async def register(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    url: str,
    events: list[str],
    **extra: Any,
) -> httpx.Response:
    body = {"url": url, "events": events, "allow_private_network": True, **extra}
    return await client.post("/api/v1/webhooks", json=body, headers=headers)


def payloads(received: list[Received]) -> list[dict[str, Any]]:
    return [json.loads(r.body) for r in received]


async def test_instruction_events_arrive_signed_in_order_without_personal_data(
    client: httpx.AsyncClient, acme: Accounts, jobs: Jobs
) -> None:
    admin = acme.auth("client_admin")
    with running_receiver() as receiver:
        events = [*STATUS_EVENTS, "instruction.certificate_issued"]
        created = await register(client, admin, receiver.url(), events)
        assert created.status_code == 201, created.text
        secret = created.json()["secret"]
        endpoint_id = created.json()["endpoint"]["id"]
        assert secret.startswith("whsec_")
        listed = await client.get("/api/v1/webhooks", headers=admin)
        assert secret not in listed.text

        given = await client.post(
            "/api/v1/instructions", json={"kind": "return_data"}, headers=admin
        )
        instruction_id = given.json()["instruction"]["id"]
        await jobs.drain(30)
        received = receiver.wait_for(5)

    for message in received:
        verify(secret, message.headers, message.body)
        Webhook(secret).verify(message.body, message.headers)
    tampered = received[0].body.replace(b"return_data", b"delete_subject")
    with pytest.raises(InvalidSignature):
        verify(secret, received[0].headers, tampered)

    sent = payloads(received)
    statuses = [p["data"]["status"] for p in sent if p["type"] == "instruction.status_changed"]
    assert statuses == ["received", "scheduled", "in_processing", "completed"]
    # the certificate is issued before the instruction is marked completed
    assert [p["type"] for p in sent].index("instruction.certificate_issued") == 3
    assert {p["data"]["instruction_id"] for p in sent} == {instruction_id}
    assert sent[-1]["data"]["opendsr_status"] == "completed"
    raw = b" ".join(r.body for r in received).decode()
    assert "@" not in raw and acme.slug not in raw  # ids, types, statuses; no names, no mail

    log = await client.get(f"/api/v1/webhooks/{endpoint_id}/deliveries", headers=admin)
    items = log.json()["items"]
    assert len(items) == 5
    assert {(d["status"], d["attempts"], d["last_status_code"]) for d in items} == {
        ("delivered", 1, 200)
    }
    assert all(d["last_latency_ms"] is not None for d in items)
    first_page = await client.get(
        f"/api/v1/webhooks/{endpoint_id}/deliveries", params={"limit": 2}, headers=admin
    )
    assert len(first_page.json()["items"]) == 2 and first_page.json()["next_offset"] == 2


async def test_a_failing_receiver_gets_the_event_again_then_the_rest_in_order(
    client: httpx.AsyncClient, acme: Accounts, jobs: Jobs
) -> None:
    admin = acme.auth("client_admin")
    with running_receiver(answers=[500]) as receiver:
        created = await register(client, admin, receiver.url(), STATUS_EVENTS)
        endpoint_id = created.json()["endpoint"]["id"]
        await client.post("/api/v1/instructions", json={"kind": "return_data"}, headers=admin)
        await jobs.drain(30)
        received = receiver.wait_for(5)

    ids = [r.headers["webhook-id"] for r in received]
    assert ids[0] == ids[1]  # the 500, then the same message again
    assert len(ids) == 5 and len(set(ids)) == 4  # each other event once
    statuses = [p["data"]["status"] for p in payloads(received)]
    assert statuses == ["received", "received", "scheduled", "in_processing", "completed"]

    log = await client.get(f"/api/v1/webhooks/{endpoint_id}/deliveries", headers=admin)
    first = log.json()["items"][-1]
    assert (first["status"], first["attempts"], first["last_status_code"]) == (
        "delivered",
        2,
        200,
    )


async def test_an_endpoint_failing_for_good_is_disabled_the_admins_told_and_redelivery_works(
    client: httpx.AsyncClient, acme: Accounts, jobs: Jobs, smtp_server: SmtpServer
) -> None:
    admin = acme.auth("client_admin")
    with running_receiver(answers=[503] * 4) as receiver:
        created = await register(
            client, admin, receiver.url(), ["sub_processor.changed", *STATUS_EVENTS]
        )
        endpoint_id = created.json()["endpoint"]["id"]
        await client.post("/api/v1/instructions", json={"kind": "return_data"}, headers=admin)
        await jobs.drain(30)
        assert len(receiver.wait_for(4)) == 4  # 1 + 3 retries of the first event
        endpoints = (await client.get("/api/v1/webhooks", headers=admin)).json()["items"]
        assert endpoints[0]["disabled_at"] is not None
        told = [m for m in smtp_server.received if "webhook endpoint" in str(m["Subject"])]
        assert recipients(told) == [acme.email("client_admin")]
        assert endpoint_id in body(told[0])
        assert await audit_events(client, admin, "webhook.endpoint_disabled")

        log = await client.get(f"/api/v1/webhooks/{endpoint_id}/deliveries", headers=admin)
        failed = [d for d in log.json()["items"] if d["status"] == "failed"]
        assert [(d["attempts"], d["last_status_code"]) for d in failed] == [(4, 503)]
        waiting = [d for d in log.json()["items"] if d["status"] == "pending"]
        assert len(waiting) == 3  # recorded while disabled, waiting

        enabled = await client.post(f"/api/v1/webhooks/{endpoint_id}/enable", headers=admin)
        assert enabled.status_code == 200 and enabled.json()["disabled_at"] is None
        await jobs.drain(30)
        receiver.wait_for(7)
        again = await client.post(
            f"/api/v1/webhooks/{endpoint_id}/deliveries/{failed[0]['id']}/redeliver",
            headers=admin,
        )
        assert again.status_code == 202, again.text
        await jobs.drain(30)
        received = receiver.wait_for(8)

    statuses = [p["data"]["status"] for p in payloads(received)]
    assert statuses[4:] == ["scheduled", "in_processing", "completed", "received"]
    assert received[-1].headers["webhook-id"] == received[0].headers["webhook-id"]
    log = await client.get(f"/api/v1/webhooks/{endpoint_id}/deliveries", headers=admin)
    assert [d["status"] for d in log.json()["items"]].count("delivered") == 4


async def test_machine_clients_with_webhooks_manage_only_and_other_tenants_ids_are_404(
    client: httpx.AsyncClient, acme: Accounts, bravo: Accounts
) -> None:
    manager = await create_machine(client, acme, ["webhooks:manage"])
    reader = await create_machine(client, acme, ["instructions:read"])
    managing = bearer(await machine_token(client, manager))
    made = await register(client, managing, "http://127.0.0.1:9/hook", STATUS_EVENTS)
    assert made.status_code == 201, made.text
    endpoint_id = made.json()["endpoint"]["id"]
    [event] = await audit_events(client, acme.auth("client_admin"), "webhook.endpoint_created")
    assert event["actor_id"] == manager.client_id
    listed = await client.get(
        "/api/v1/webhooks", headers=bearer(await machine_token(client, reader))
    )
    assert listed.status_code == 403

    theirs = bravo.auth("client_admin")
    for method, path in (
        ("GET", f"/api/v1/webhooks/{endpoint_id}/deliveries"),
        ("POST", f"/api/v1/webhooks/{endpoint_id}/enable"),
        ("DELETE", f"/api/v1/webhooks/{endpoint_id}"),
    ):
        response = await client.request(method, path, headers=theirs)
        assert response.status_code == 404, (method, path)
    removed = await client.delete(f"/api/v1/webhooks/{endpoint_id}", headers=managing)
    assert removed.status_code == 204
    assert (await client.get("/api/v1/webhooks", headers=managing)).json()["items"] == []


async def test_private_and_malformed_targets_are_refused(
    client: httpx.AsyncClient, acme: Accounts
) -> None:
    admin = acme.auth("client_admin")
    for url, private in (
        ("http://127.0.0.1:9/hook", False),  # loopback without the opt-in
        ("https://10.1.2.3/hook", False),
        ("https://169.254.169.254/latest/meta-data", False),
        ("https://[::1]/hook", False),
        ("http://example.com/hook", False),  # plain http
        ("https://user:pw@example.com/hook", False),
        ("ftp://example.com/hook", True),
        ("https://does-not-resolve.invalid/hook", True),
    ):
        response = await register(client, admin, url, STATUS_EVENTS, allow_private_network=private)
        assert response.status_code in (400, 422), (url, response.text)
    for bad in (
        {"url": "http://127.0.0.1:9/x", "events": ["no.such_event"]},
        {"url": "http://127.0.0.1:9/x", "events": []},
        {"url": "not a url", "events": STATUS_EVENTS},
        {"events": STATUS_EVENTS},
    ):
        response = await client.post("/api/v1/webhooks", json=bad, headers=admin)
        assert response.status_code in (400, 422), (bad, response.text)


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("127.0.0.1", False),
        ("10.0.0.1", False),
        ("172.16.5.4", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),
        ("0.0.0.0", False),  # noqa: S104 - an address checked, not bound
        ("224.0.0.1", False),
        ("::1", False),
        ("fc00::1", False),
        ("fe80::1", False),
        ("::ffff:127.0.0.1", False),
        ("8.8.8.8", True),
        ("2a00:1450:4001:80b::200e", True),
    ],
)
def test_the_guard_knows_private_addresses(address: str, public: bool) -> None:
    assert is_public(ipaddress.ip_address(address)) is public
