"""Digest arithmetic of the audit hash chain (pure functions).

Each event's digest covers the previous digest, the event's non-personal fields
and an ``identity_digest``: a keyed HMAC of the personal references (actor and
subject). Erasure may later replace those references by a pseudonym without
touching ``identity_digest``, so the chain still verifies while the identity is
gone. See docs/audit-log.md.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

GENESIS = bytes(32)


@dataclass(frozen=True)
class ChainedFields:
    tenant_id: UUID
    seq: int
    id: UUID
    at: datetime
    actor_role: str | None
    action: str
    subject_type: str | None
    request_id: str | None
    details: dict[str, Any]

    def canonical(self) -> bytes:
        body = {
            "tenant_id": str(self.tenant_id),
            "seq": self.seq,
            "id": str(self.id),
            "at": self.at.isoformat(),
            "actor_role": self.actor_role,
            "action": self.action,
            "subject_type": self.subject_type,
            "request_id": self.request_id,
            "details": self.details,
        }
        return json.dumps(body, sort_keys=True, separators=(",", ":"), default=str).encode()


def identity_digest(key: bytes, actor_id: UUID | None, subject_id: UUID | None) -> bytes:
    message = f"{actor_id or ''}|{subject_id or ''}".encode()
    return hmac.new(key, message, hashlib.sha256).digest()


def link_digest(prev_digest: bytes, fields: ChainedFields, identity: bytes) -> bytes:
    return hashlib.sha256(prev_digest + fields.canonical() + identity).digest()
