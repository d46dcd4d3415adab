"""Response structs of the in-app notification routes (no I/O)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec


class NotificationView(msgspec.Struct):
    id: UUID
    kind: str
    title: str
    body: str
    created_at: datetime
    read_at: datetime | None
