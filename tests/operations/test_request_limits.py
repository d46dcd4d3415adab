"""Hostile request bodies are a 4xx on every route, never a 500. Over HTTP."""

from __future__ import annotations

import re
from typing import Any
from uuid import uuid4

import httpx
import pytest

from tests.accounts import Accounts
from tests.hostile_inputs import DEEP_BODIES, instant_cases


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
            for body in DEEP_BODIES:
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


@pytest.mark.parametrize(("method", "path", "body"), instant_cases())
async def test_a_date_time_out_of_bounds_or_without_offset_is_a_400(
    client: httpx.AsyncClient,
    acme: Accounts,
    staff: Accounts,
    method: str,
    path: str,
    body: dict[str, Any],
) -> None:
    statuses = []
    for headers in [a.auth(role) for a in (acme, staff) for role in a.users]:
        response = await client.request(method, path, json=body, headers=headers)
        assert response.status_code < 500, (headers, response.text)
        statuses.append(response.status_code)
    assert 400 in statuses, statuses  # the role that may call it had its value refused
