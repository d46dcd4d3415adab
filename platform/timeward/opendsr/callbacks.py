"""Signing what the processor sends an OpenDSR controller: the response's
``processor_signature`` and the status callbacks' ``X-OpenDSR-Signature``.

Both are a JWS (RFC 7515) with a *detached* payload (``<header>..<signature>``), Ed25519
with the key ring's current key, the one that signs access tokens and certificates; its
public key is in the discovery document and at ``/.well-known/jwks.json``. To verify,
put the base64url of the exact bytes signed (the body, or the ``encoded_request``
string) between the dots and check the JWS against the key named by ``kid``.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from joserfc import jws

from timeward.auth.keys import ALGORITHM, KeyRing
from timeward.webhooks.events import opendsr_statuses

SIGNATURE_HEADER = "X-OpenDSR-Signature"
DOMAIN_HEADER = "X-OpenDSR-Processor-Domain"
API_VERSION = "2.0"
SIGNATURE_FORMAT = "JWS (RFC 7515) EdDSA/Ed25519, detached payload: <header>..<signature>"


async def sign_detached(keys: KeyRing, content: bytes) -> str:
    loaded = await keys.current()
    header = {"alg": ALGORITHM, "kid": str(loaded.signing.kid)}
    token = jws.serialize_compact(header, content, loaded.signing, algorithms=[ALGORITHM])
    protected, _, signature = token.split(".")
    return f"{protected}..{signature}"


def processor_domain(public_url: str) -> str:
    return urlsplit(public_url).hostname or "localhost"


def expected_completion(due_on: object) -> str | None:
    """The instruction's due date, as the end of that day in UTC."""
    if isinstance(due_on, str):
        due_on = date.fromisoformat(due_on)
    if not isinstance(due_on, date):
        return None
    return f"{due_on.isoformat()}T23:59:59Z"


class CallbackMessages:
    """The status callback of one request when its OpenDSR status moves (the delivery job
    of timeward.webhooks sends it, retried like a webhook)."""

    def __init__(self, keys: KeyRing, public_url: str) -> None:
        self._keys = keys
        self._domain = processor_domain(public_url)

    async def message(
        self, context: dict[str, Any], event: dict[str, Any]
    ) -> tuple[bytes, dict[str, str]]:
        data = event.get("data", {})
        body = {
            "api_version": API_VERSION,
            "controller_id": context.get("controller_id"),
            "subject_request_id": context.get("subject_request_id"),
            "request_status": opendsr_statuses(data)[0],
            "expected_completion_time": expected_completion(
                data.get("due_on") or data.get("due_date")
            ),
            "status_callback_url": context.get("status_callback_url"),
        }
        raw = json.dumps(body, separators=(",", ":"), sort_keys=True).encode()
        headers = {
            "content-type": "application/json",
            DOMAIN_HEADER: self._domain,
            SIGNATURE_HEADER: await sign_detached(self._keys, raw),
        }
        return raw, headers
