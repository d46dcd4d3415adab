"""A tenant's calendar (country, subdivision) is checked where it enters: API and CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import asyncpg
import httpx
import pytest

from tests.accounts import Accounts
from tests.conftest import TEST_MASTER_KEY
from timeward.db.bootstrap import DatabaseUrls

BODY = {
    "slug": "nowhere-co",
    "name": "Nowhere Co",
    "admin_email": "boss@nowhere.example",
}


@pytest.mark.parametrize(
    ("calendar", "field"),
    [({"country": "XX"}, "country"), ({"country": "DE", "subdivision": "QQ"}, "subdivision")],
)
async def test_unknown_calendar_is_a_422_naming_the_field(
    client: httpx.AsyncClient, staff: Accounts, calendar: dict[str, str], field: str
) -> None:
    response = await client.post(
        "/api/v1/platform/tenants", json=BODY | calendar, headers=staff.auth("platform_admin")
    )
    assert response.status_code == 422, response.text
    assert [e["key"] for e in response.json()["errors"]] == [field]
    listed = await client.get("/api/v1/platform/tenants", headers=staff.auth("platform_staff"))
    assert "nowhere-co" not in {t["slug"] for t in listed.json()["items"]}


def test_cli_refuses_an_unknown_calendar(database_urls: DatabaseUrls, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": database_urls.app_url,
        "DATABASE_OWNER_URL": database_urls.owner_url,
        "TIMEWARD_MASTER_KEY": TEST_MASTER_KEY,
        "TIMEWARD_DATA_DIR": str(tmp_path),
    }
    args = ["--slug", "nowhere-co", "--name", "Nowhere", "--country", "DE", "--subdivision", "QQ"]
    args += ["--admin-email", "boss@nowhere.example"]
    result = subprocess.run(
        [sys.executable, "-m", "timeward.cli", "create-tenant", *args],
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "subdivision" in result.stderr and "'DE-QQ'" in result.stderr, result.stderr


async def test_a_bad_stored_calendar_makes_instructions_a_clear_409(
    client: httpx.AsyncClient, owner: asyncpg.Pool, acme: Accounts
) -> None:
    """A calendar that became unsupported after it was stored (a holidays upgrade)."""
    async with owner.acquire() as conn, conn.transaction():
        await conn.execute("select set_config('app.scope', 'platform', true)")
        changed = await conn.execute(
            "update tenants set subdivision = 'QQ' where id = $1", acme.tenant_id
        )
    assert changed == "UPDATE 1"
    response = await client.post(
        "/api/v1/instructions", json={"kind": "return_data"}, headers=acme.auth("client_admin")
    )
    assert response.status_code == 409, response.text
    assert "calendar" in response.json()["detail"]
