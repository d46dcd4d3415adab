"""The client admin's SSO configuration over the API: discovery checked before anything
is saved, the secret sealed and never returned, every change audited, one tenant's
configuration invisible to another."""

from __future__ import annotations

import asyncpg
import httpx

from tests.accountability.support import audit_events
from tests.accounts import Accounts, token_pair
from tests.fixtures.sso import CLIENT_SECRET, FakeProvider, SsoServer
from tests.identity.sso.flows import configure, sso_body


async def test_saved_configuration_never_returns_the_secret(
    client: httpx.AsyncClient, acme: Accounts, fake_idp: FakeProvider, owner: asyncpg.Pool
) -> None:
    empty = await client.get("/api/v1/settings/sso", headers=acme.auth("client_admin"))
    assert empty.json()["configured"] is False
    assert empty.json()["client_secret"] == "not set"
    saved = await configure(client, acme, fake_idp.issuer(), allowed_domains=["ACME.example"])
    assert saved.status_code == 200, saved.text
    shown = await client.get("/api/v1/settings/sso", headers=acme.auth("client_admin"))
    body = shown.json()
    assert body["configured"] is True
    assert body["client_secret"] == "set"
    assert body["allowed_domains"] == ["acme.example"]
    assert body["redirect_uri"].endswith("/sso/callback")
    assert CLIENT_SECRET not in shown.text and CLIENT_SECRET not in saved.text
    # sealed under the tenant's data key: the stored bytes are not the secret
    async with owner.acquire() as conn, conn.transaction():
        await conn.execute("select set_config('app.tenant_id', $1, true)", str(acme.tenant_id))
        stored = await conn.fetchval("select client_secret from sso_configs")
    assert CLIENT_SECRET.encode() not in stored
    # a later save without a secret keeps the stored one
    again = await configure(client, acme, fake_idp.issuer(), client_secret=None)
    assert again.json()["client_secret"] == "set"
    changes = await audit_events(client, acme.auth("client_admin"), "settings.sso_changed")
    in_order = sorted(changes, key=lambda c: c["seq"])
    assert [c["details"]["secret_changed"] for c in in_order] == [True, False]
    assert CLIENT_SECRET not in str(changes)


async def test_a_bad_discovery_is_a_422_with_the_reason_and_nothing_saved(
    client: httpx.AsyncClient, acme: Accounts, fake_idp: FakeProvider
) -> None:
    cases = {
        "wrong-issuer": "names the issuer",
        "no-pkce": "S256",
        "insecure": "must use HTTPS",
        "broken": "answered HTTP 500",
    }
    for variant, reason in cases.items():
        refused = await configure(client, acme, fake_idp.issuer(variant))
        assert refused.status_code == 422, (variant, refused.text)
        assert reason in refused.json()["detail"], (variant, refused.text)
    not_https = await configure(client, acme, "http://idp.example.com")
    assert not_https.status_code == 422
    assert "HTTPS" in not_https.json()["detail"]
    shown = await client.get("/api/v1/settings/sso", headers=acme.auth("client_admin"))
    assert shown.json()["configured"] is False


async def test_an_unreachable_or_slow_provider_is_said_so(
    acme: Accounts, fake_idp: FakeProvider, sso_server: SsoServer
) -> None:
    async with httpx.AsyncClient(base_url=sso_server.base_url, timeout=30) as http:
        slow = await configure(http, acme, fake_idp.issuer("slow"))
        assert slow.status_code == 424
        assert "did not answer in time" in slow.json()["detail"]
        down = await configure(http, acme, "http://127.0.0.1:9")
        assert down.status_code == 424
        assert "could not be reached" in down.json()["detail"]


async def test_field_rules_are_422s_naming_the_problem(
    client: httpx.AsyncClient, acme: Accounts, fake_idp: FakeProvider
) -> None:
    issuer = fake_idp.issuer()
    no_domains = await configure(client, acme, issuer, allowed_domains=[])
    assert no_domains.status_code == 422 and "domain" in no_domains.json()["detail"]
    bad_domain = await configure(client, acme, issuer, allowed_domains=["not a domain"])
    assert bad_domain.status_code == 422
    no_secret = await configure(client, acme, issuer, client_secret=None)
    assert no_secret.status_code == 422 and "secret" in no_secret.json()["detail"]
    no_break_glass = await configure(client, acme, issuer, required=True)
    assert no_break_glass.status_code == 422
    assert "break-glass" in no_break_glass.json()["detail"]
    employee_as_break_glass = await configure(
        client, acme, issuer, required=True, break_glass_email=acme.email("employee")
    )
    assert employee_as_break_glass.status_code == 422
    unknown_field = await client.put(
        "/api/v1/settings/sso",
        json={**sso_body(issuer), "extra": 1},
        headers=acme.auth("client_admin"),
    )
    assert unknown_field.status_code == 400


async def test_one_tenants_configuration_is_not_anothers(
    client: httpx.AsyncClient, acme: Accounts, bravo: Accounts, fake_idp: FakeProvider
) -> None:
    assert (await configure(client, acme, fake_idp.issuer())).status_code == 200
    theirs = await client.get("/api/v1/settings/sso", headers=bravo.auth("client_admin"))
    assert theirs.json()["configured"] is False
    page = await client.get("/t/bravo/sign-in")
    assert "Sign in with" not in page.text
    assert "Sign in with Acme Login" in (await client.get("/t/acme/sign-in")).text


async def test_turning_sso_off_brings_passwords_back(
    client: httpx.AsyncClient, acme: Accounts, fake_idp: FakeProvider
) -> None:
    saved = await configure(
        client, acme, fake_idp.issuer(), required=True, break_glass_email=acme.email("client_admin")
    )
    assert saved.status_code == 200
    refused = await token_pair(client, acme.email("employee"), "acme")
    assert refused.status_code == 403
    off = await client.delete("/api/v1/settings/sso", headers=acme.auth("client_admin"))
    assert off.status_code == 204
    assert (await token_pair(client, acme.email("employee"), "acme")).status_code == 200
    shown = await client.get("/api/v1/settings/sso", headers=acme.auth("client_admin"))
    assert shown.json()["configured"] is False
    assert "Sign in with" not in (await client.get("/t/acme/sign-in")).text
    again = await client.delete("/api/v1/settings/sso", headers=acme.auth("client_admin"))
    assert again.status_code == 204
    removed = await audit_events(client, acme.auth("client_admin"), "settings.sso_removed")
    assert len(removed) == 1 and removed[0]["details"]["issuer"] == fake_idp.issuer()
