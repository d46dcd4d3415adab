"""Logging in, token verification, refresh rotation and key rotation, over HTTP."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, OKPKey

from tests.accounts import PASSWORD, Accounts, log_in_all, seed_platform, seed_tenant, token_pair
from timeward.config import Settings
from timeward.db.session import Database
from timeward.services import Services, build_services


@pytest.fixture
async def acme_seeded(db: Database) -> Accounts:
    return await seed_tenant(db, "acme")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unsigned(header: dict[str, Any], claims: dict[str, Any]) -> str:
    return f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"


def _claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


async def _me(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})


async def test_login_issues_verifiable_token_with_required_claims(
    client: httpx.AsyncClient, acme_seeded: Accounts
) -> None:
    response = await token_pair(client, acme_seeded.email("employee"), "acme")
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer" and body["refresh_token"].startswith("rt_")

    jwks = (await client.get("/.well-known/jwks.json")).json()
    key_set = KeySet.import_key_set(jwks)
    decoded = jwt.decode(body["access_token"], key_set, algorithms=["Ed25519"])
    assert decoded.header["kid"] in {k["kid"] for k in jwks["keys"]}
    assert all("d" not in key for key in jwks["keys"]), "JWKS must not publish private keys"
    claims = decoded.claims
    assert claims["sub"] == str(acme_seeded.user_id("employee"))
    assert claims["tid"] == str(acme_seeded.tenant_id)
    assert claims["role"] == "employee"
    assert {"iss", "aud", "iat", "exp", "jti"} <= claims.keys()
    assert 0 < claims["exp"] - claims["iat"] <= 900

    me = await _me(client, body["access_token"])
    assert me.json() == {
        "user_id": str(acme_seeded.user_id("employee")),
        "tenant_id": str(acme_seeded.tenant_id),
        "role": "employee",
    }


@pytest.mark.parametrize(
    ("email", "password", "tenant"),
    [
        ("employee@acme.example", "wrong password", "acme"),
        ("nobody@acme.example", PASSWORD, "acme"),
        ("employee@acme.example", PASSWORD, "no-such-tenant"),
        ("employee@acme.example", PASSWORD, "platform"),
    ],
    ids=["wrong-password", "unknown-email", "unknown-tenant", "not-staff"],
)
async def test_failed_logins_share_one_answer(
    client: httpx.AsyncClient, acme_seeded: Accounts, email: str, password: str, tenant: str
) -> None:
    response = await token_pair(client, email, tenant, password)
    assert response.status_code == 401
    assert response.json() == {"status": 401, "detail": "Invalid e-mail, password or tenant."}


async def test_member_of_other_tenant_cannot_log_into_this_one(
    client: httpx.AsyncClient, acme_seeded: Accounts, db: Database
) -> None:
    await seed_tenant(db, "globex")
    response = await token_pair(client, acme_seeded.email("client_admin"), "globex")
    assert response.status_code == 401


async def test_login_failures_are_rate_limited_per_account(
    client: httpx.AsyncClient, acme_seeded: Accounts
) -> None:
    email = acme_seeded.email("employee")
    statuses = [(await token_pair(client, email, "acme", "nope")).status_code for _ in range(5)]
    blocked = await token_pair(client, email, "acme")  # even the right password now waits
    assert statuses == [401] * 5
    assert blocked.status_code == 429
    assert int(blocked.headers["retry-after"]) > 0
    assert blocked.json()["detail"] == "Too many failed logins. Try again later."
    other = await token_pair(client, acme_seeded.email("client_admin"), "acme")
    assert other.status_code == 200


async def test_login_failures_are_rate_limited_per_address(
    client: httpx.AsyncClient, acme_seeded: Accounts
) -> None:
    for n in range(20):
        response = await token_pair(client, f"ghost{n}@acme.example", "acme", "nope")
        assert response.status_code == 401
    blocked = await token_pair(client, acme_seeded.email("employee"), "acme")
    assert blocked.status_code == 429


TEN_YEARS = 10 * 365 * 86400


class TestRejectedTokens:
    """Each way a token can be untrustworthy is a 401 with a clear message."""

    async def _valid(self, client: httpx.AsyncClient, acme_seeded: Accounts) -> str:
        return str(
            (await token_pair(client, acme_seeded.email("employee"), "acme")).json()["access_token"]
        )

    async def _signed(self, services: Services, claims: dict[str, Any], **header: str) -> str:
        signing = (await services.keys.current()).signing
        head = {"alg": "Ed25519", "kid": signing.kid, **header}
        return jwt.encode(head, claims, signing, algorithms=["Ed25519"])

    async def test_missing_token(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/api/v1/me")
        assert response.status_code == 401
        assert response.json()["detail"] == "Missing bearer token."
        assert response.headers["www-authenticate"].startswith("Bearer")

    async def test_bad_signature(self, client: httpx.AsyncClient, acme_seeded: Accounts) -> None:
        header, payload, signature = (await self._valid(client, acme_seeded)).split(".")
        claims = _claims(f"{header}.{payload}.")
        claims["role"] = "client_admin"
        forged = f"{header}.{_b64(json.dumps(claims).encode())}.{signature}"
        response = await _me(client, forged)
        assert (response.status_code, response.json()["detail"]) == (
            401,
            "Invalid token: bad signature.",
        )

    async def test_alg_none(self, client: httpx.AsyncClient, acme_seeded: Accounts) -> None:
        claims = _claims(await self._valid(client, acme_seeded))
        response = await _me(client, _unsigned({"alg": "none", "typ": "JWT"}, claims) + ".")
        assert (response.status_code, response.json()["detail"]) == (
            401,
            "Invalid token: algorithm not accepted.",
        )

    async def test_hs256_signed_with_the_public_key(
        self, client: httpx.AsyncClient, acme_seeded: Accounts, services: Services
    ) -> None:
        token = await self._valid(client, acme_seeded)
        signing = (await services.keys.current()).signing
        public_pem = OKPKey.import_key(signing.as_dict(private=False)).as_pem(private=False)
        signing_input = _unsigned({"alg": "HS256", "kid": signing.kid}, _claims(token))
        mac = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
        response = await _me(client, f"{signing_input}.{_b64(mac)}")
        assert (response.status_code, response.json()["detail"]) == (
            401,
            "Invalid token: algorithm not accepted.",
        )

    @pytest.mark.parametrize(
        ("change", "detail"),
        [
            ({"iss": "someone-else"}, "Invalid token: invalid claim iss."),
            ({"aud": "another-api"}, "Invalid token: invalid claim aud."),
            ({"exp": int(time.time()) - 120}, "Invalid token: token expired."),
            (
                {"exp": int(time.time()) + TEN_YEARS},
                "Invalid token: lifetime longer than the configured 900 seconds.",
            ),
            (
                {"iat": int(time.time()) - TEN_YEARS},
                "Invalid token: lifetime longer than the configured 900 seconds.",
            ),
        ],
        ids=["wrong-iss", "wrong-aud", "expired", "exp-ten-years-ahead", "iat-ten-years-ago"],
    )
    async def test_bad_claims(
        self,
        client: httpx.AsyncClient,
        acme_seeded: Accounts,
        services: Services,
        change: dict[str, Any],
        detail: str,
    ) -> None:
        claims = {**_claims(await self._valid(client, acme_seeded)), **change}
        response = await _me(client, await self._signed(services, claims))
        assert (response.status_code, response.json()["detail"]) == (401, detail)

    async def test_unknown_kid(self, client: httpx.AsyncClient, acme_seeded: Accounts) -> None:
        stranger = OKPKey.generate_key("Ed25519", parameters={"kid": "not-ours"})
        claims = _claims(await self._valid(client, acme_seeded))
        token = jwt.encode(
            {"alg": "Ed25519", "kid": "not-ours"}, claims, stranger, algorithms=["Ed25519"]
        )
        response = await _me(client, token)
        assert (response.status_code, response.json()["detail"]) == (
            401,
            "Invalid token: unknown signing key.",
        )

    async def test_disabled_user(self, client: httpx.AsyncClient, acme_seeded: Accounts) -> None:
        await log_in_all(client, acme_seeded)
        disable = await client.patch(
            f"/api/v1/users/{acme_seeded.user_id('employee')}",
            json={"status": "disabled"},
            headers=acme_seeded.auth("client_admin"),
        )
        assert disable.status_code == 200
        response = await client.get("/api/v1/me", headers=acme_seeded.auth("employee"))
        assert response.status_code == 401
        assert "no longer active" in response.json()["detail"]

    async def test_suspended_tenant(
        self, client: httpx.AsyncClient, acme_seeded: Accounts, db: Database
    ) -> None:
        await log_in_all(client, acme_seeded)
        staff = await log_in_all(client, await seed_platform(db))
        suspend = await client.patch(
            f"/api/v1/platform/tenants/{acme_seeded.tenant_id}",
            json={"status": "suspended"},
            headers=staff.auth("platform_admin"),
        )
        assert suspend.status_code == 200
        response = await client.get("/api/v1/me", headers=acme_seeded.auth("client_admin"))
        assert response.status_code == 401
        assert (
            await token_pair(client, acme_seeded.email("client_admin"), "acme")
        ).status_code == 401


class TestRefreshTokens:
    async def _refresh(self, client: httpx.AsyncClient, token: str) -> httpx.Response:
        return await client.post("/api/v1/auth/refresh", json={"refresh_token": token})

    async def test_rotation_and_reuse_revokes_the_family(
        self, client: httpx.AsyncClient, acme_seeded: Accounts
    ) -> None:
        first = (await token_pair(client, acme_seeded.email("employee"), "acme")).json()[
            "refresh_token"
        ]
        rotated = await self._refresh(client, first)
        assert rotated.status_code == 200
        second = rotated.json()["refresh_token"]
        assert (
            second != first
            and (await _me(client, rotated.json()["access_token"])).status_code == 200
        )

        reuse = await self._refresh(client, first)
        assert (reuse.status_code, reuse.json()["detail"]) == (
            401,
            "Invalid refresh token: refresh token reused.",
        )
        assert (await self._refresh(client, second)).status_code == 401

    async def test_logout_revokes(self, client: httpx.AsyncClient, acme_seeded: Accounts) -> None:
        token = (await token_pair(client, acme_seeded.email("employee"), "acme")).json()[
            "refresh_token"
        ]
        assert (
            await client.post("/api/v1/auth/logout", json={"refresh_token": token})
        ).status_code == 204
        assert (await self._refresh(client, token)).status_code == 401

    async def test_disabling_the_user_revokes(
        self, client: httpx.AsyncClient, acme_seeded: Accounts
    ) -> None:
        token = (await token_pair(client, acme_seeded.email("employee"), "acme")).json()[
            "refresh_token"
        ]
        await log_in_all(client, acme_seeded)
        await client.patch(
            f"/api/v1/users/{acme_seeded.user_id('employee')}",
            json={"status": "disabled"},
            headers=acme_seeded.auth("client_admin"),
        )
        assert (await self._refresh(client, token)).status_code == 401

    async def test_garbage_refresh_token(self, client: httpx.AsyncClient) -> None:
        response = await self._refresh(client, "rt_not-a-real-token")
        assert response.status_code == 401


async def test_key_rotation_keeps_old_tokens_until_retired(
    client: httpx.AsyncClient, acme_seeded: Accounts, services: Services
) -> None:
    old_token = (await token_pair(client, acme_seeded.email("employee"), "acme")).json()[
        "access_token"
    ]
    old_kid = json.loads(base64.urlsafe_b64decode(old_token.split(".")[0] + "=="))["kid"]
    new_kid = await services.keys.rotate()

    new_token = (await token_pair(client, acme_seeded.email("employee"), "acme")).json()[
        "access_token"
    ]
    kids = {key["kid"] for key in (await client.get("/.well-known/jwks.json")).json()["keys"]}
    assert {old_kid, new_kid} <= kids
    assert json.loads(base64.urlsafe_b64decode(new_token.split(".")[0] + "=="))["kid"] == new_kid
    assert (await _me(client, old_token)).status_code == 200

    assert await services.keys.retire(old_kid)
    rejected = await _me(client, old_token)
    assert (rejected.status_code, rejected.json()["detail"]) == (
        401,
        "Invalid token: unknown signing key.",
    )
    assert (await _me(client, new_token)).status_code == 200


async def test_a_key_another_process_rotated_in_is_published_and_accepted_at_once(
    client: httpx.AsyncClient, acme_seeded: Accounts, services: Services, settings: Settings
) -> None:
    """A worker or the CLI signing with a key it just added (a certificate, a token): the
    API's JWKS lists it and the API verifies it at once, not after its cache expires."""
    await client.get("/.well-known/jwks.json")  # the API has loaded its ring
    elsewhere = build_services(settings, services.database)  # another process's services
    new_kid = await elsewhere.keys.rotate()

    kids = {key["kid"] for key in (await client.get("/.well-known/jwks.json")).json()["keys"]}
    assert new_kid in kids
    signed_elsewhere = await elsewhere.tokens.issue(
        acme_seeded.user_id("employee"), acme_seeded.tenant_id, "employee"
    )
    assert (
        json.loads(base64.urlsafe_b64decode(signed_elsewhere.split(".")[0] + "=="))["kid"]
        == new_kid
    )
    assert (await _me(client, signed_elsewhere)).status_code == 200


