"""Failed logins: where they are recorded, and how guessing is throttled. Over HTTP, with
distinct loopback source addresses standing for distinct clients."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from uuid import UUID

import httpx
from sqlalchemy import select

from tests.accounts import PASSWORD, Accounts
from timeward.audit.log import PLATFORM_CHAIN
from timeward.audit.models import AuditEvent
from timeward.db.session import Database, Scope


@asynccontextmanager
async def from_address(live_server: str, address: str) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.AsyncHTTPTransport(local_address=address)
    async with httpx.AsyncClient(base_url=live_server, transport=transport, timeout=60) as http:
        yield http


async def _login(http: httpx.AsyncClient, email: str, tenant: str, password: str) -> int:
    response = await http.post(
        "/api/v1/auth/token", json={"email": email, "password": password, "tenant": tenant}
    )
    return response.status_code


async def _chain(db: Database, tenant_id: UUID | None) -> list[AuditEvent]:
    chain = tenant_id or PLATFORM_CHAIN
    scope = Scope.TENANT if tenant_id else Scope.PLATFORM
    async with db.transaction(scope, tenant_id) as session:
        rows = await session.scalars(
            select(AuditEvent).where(AuditEvent.tenant_id == chain).order_by(AuditEvent.seq)
        )
        return list(rows.all())


async def test_failed_logins_of_non_members_stay_out_of_the_tenants_chain(
    client: httpx.AsyncClient, db: Database, acme: Accounts, bravo: Accounts
) -> None:
    before = len(await _chain(db, acme.tenant_id))
    outsider = bravo.email("client_manager")
    right = await _login(client, outsider, "acme", PASSWORD)
    wrong = await _login(client, outsider, "acme", "a wrong guess")
    nobody = await _login(client, "nobody@acme.example", "acme", "a wrong guess")
    assert (right, wrong, nobody) == (401, 401, 401)
    assert len(await _chain(db, acme.tenant_id)) == before
    failures = [e for e in await _chain(db, None) if e.action == "auth.login_failed"]
    assert len(failures) == 3
    assert failures[0].details == failures[1].details == {"domain": str(acme.tenant_id)}
    assert "reason" not in str([e.details for e in failures])


async def test_a_members_failure_is_in_the_tenants_chain_without_a_reason(
    client: httpx.AsyncClient, db: Database, acme: Accounts
) -> None:
    await _login(client, acme.email("employee"), "acme", "a wrong guess")
    [failed] = [e for e in await _chain(db, acme.tenant_id) if e.action == "auth.login_failed"]
    assert failed.subject_id == acme.user_id("employee") and failed.details == {}


async def test_concurrent_guesses_are_counted_before_they_are_checked(
    live_server: str, db: Database, acme: Accounts
) -> None:
    """39 wrong and 1 right at once from one address: at most 5 are even evaluated."""
    email = acme.email("employee")
    passwords = ["a wrong guess"] * 39 + [PASSWORD]
    async with from_address(live_server, "127.0.0.2") as http:
        statuses = await asyncio.gather(*(_login(http, email, "acme", p) for p in passwords))
    counts = Counter(statuses)
    assert counts[401] + counts[200] <= 5, counts
    assert counts[429] >= 35, counts


async def test_a_lockout_never_blocks_a_right_password_from_another_address(
    live_server: str, db: Database, acme: Accounts
) -> None:
    email = acme.email("client_admin")
    async with from_address(live_server, "127.0.0.3") as attacker:
        statuses = [await _login(attacker, email, "acme", "a wrong guess") for _ in range(6)]
        assert statuses == [401] * 5 + [429]
        assert await _login(attacker, email, "acme", PASSWORD) == 429
    async with from_address(live_server, "127.0.0.4") as owner:
        assert await _login(owner, email, "acme", PASSWORD) == 200
