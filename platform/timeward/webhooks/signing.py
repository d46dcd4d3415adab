"""Standard Webhooks signatures (docs/machine-api.md, "Verifying a webhook").

Each message carries ``webhook-id``, ``webhook-timestamp`` (Unix seconds) and
``webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">``, keyed by the
endpoint's secret ``whsec_<base64 key>``. The key is derived from the master key and the
endpoint's random salt (HKDF then HMAC), so no secret is stored: the same deployment
derives the same key, a new salt is a new secret.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from uuid import UUID

from timeward.crypto.master_key import derive_key

SECRET_PREFIX = "whsec_"
KEY_PURPOSE = "webhook-signing"


def endpoint_key(master_key: bytes, tenant_id: UUID, endpoint_id: UUID, salt: bytes) -> bytes:
    root = derive_key(master_key, KEY_PURPOSE)
    message = tenant_id.bytes + endpoint_id.bytes + salt
    return hmac.new(root, message, hashlib.sha256).digest()


def secret_text(key: bytes) -> str:
    """The ``whsec_…`` form the receiver is given once."""
    return SECRET_PREFIX + base64.b64encode(key).decode()


def signature(key: bytes, message_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{message_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def headers(key: bytes, message_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(key, message_id, timestamp, body),
        "content-type": "application/json",
    }
