"""Machine clients over HTTP: a client admin creates one, the client gets its token."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from tests.accounts import Accounts


@dataclass(frozen=True)
class Machine:
    client_id: str
    secret: str
    created: dict[str, Any]

    def basic(self) -> httpx.BasicAuth:
        return httpx.BasicAuth(self.client_id, self.secret)


async def create_machine(
    client: httpx.AsyncClient, tenant: Accounts, scopes: list[str], **extra: Any
) -> Machine:
    response = await client.post(
        "/api/v1/api-clients",
        json={"name": "Privacy tool", "scopes": scopes, **extra},
        headers=tenant.auth("client_admin"),
    )
    assert response.status_code == 201, response.text
    body = response.json()
    return Machine(body["client"]["client_id"], body["client_secret"], body)


async def machine_token(
    client: httpx.AsyncClient, machine: Machine, scope: str | None = None
) -> str:
    form = {"grant_type": "client_credentials"}
    if scope is not None:
        form["scope"] = scope
    response = await client.post("/oauth/token", data=form, auth=machine.basic())
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
