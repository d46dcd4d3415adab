"""Helpers shared by the accountability tests."""

from __future__ import annotations

from typing import Any

import httpx


async def audit_events(
    client: httpx.AsyncClient, headers: dict[str, str], action: str
) -> list[dict[str, Any]]:
    """The audit events with ``action`` that ``headers``' bearer may see (first page)."""
    response = await client.get("/api/v1/audit-events", params={"action": action}, headers=headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items
