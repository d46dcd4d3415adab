"""Receipt tokens: the capability behind an instruction's public links.

An offboarding closes the client's access before its data is deleted, so the client
follows the instruction, downloads the returned data and fetches the certificate through
links carrying this token (given once in the creation response and in the delivery
notice). It is derived, not stored: an HMAC of the instruction id under a key derived
from the master key, compared in constant time.
"""

from __future__ import annotations

from uuid import UUID

from timeward.crypto.link_tokens import check_link_token, link_token

RECEIPT_PURPOSE = "instruction-receipts"
PUBLIC_BASE = "/api/v1/public/instructions"


def receipt_token(master_key: bytes, instruction_id: UUID) -> str:
    return link_token(master_key, RECEIPT_PURPOSE, instruction_id)


def check_receipt_token(master_key: bytes, instruction_id: UUID, token: str) -> bool:
    return check_link_token(master_key, RECEIPT_PURPOSE, token, instruction_id)


def receipt_links(master_key: bytes, public_url: str, instruction_id: UUID) -> dict[str, str]:
    """The instruction's public links: its status, the returned data, the certificate."""
    token = receipt_token(master_key, instruction_id)
    base = f"{public_url.rstrip('/')}{PUBLIC_BASE}/{instruction_id}"
    return {
        name: f"{base}{suffix}?token={token}"
        for name, suffix in (("status", ""), ("export", "/export"), ("certificate", "/certificate"))
    }
