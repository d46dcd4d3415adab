"""Remove personal data from log events before they are rendered.

Keys that name personal data are masked whatever their value; free-text values
are scanned for e-mail addresses, bearer tokens and phone-like numbers.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, MutableMapping
from typing import Any

REDACTED = "[redacted]"

PERSONAL_KEYS = frozenset(
    {
        "email",
        "name",
        "full_name",
        "first_name",
        "last_name",
        "phone",
        "address",
        "postal_address",
        "latitude",
        "longitude",
        "lat",
        "lon",
        "lng",
        "accuracy",
        "location",
        "password",
        "token",
        "access_token",
        "refresh_token",
        "authorization",
        "cookie",
        "secret",
        "client_secret",  # single sign-on (timeward.sso): the client's secret at the IdP,
        "id_token",  # the provider's ID token,
        "code",  # the authorization code,
        "code_verifier",  # the PKCE verifier,
        "state",  # the sign-in's state (its secret half is a credential until used),
        "nonce",
        "notes",
        "description",
    }
)

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_BEARER = re.compile(r"(?i)bearer\s+[A-Za-z0-9._~+/=-]+")
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")
# Opaque secrets (timeward.auth.opaque): refresh tokens, invitation and reset links, web
# session cookies, single sign-on states and their browser bindings, machine clients'
# secrets (tws_) and webhook signing secrets (whsec_).
_OPAQUE = re.compile(r"\b(?:rt|iv|pr|bs|ss|sb|tws|whsec)_[A-Za-z0-9_+/=-]{20,}")
# OAuth/OIDC parameters in a URL (a callback's Location header, say): the value goes.
_URL_SECRET = re.compile(
    r"(?i)([?&#](?:code|state|id_token|access_token|refresh_token|client_secret|code_verifier"
    r"|nonce|session_state)=)[^&\s'\"#]+"
)
_PHONE = re.compile(r"(?<![\w:.-])(?:\+|00)\d{1,3}[\s./-]?(?:\(\d+\)[\s./-]?)?\d+(?:[\s./-]?\d+)+")
SAFE_KEYS = frozenset({"timestamp", "level", "request_id", "logger", "route"})
# Every log line repeats the same keys and many of the same short values (the event's
# name, the method, tenant and actor ids), so what was decided for them is kept: a key's
# verdict, and the short texts in which no pattern found anything (written out as they are
# anyway, so this keeps nothing that redaction would remove). Bounded, emptied when full.
_PERSONAL_KEY_CACHE: dict[str, bool] = {}
_CLEAN_TEXTS: dict[str, bool] = {}
_CACHE_SIZE = 4096
_CLEAN_TEXT_LENGTH = 200


def _is_personal_key(key: str) -> bool:
    known = _PERSONAL_KEY_CACHE.get(key)
    if known is None:
        lowered = key.lower()
        known = lowered in PERSONAL_KEYS or lowered.endswith(
            ("_email", "_token", "_password", "_secret")
        )
        _remember(_PERSONAL_KEY_CACHE, key, known)
    return known


def _remember(cache: dict[str, bool], key: str, value: bool) -> None:
    if len(cache) >= _CACHE_SIZE:
        cache.clear()
    cache[key] = value


def redact_text(text: str) -> str:
    if text in _CLEAN_TEXTS:
        return text
    redacted = _URL_SECRET.sub(rf"\1{REDACTED}", text)
    for pattern in (_BEARER, _JWT, _OPAQUE, _EMAIL, _PHONE):
        redacted = pattern.sub(REDACTED, redacted)
    if redacted == text and len(text) <= _CLEAN_TEXT_LENGTH:
        _remember(_CLEAN_TEXTS, text, True)
    return redacted


def redact_value(value: Any) -> Any:
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, Mapping):
        return redact_mapping(value)
    if isinstance(value, list | tuple | set):
        return [redact_value(item) for item in value]
    return value


def redact_mapping(data: Mapping[str, Any]) -> dict[str, Any]:
    return {key: _redact_item(str(key), value) for key, value in data.items()}


def _redact_item(key: str, value: Any) -> Any:
    if key in SAFE_KEYS:
        return value
    return REDACTED if _is_personal_key(key) else redact_value(value)


def redact_event(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> dict[str, Any]:
    """structlog processor: the last step before rendering."""
    return redact_mapping(event_dict)
