"""Invitations really leave by e-mail: the worker delivers them to the SMTP server, and the
link in the received message is what the invitee uses."""

from __future__ import annotations

import re

import httpx

from tests.accounts import Accounts, token_pair
from tests.fixtures.jobs import Jobs
from tests.jobs.smtp_server import SmtpServer

OWN_PASSWORD = "chosen by the operator"


def _link(smtp_server: SmtpServer, to: str) -> str:
    [message] = [m for m in smtp_server.received if m["To"] == to]
    body = message.get_payload(decode=True)
    assert isinstance(body, bytes)
    found = re.search(r"/invitations/([\w-]+)", body.decode())
    assert found is not None
    return found.group(1)


async def test_a_staff_invitation_is_delivered_and_its_link_sets_the_password(
    client: httpx.AsyncClient, jobs: Jobs, smtp_server: SmtpServer, staff: Accounts
) -> None:
    address = "new.operator@timeward.example"
    created = await client.post(
        "/api/v1/platform/staff",
        json={"email": address, "role": "platform_staff"},
        headers=staff.auth("platform_admin"),
    )
    assert created.status_code == 201
    await jobs.drain()
    token = _link(smtp_server, address)
    accepted = await client.post(
        f"/api/v1/invitations/{token}/accept", json={"password": OWN_PASSWORD}
    )
    assert accepted.status_code == 200
    assert (await token_pair(client, address, "platform", OWN_PASSWORD)).status_code == 200
