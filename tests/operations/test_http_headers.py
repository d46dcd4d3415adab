"""Every response, errors included, carries the hygiene headers; none is cached."""

from __future__ import annotations

import httpx
import pytest

from tests.accounts import Accounts, token_pair

HYGIENE = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
}


def assert_hygienic(response: httpx.Response) -> None:
    for name, value in HYGIENE.items():
        assert response.headers.get(name) == value, (response.request.url, name)
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert "strict-transport-security" not in response.headers  # plain HTTP here


async def test_a_sample_of_routes_and_errors_carries_the_headers(
    client: httpx.AsyncClient, acme: Accounts
) -> None:
    responses = [
        await client.get("/health"),
        await token_pair(client, acme.email("client_admin"), "acme"),
        await token_pair(client, acme.email("client_admin"), "acme", "wrong password"),
        await client.get("/api/v1/users", headers=acme.auth("client_admin")),
        await client.get("/api/v1/me"),
        await client.get("/no/such/route"),
        await client.post("/api/v1/users", content=b"{not json", headers=acme.auth("client_admin")),
        await client.get(f"/api/v1/public/instructions/{acme.tenant_id}", params={"token": "x"}),
    ]
    assert [r.status_code for r in responses] == [200, 200, 401, 200, 401, 404, 400, 404]
    for response in responses:
        assert_hygienic(response)


async def test_a_page_keeps_its_own_policy_and_gains_frame_protection(
    client: httpx.AsyncClient, acme: Accounts
) -> None:
    page = await client.get(
        "/api/v1/processing-records", params={"format": "html"}, headers=acme.auth("client_admin")
    )
    assert page.status_code == 200
    assert_hygienic(page)
    policy = page.headers["content-security-policy"]
    assert policy.startswith("default-src 'none'") and policy.count("frame-ancestors") == 1


@pytest.mark.parametrize("path", ["/health", "/no/such/route"])
async def test_a_forwarded_https_from_an_untrusted_peer_gets_no_hsts(
    client: httpx.AsyncClient, path: str
) -> None:
    response = await client.get(path, headers={"X-Forwarded-Proto": "https"})
    assert "strict-transport-security" not in response.headers
