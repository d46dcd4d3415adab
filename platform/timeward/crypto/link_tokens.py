"""Capability tokens of public links: an HMAC of the ids a link names under a key derived
from the master key for one purpose. Derived, never stored; checked in constant time."""

from __future__ import annotations

import hashlib
import hmac
from uuid import UUID

from timeward.crypto.master_key import derive_key


def link_token(master_key: bytes, purpose: str, *ids: UUID) -> str:
    key = derive_key(master_key, purpose)
    return hmac.new(key, b"".join(i.bytes for i in ids), hashlib.sha256).hexdigest()


def check_link_token(master_key: bytes, purpose: str, token: str, *ids: UUID) -> bool:
    # Bytes, not str: compare_digest raises on non-ASCII text (the fuzzer sends some).
    expected = link_token(master_key, purpose, *ids).encode()
    return hmac.compare_digest(expected, token.encode("utf-8", "surrogatepass"))