async def test_a_token_verified_before_still_expires_and_its_retired_key_still_refuses(
    client: httpx.AsyncClient,
    acme_seeded: Accounts,
    services: Services,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The process keeps the tokens it verified (timeward.auth.tokens): a second use skips
    the signature check, never the expiry, the lifetime or the signing key's retirement."""
    employee = acme_seeded.email("employee")
    token = (await token_pair(client, employee, "acme")).json()["access_token"]
    assert (await _me(client, token)).status_code == 200
    assert (await _me(client, token)).status_code == 200  # the verified token, kept

    past_its_expiry = time.time() + 900 + 31  # lifetime and leeway
    monkeypatch.setattr(time, "time", lambda: past_its_expiry)
    expired = await _me(client, token)
    assert (expired.status_code, expired.json()["detail"]) == (401, "Invalid token: token expired.")
    monkeypatch.undo()

    kept = (await token_pair(client, employee, "acme")).json()["access_token"]
    assert (await _me(client, kept)).status_code == 200
    await services.keys.rotate()
    assert (await _me(client, kept)).status_code == 200  # its key is still trusted
    assert await services.keys.retire(_claims_header_kid(kept))
    refused = await _me(client, kept)
    assert (refused.status_code, refused.json()["detail"]) == (
        401,
        "Invalid token: unknown signing key.",
    )


def _claims_header_kid(token: str) -> str:
    return str(json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))["kid"])
