"""Receipt tokens: the capability behind an instruction's public links.

An offboarding closes the client's access before its data is deleted, so the client
follows the instruction, downloads the returned data and fetches the certificate through
links carrying this token (given once in the creation response and in the delivery
notice). It is derived, not stored: an HMAC of the instruction id under a key derived
from the master key, compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
from uuid import UUID

from timeward.crypto.master_key import derive_key

RECEIPT_PURPOSE = "instruction-receipts"
PUBLIC_BASE = "/api/v1/public/instructions"


def receipt_token(master_key: bytes, instruction_id: UUID) -> str:
    key = derive_key(master_key, RECEIPT_PURPOSE)
    return hmac.new(key, instruction_id.bytes, hashlib.sha256).hexdigest()


def check_receipt_token(master_key: bytes, instruction_id: UUID, token: str) -> bool:
    # Bytes, not str: compare_digest raises on non-ASCII text (the fuzzer sends some).
    expected = receipt_token(master_key, instruction_id).encode()
    return hmac.compare_digest(expected, token.encode("utf-8", "surrogatepass"))


def receipt_links(master_key: bytes, public_url: str, instruction_id: UUID) -> dict[str, str]:
    """The instruction's public links: its status, the returned data, the certificate."""
    token = receipt_token(master_key, instruction_id)
    base = f"{public_url.rstrip('/')}{PUBLIC_BASE}/{instruction_id}"
    return {
        name: f"{base}{suffix}?token={token}"
        for name, suffix in (("status", ""), ("export", "/export"), ("certificate", "/certificate"))
    }
