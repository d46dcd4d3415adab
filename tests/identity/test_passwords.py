"""A person's own password: changed with the current one, reset through an e-mailed link,
never a common one or one made of their address or company. Over HTTP."""

from __future__ import annotations

import httpx
import pytest

from tests.accounts import PASSWORD, Accounts, mailed_link, token_pair
from timeward.db.session import Database

NEW = "a fresh long passphrase"


async def _change(
    client: httpx.AsyncClient, headers: dict[str, str], current: str, new: str
) -> httpx.Response:
    return await client.post(
        "/api/v1/me/password",
        json={"current_password": current, "new_password": new},
        headers=headers,
    )


async def test_changing_the_password_needs_the_current_one_and_ends_other_sessions(
    client: httpx.AsyncClient, acme: Accounts
) -> None:
    email = acme.email("employee")
    other_session = (await token_pair(client, email, "acme")).json()["refresh_token"]
    wrong = await _change(client, acme.auth("employee"), "not my password", NEW)
    weak = await _change(client, acme.auth("employee"), PASSWORD, "employee-and-more")
    assert (wrong.status_code, weak.status_code) == (403, 422)
    changed = await _change(client, acme.auth("employee"), PASSWORD, NEW)
    assert changed.status_code == 200
    refreshed = await client.post("/api/v1/auth/refresh", json={"refresh_token": other_session})
    assert refreshed.status_code == 401
    assert (await token_pair(client, email, "acme", PASSWORD)).status_code == 401
    assert (await token_pair(client, email, "acme", NEW)).status_code == 200
    kept = changed.json()["refresh_token"]
    assert (
        await client.post("/api/v1/auth/refresh", json={"refresh_token": kept})
    ).status_code == 200


async def test_platform_staff_change_their_password_too(
    client: httpx.AsyncClient, staff: Accounts
) -> None:
    changed = await _change(client, staff.auth("platform_staff"), PASSWORD, NEW)
    assert changed.status_code == 200
    login = await token_pair(client, staff.email("platform_staff"), "platform", NEW)
    assert login.status_code == 200


async def _forgot(client: httpx.AsyncClient, email: str, tenant: str) -> httpx.Response:
    return await client.post("/api/v1/auth/password-reset", json={"email": email, "tenant": tenant})


async def test_forgot_password_answers_the_same_for_any_address(
    client: httpx.AsyncClient, db: Database, acme: Accounts, bravo: Accounts
) -> None:
    known = await _forgot(client, acme.email("employee"), "acme")
    unknown = await _forgot(client, "nobody@acme.example", "acme")
    elsewhere = await _forgot(client, bravo.email("employee"), "acme")
    no_tenant = await _forgot(client, acme.email("employee"), "no-such-tenant")
    answers = {(r.status_code, r.text) for r in (known, unknown, elsewhere, no_tenant)}
    assert len(answers) == 1 and known.status_code == 202
    with pytest.raises(AssertionError):
        await mailed_link(db, acme.tenant_id, bravo.email("employee"), "password-reset")
    await mailed_link(db, acme.tenant_id, acme.email("employee"), "password-reset")


async def test_a_reset_link_sets_a_new_password_once_and_ends_every_session(
    client: httpx.AsyncClient, db: Database, acme: Accounts
) -> None:
    email = acme.email("client_manager")
    session = (await token_pair(client, email, "acme")).json()["refresh_token"]
    await _forgot(client, email, "acme")
    token = await mailed_link(db, acme.tenant_id, email, "password-reset")
    weak = await client.post(f"/api/v1/auth/password-reset/{token}", json={"password": "a" * 12})
    assert weak.status_code == 422
    reset = await client.post(f"/api/v1/auth/password-reset/{token}", json={"password": NEW})
    again = await client.post(
        f"/api/v1/auth/password-reset/{token}", json={"password": "yet another passphrase"}
    )
    assert (reset.status_code, again.status_code) == (204, 404)
    assert (
        await client.post("/api/v1/auth/refresh", json={"refresh_token": session})
    ).status_code == 401
    assert (await token_pair(client, email, "acme", PASSWORD)).status_code == 401
    assert (await token_pair(client, email, "acme", NEW)).status_code == 200


async def test_platform_staff_reset_through_the_platform_outbox(
    client: httpx.AsyncClient, db: Database, staff: Accounts
) -> None:
    email = staff.email("platform_admin")
    assert (await _forgot(client, email, "platform")).status_code == 202
    token = await mailed_link(db, None, email, "password-reset")
    reset = await client.post(f"/api/v1/auth/password-reset/{token}", json={"password": NEW})
    assert reset.status_code == 204
    assert (await token_pair(client, email, "platform", NEW)).status_code == 200


async def test_reset_requests_are_throttled_per_account(
    client: httpx.AsyncClient, acme: Accounts
) -> None:
    statuses = [(await _forgot(client, "x@acme.example", "acme")).status_code for _ in range(4)]
    assert statuses == [202, 202, 202, 429]
