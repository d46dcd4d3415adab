"""The signed unsubscribe link of optional mail (RFC 8058 one-click, and a confirm page).

The token names the tenant, the member and the topic, with an HMAC under a key derived
from the master key: nothing is stored, it works without signing in, and it can only
switch that one topic off for that one person. It does not expire (a mail read months
later must still unsubscribe; switching a topic off harms nobody).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from uuid import UUID

from timeward.config import ProcessorSettings
from timeward.crypto.master_key import derive_key
from timeward.links import link
from timeward.mail.categories import OptionalMail, Topic

UNSUBSCRIBE_PURPOSE = "mail-unsubscribe"
UNSUBSCRIBE_PATH = "/mail/unsubscribe"
PREFERENCES_PATH = "/my/mail"


@dataclass(frozen=True)
class Unsubscribe:
    tenant_id: UUID
    user_id: UUID
    topic: Topic


def _mac(master_key: bytes, payload: str) -> str:
    key = derive_key(master_key, UNSUBSCRIBE_PURPOSE)
    # surrogatepass: a path may carry anything; it must fail the comparison, not raise
    digest = hmac.new(key, payload.encode("utf-8", "surrogatepass"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def unsubscribe_token(master_key: bytes, tenant_id: UUID, user_id: UUID, topic: Topic) -> str:
    payload = f"{tenant_id.hex}.{user_id.hex}.{topic.value}"
    return f"{payload}.{_mac(master_key, payload)}"


def read_token(master_key: bytes, token: str) -> Unsubscribe | None:
    """What a token unsubscribes, or None when it was not made by this deployment."""
    parts = token.split(".")
    if len(parts) != 4:
        return None
    payload, mac = ".".join(parts[:3]), parts[3]
    expected = _mac(master_key, payload).encode()
    if not hmac.compare_digest(expected, mac.encode("utf-8", "surrogatepass")):
        return None
    try:
        return Unsubscribe(UUID(hex=parts[0]), UUID(hex=parts[1]), Topic(parts[2]))
    except ValueError:
        return None


def optional_mail(
    master_key: bytes, processor: ProcessorSettings, tenant_id: UUID, user_id: UUID, topic: Topic
) -> OptionalMail:
    token = unsubscribe_token(master_key, tenant_id, user_id, topic)
    sender = f"{processor.name}, {processor.postal_address}"
    return OptionalMail(topic, user_id, link(f"{UNSUBSCRIBE_PATH}/{token}"), sender)
