"""Hostile request bodies are a 4xx on every route, never a 500. Over HTTP."""

from __future__ import annotations

import re
from uuid import uuid4

import httpx

from tests.accounts import Accounts

DEEP = b"[" * 100_000 + b"]" * 100_000
DEEP_OBJECT = b'{"a":' * 100_000 + b"1" + b"}" * 100_000


async def _json_body_operations(client: httpx.AsyncClient) -> list[tuple[str, str]]:
    schema = (await client.get("/docs/openapi.json")).json()
    return [
        (method.upper(), re.sub(r"\{[^}]+\}", str(uuid4()), path))
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if isinstance(operation, dict) and "requestBody" in operation
    ]


async def test_deeply_nested_json_is_refused_on_every_json_body_route(
    client: httpx.AsyncClient, acme: Accounts, staff: Accounts
) -> None:
    operations = await _json_body_operations(client)
    assert len(operations) >= 20
    callers = [{}] + [a.auth(role) for a in (acme, staff) for role in a.users]
    parsed = set()
    for method, path in operations:
        for headers in callers:
            for body in (DEEP, DEEP_OBJECT):
                response = await client.request(
                    method,
                    path,
                    content=body,
                    headers={**headers, "Content-Type": "application/json"},
                )
                assert response.status_code < 500, (method, path, response.text)
                if response.status_code == 400:
                    assert "nests deeper" in response.json()["detail"], response.text
                    parsed.add((method, path))
    assert len(parsed) >= len(operations) // 2  # reached the parser, not just the guards
