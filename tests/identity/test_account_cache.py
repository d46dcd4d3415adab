"""The account check is cached per process, and a change reaches every process within 1 s.

Two app processes (real uvicorn subprocesses on the same database) both hold a cached
"yes" for a token; the change is made through one of them (or straight in the database)
and the other must refuse the token within a second (docs/performance.md, "API request
path": PostgreSQL LISTEN/NOTIFY).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from uuid import UUID

import asyncpg
import httpx
import pytest

from tests.accounts import Accounts, log_in_all, seed_platform
from tests.fuzz_server import app_process
from tests.web.pages import page_client, sign_in
from timeward.config import Settings
from timeward.db.session import Database

WITHIN_S = 1.0


@pytest.fixture(scope="module")
def two_apps(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[str]]:
    with (
        app_process(settings, tmp_path_factory.mktemp("first")) as first,
        app_process(settings, tmp_path_factory.mktemp("second")) as second,
    ):
        yield [first, second]


async def _status(base: str, token: str) -> int:
    async with httpx.AsyncClient(base_url=base, timeout=10) as http:
        response = await http.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        return response.status_code


async def _warm(apps: list[str], token: str) -> None:
    """Both processes answer, so both now hold the account check in their caches."""
    for base in apps:
        for _ in range(3):
            assert await _status(base, token) == 200


async def _refused_within(base: str, token: str) -> float:
    """Seconds from the change to the first request that was refused, counted at the
    moment that request was sent: how long the request then took (the machine may be
    busy with other test runs) is not the cache's delay."""
    started = time.monotonic()
    while time.monotonic() - started < 5:
        sent = time.monotonic()
        if await _status(base, token) == 401:
            return sent - started
        await asyncio.sleep(0.02)
    raise AssertionError("the other process still accepts the token after 5 s")


async def _patch_member(base: str, admin: Accounts, user_id: UUID, body: dict[str, str]) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=10) as http:
        response = await http.patch(
            f"/api/v1/users/{user_id}", json=body, headers=admin.auth("client_admin")
        )
    assert response.status_code == 200, response.text


async def test_a_disabled_user_is_refused_by_the_other_process_within_a_second(
    two_apps: list[str], acme: Accounts
) -> None:
    first, second = two_apps
    token = acme.tokens["client_manager"]
    await _warm(two_apps, token)
    await _patch_member(first, acme, acme.user_id("client_manager"), {"status": "disabled"})
    assert await _status(first, token) == 401  # the process that made the change: at once
    assert await _refused_within(second, token) < WITHIN_S


async def test_a_role_change_is_seen_by_the_other_process_within_a_second(
    two_apps: list[str], acme: Accounts
) -> None:
    first, second = two_apps
    token = acme.tokens["employee"]
    await _warm(two_apps, token)
    await _patch_member(second, acme, acme.user_id("employee"), {"role": "client_manager"})
    assert await _refused_within(first, token) < WITHIN_S


async def test_a_removed_membership_is_seen_by_both_processes_within_a_second(
    two_apps: list[str], acme: Accounts, owner: asyncpg.Pool
) -> None:
    token = acme.tokens["employee"]
    await _warm(two_apps, token)
    async with owner.acquire() as conn, conn.transaction():
        await conn.execute("select set_config('app.tenant_id', $1, true)", str(acme.tenant_id))
        deleted = await conn.execute(
            "delete from memberships where user_id = $1", acme.user_id("employee")
        )
    assert deleted == "DELETE 1"
    for base in two_apps:
        assert await _refused_within(base, token) < WITHIN_S


async def test_a_suspended_tenant_is_seen_by_the_other_process_within_a_second(
    two_apps: list[str], acme: Accounts, db: Database
) -> None:
    first, second = two_apps
    token = acme.tokens["client_admin"]
    await _warm(two_apps, token)
    async with httpx.AsyncClient(base_url=first, timeout=10) as http:
        staff = await log_in_all(http, await seed_platform(db))
        response = await http.patch(
            f"/api/v1/platform/tenants/{acme.tenant_id}",
            json={"status": "suspended"},
            headers=staff.auth("platform_admin"),
        )
    assert response.status_code == 200, response.text
    assert await _refused_within(second, token) < WITHIN_S


async def test_a_disabled_user_loses_a_web_session_in_the_other_process_within_a_second(
    two_apps: list[str], acme: Accounts
) -> None:
    """Web sessions use the same cached account check (docs/web.md, "Sessions")."""
    first, second = two_apps
    async with page_client(second, "127.0.0.61") as browser:
        signed_in = await sign_in(browser, acme.email("employee"), "acme")
        assert signed_in.status_code == 303, signed_in.text
        for _ in range(3):
            assert (await browser.get("/home")).status_code == 200
        await _patch_member(first, acme, acme.user_id("employee"), {"status": "disabled"})
        started = time.monotonic()
        while time.monotonic() - started < 5:
            sent = time.monotonic()
            if (await browser.get("/home")).status_code == 303:  # to the sign-in page
                break
            await asyncio.sleep(0.02)
        else:
            raise AssertionError("the other process still serves the session after 5 s")
    assert sent - started < WITHIN_S
