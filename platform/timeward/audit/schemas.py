"""Response structs of the audit routes (no I/O)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec


class AuditEventView(msgspec.Struct):
    seq: int
    id: UUID
    at: datetime
    action: str
    actor_id: UUID | None
    actor_role: str | None
    subject_type: str | None
    subject_id: UUID | None
    request_id: str | None
    details: dict[str, Any]


class ChainReport(msgspec.Struct, omit_defaults=True):
    intact: bool
    first_broken_seq: int | None = None
    reason: str | None = None
