"""Unit tests for log redaction (pure logic)."""

from __future__ import annotations

from timeward.observability.redaction import REDACTED, redact_event, redact_text


def test_personal_keys_are_masked_whatever_the_value() -> None:
    event = {
        "event": "employee.created",
        "email": "ada@example.com",
        "latitude": 52.52,
        "password": "hunter2",
        "refresh_token": "abc",
        "tenant_id": "3f0c",
        "count": 3,
    }
    out = redact_event(None, "info", event)
    assert out == {
        "event": "employee.created",
        "email": REDACTED,
        "latitude": REDACTED,
        "password": REDACTED,
        "refresh_token": REDACTED,
        "tenant_id": "3f0c",
        "count": 3,
    }


def test_free_text_is_scanned_for_emails_tokens_and_phones() -> None:
    text = "mail ada@example.com, call +49 30 1234567, auth Bearer eyJa.eyJb.sig"
    assert redact_text(text) == f"mail {REDACTED}, call {REDACTED}, auth {REDACTED}"


def test_nested_values_and_timestamps() -> None:
    out = redact_event(
        None,
        "info",
        {"timestamp": "2026-11-21T23:31:00Z", "details": {"name": "Ada", "ids": ["x@y.io", 7]}},
    )
    assert out["timestamp"] == "2026-11-21T23:31:00Z"
    assert out["details"] == {"name": REDACTED, "ids": [REDACTED, 7]}


def test_single_sign_on_secrets_never_reach_a_log_line() -> None:
    """The client secret, the authorization code, the state, the PKCE verifier, the nonce
    and the ID token (timeward.sso), by key and in free text."""
    id_token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"
    event = {
        "event": "sso.debug",
        "client_secret": "s3cret",
        "sso_client_secret": "s3cret",
        "id_token": id_token,
        "code": "abc123",
        "code_verifier": "v" * 43,
        "state": "0b7c.ss_" + "a" * 43,
        "nonce": "n0nce",
        "reason": "bad_token",
        "tenant_id": "3f0c",
    }
    out = redact_event(None, "info", event)
    secret_keys = set(event) - {"event", "reason", "tenant_id"}
    assert {key: out[key] for key in secret_keys} == dict.fromkeys(secret_keys, REDACTED)
    assert out["reason"] == "bad_token" and out["tenant_id"] == "3f0c"
    text = f"callback with id_token {id_token} state 0b7c.ss_{'a' * 43} browser sb_{'b' * 43}"
    assert (
        redact_text(text)
        == f"callback with id_token {REDACTED} state 0b7c.{REDACTED} browser {REDACTED}"
    )


def test_oauth_parameters_in_urls_are_masked() -> None:
    location = "http://app/sso/callback?code=Abc-123_x&state=t.ss_secret&iss=http%3A%2F%2Fidp"
    assert redact_text(location) == (
        f"http://app/sso/callback?code={REDACTED}&state={REDACTED}&iss=http%3A%2F%2Fidp"
    )
