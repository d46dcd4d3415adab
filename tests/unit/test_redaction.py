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
