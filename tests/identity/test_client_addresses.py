"""Whose address is the client's: a forwarded header counts only from a trusted proxy.

Checked through what a client sees, the public intake's per-address throttle, against a
server configured as `timeward serve` configures uvicorn (tests/live_server.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import httpx
import pytest
from litestar import Litestar

from tests.live_server import serve_in_background
from timeward.app import create_app
from timeward.config import Settings, load_settings
from timeward.db.session import Database

INTAKE = "/api/v1/public/privacy-requests"
LIMIT = 10  # PrivacySettings.intake_per_address


def _submission(n: int) -> dict[str, str]:
    return {"email": f"visitor{n}@example.org", "text": "Which data do you hold?"}


async def _statuses(client: httpx.AsyncClient, forwarded_for: list[str]) -> list[int]:
    statuses = []
    for n, address in enumerate(forwarded_for):
        headers = {"X-Forwarded-For": address}
        statuses.append(
            (await client.post(INTAKE, json=_submission(n), headers=headers)).status_code
        )
    return statuses


@pytest.fixture
async def behind_proxy(settings: Settings, db: Database) -> AsyncIterator[httpx.AsyncClient]:
    """A server whose only trusted proxy is the loopback address the tests connect from."""
    app: Litestar = create_app(replace(settings, trusted_proxies=("127.0.0.1",)), database=db)
    async with serve_in_background(app) as base_url, httpx.AsyncClient(base_url=base_url) as http:
        yield http


async def test_a_forwarded_header_from_an_untrusted_peer_is_ignored(
    client: httpx.AsyncClient,
) -> None:
    rotating = [f"203.0.113.{n}" for n in range(LIMIT + 1)]
    assert await _statuses(client, rotating) == [202] * LIMIT + [429]


async def test_a_forwarded_header_from_a_trusted_proxy_is_the_client_address(
    behind_proxy: httpx.AsyncClient,
) -> None:
    rotating = [f"198.51.100.{n}" for n in range(LIMIT + 1)]
    assert await _statuses(behind_proxy, rotating) == [202] * (LIMIT + 1)
    same = ["192.0.2.7"] * (LIMIT + 1)
    assert await _statuses(behind_proxy, same) == [202] * LIMIT + [429]


async def test_hsts_is_sent_when_a_trusted_proxy_says_https(
    behind_proxy: httpx.AsyncClient,
) -> None:
    secure = await behind_proxy.get("/health", headers={"X-Forwarded-Proto": "https"})
    plain = await behind_proxy.get("/health")
    assert secure.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
    assert "strict-transport-security" not in plain.headers


def test_trusted_proxies_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TIMEWARD_TRUSTED_PROXIES", raising=False)
    assert load_settings().trusted_proxies == ()
    monkeypatch.setenv("TIMEWARD_TRUSTED_PROXIES", " 10.0.0.0/8, 192.0.2.1 ,")
    assert load_settings().trusted_proxies == ("10.0.0.0/8", "192.0.2.1")
    monkeypatch.setenv("TIMEWARD_TRUSTED_PROXIES", "ingress.local")
    with pytest.raises(ValueError, match="not an IP address or network"):
        load_settings()


async def test_one_email_address_from_rotating_client_addresses_is_still_throttled(
    behind_proxy: httpx.AsyncClient,
) -> None:
    """The per-e-mail limit (PrivacySettings.intake_per_email, 5) holds whatever client
    address the submissions come from; another e-mail address from the same clients is
    not held back by it."""
    submission = {"email": "target.person@example.org", "text": "What do you hold?"}
    statuses = []
    for n in range(6):
        headers = {"X-Forwarded-For": f"198.51.100.{n + 100}"}
        statuses.append(
            (await behind_proxy.post(INTAKE, json=submission, headers=headers)).status_code
        )
    assert statuses == [202] * 5 + [429]
    throttled = await behind_proxy.post(
        INTAKE, json=submission, headers={"X-Forwarded-For": "198.51.100.200"}
    )
    assert throttled.status_code == 429 and int(throttled.headers["retry-after"]) > 0
    other = {**submission, "email": "someone.else@example.org"}
    fresh = await behind_proxy.post(
        INTAKE, json=other, headers={"X-Forwarded-For": "198.51.100.201"}
    )
    assert fresh.status_code == 202
