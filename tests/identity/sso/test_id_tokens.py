"""ID tokens a certified provider would never send, crafted by the test and served by a
small fake provider (tests/fixtures/sso.py): each is refused with a 4xx page and no
session. The real flows run against oidc-provider (test_sign_in.py)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey

from tests.accountability.support import audit_events
from tests.accounts import Accounts
from tests.fixtures.sso import FakeProvider, SsoServer, signing_key
from tests.identity.sso.flows import configure, start
from tests.web.pages import page_client


async def _flow(sso_server: SsoServer, acme: Accounts, fake: FakeProvider) -> Any:
    async with page_client(sso_server.base_url) as browser:
        saved = await configure(browser, acme, fake.issuer())
        assert saved.status_code == 200, saved.text
        authorize = await browser.get(await start(browser, "acme"))
        assert authorize.status_code == 302
        answer = await browser.get(authorize.headers["location"])
        home = await browser.get("/home")
        return answer, home


async def test_the_fake_provider_s_honest_token_signs_in(
    acme: Accounts, fake_idp: FakeProvider, sso_server: SsoServer
) -> None:
    """The control: without tampering the same flow succeeds, so each refusal below is
    the tampering's doing."""
    answer, home = await _flow(sso_server, acme, fake_idp)
    assert answer.headers.get("location") == "/home", answer.text
    assert home.status_code == 200


def _unsigned(claims: dict[str, Any]) -> str:
    import base64
    import json

    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


NOW = int(time.time())
TAMPERING = {
    "wrong nonce": {"claims": {"nonce": "not-the-nonce"}},
    "expired": {"claims": {"exp": NOW - 3600, "iat": NOW - 3900}},
    "another audience": {"claims": {"aud": "someone-else"}},
    "another issuer": {"claims": {"iss": "https://evil.example"}},
    "several audiences without azp": {"claims": {"aud": ["timeward-test", "other"]}},
    "signed by another key, same kid": {"sign_with": "other"},
    "signed by an unknown key": {"sign_with": "other", "header": {"kid": "unknown-kid"}},
    "HS256 with the client secret": {"header": {"alg": "HS256"}},
    "issued in the future": {
        "claims": {"iat": int(time.time()) + 3600, "exp": int(time.time()) + 7200}
    },
    "issued an hour ago, still unexpired": {"claims": {"iat": int(time.time()) - 3600}},
    "authorized party another client": {"claims": {"azp": "other-client"}},
}


@pytest.mark.parametrize("case", sorted(TAMPERING))
async def test_a_tampered_id_token_is_refused(
    case: str, acme: Accounts, fake_idp: FakeProvider, sso_server: SsoServer
) -> None:
    tampering = TAMPERING[case]
    fake_idp.claims = dict(tampering.get("claims", {}))
    fake_idp.header = dict(tampering.get("header", {}))
    if tampering.get("sign_with"):
        fake_idp.sign_with = signing_key(fake_idp.key["kid"])
    answer, home = await _flow(sso_server, acme, fake_idp)
    assert answer.status_code == 403, (case, answer.status_code, answer.text[:300])
    assert "could not be verified" in answer.text
    assert home.status_code == 303  # no session


async def test_alg_none_is_refused(
    acme: Accounts, fake_idp: FakeProvider, sso_server: SsoServer, client: Any
) -> None:
    now = int(time.time())
    fake_idp.raw_token = _unsigned(
        {"iss": fake_idp.issuer(), "aud": "timeward-test", "sub": "x", "iat": now,
         "exp": now + 300, "email": "employee@acme.example", "email_verified": True}
    )  # fmt: skip
    answer, home = await _flow(sso_server, acme, fake_idp)
    assert answer.status_code == 403
    assert home.status_code == 303
    failures = await audit_events(client, acme.auth("client_admin"), "auth.sso_failed")
    assert [f["details"]["reason"] for f in failures] == ["bad_token"]
    assert failures[0]["details"]["issuer"] == fake_idp.issuer()


def test_the_fake_keys_really_differ() -> None:
    """A guard on the test itself: "another key" is another key."""
    one, two = RSAKey.import_key(signing_key("a")), RSAKey.import_key(signing_key("a"))
    token = jwt.encode({"alg": "RS256"}, {"x": 1}, one, algorithms=["RS256"])
    with pytest.raises(Exception, match="signature"):
        jwt.decode(token, two, algorithms=["RS256"])


async def test_a_token_endpoint_too_slow_is_a_page_that_says_so(
    acme: Accounts, fake_idp: FakeProvider, sso_server: SsoServer
) -> None:
    fake_idp.token_delay = 5.0  # the test server waits 3 s
    answer, home = await _flow(sso_server, acme, fake_idp)
    assert answer.status_code == 424
    assert "not answering right now" in answer.text
    assert home.status_code == 303


async def test_unknown_key_ids_refetch_the_key_set_at_most_once_a_second(
    acme: Accounts, fake_idp: FakeProvider, sso_server: SsoServer
) -> None:
    """The test server may fetch a key set again once a second: a burst of tokens with
    made-up key ids costs one fetch, not one each."""
    await asyncio.sleep(1.1)  # whatever earlier tests fetched is now old enough
    fake_idp.sign_with = signing_key("made-up")
    fake_idp.header = {"kid": "made-up"}
    before = fake_idp.jwks_fetches
    first, _ = await _flow(sso_server, acme, fake_idp)
    second, _ = await _flow(sso_server, acme, fake_idp)
    assert first.status_code == second.status_code == 403
    # one for saving the configuration each time (discovery checks the key set), and one
    # refetch for the first unknown key id only
    assert fake_idp.jwks_fetches - before == 2 + 1
    await asyncio.sleep(1.1)
    third, _ = await _flow(sso_server, acme, fake_idp)
    assert third.status_code == 403
    assert fake_idp.jwks_fetches - before == 3 + 2
