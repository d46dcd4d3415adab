"""Receipt links (status, export, certificate of an instruction) work while it is open
and for TIMEWARD_RECEIPT_LINK_DAYS after it finished; then they are gone, with a reason."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

import asyncpg
import httpx
import pytest

from tests.accounts import Accounts
from tests.instructions.support import instruct
from timeward.config import Settings, load_settings


async def _finished_days_ago(
    owner: asyncpg.Pool, tenant_id: UUID, instruction: str, days: int
) -> None:
    async with owner.acquire() as conn, conn.transaction():
        await conn.execute("select set_config('app.tenant_id', $1, true)", str(tenant_id))
        status = await conn.execute(
            "update instructions set finished_at = now() - make_interval(days => $2) where id = $1",
            UUID(instruction),
            days,
        )
    assert status == "UPDATE 1"


def _local(link: str) -> str:
    """The link as the test server serves it (links are built on TIMEWARD_PUBLIC_URL)."""
    parts = urlsplit(link)
    return f"{parts.path}?{parts.query}"


async def _links(client: httpx.AsyncClient, created: dict[str, Any]) -> list[httpx.Response]:
    links = created["links"]
    return [await client.get(_local(links[name])) for name in ("status", "certificate")]


async def test_receipt_links_expire_a_lifetime_after_the_instruction_finished(
    client: httpx.AsyncClient, acme: Accounts, owner: asyncpg.Pool, settings: Settings
) -> None:
    created = await instruct(client, acme, kind="return_data")
    open_status, _ = await _links(client, created)
    assert open_status.status_code == 200
    lifetime = settings.receipt_link_days
    await _finished_days_ago(owner, acme.tenant_id, created["instruction"]["id"], lifetime - 1)
    assert (await _links(client, created))[0].status_code == 200
    await _finished_days_ago(owner, acme.tenant_id, created["instruction"]["id"], lifetime + 1)
    for response in await _links(client, created):
        assert response.status_code == 410, response.text
        assert f"{lifetime} days after the instruction finished" in response.json()["detail"]
    status_path = urlsplit(created["links"]["status"]).path
    wrong_token = await client.get(status_path, params={"token": "x"})
    assert wrong_token.status_code == 404


def test_receipt_link_lifetime_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TIMEWARD_RECEIPT_LINK_DAYS", raising=False)
    assert load_settings().receipt_link_days == 365
    monkeypatch.setenv("TIMEWARD_RECEIPT_LINK_DAYS", "0")
    with pytest.raises(ValueError, match="between 1 and 3650"):
        load_settings()
