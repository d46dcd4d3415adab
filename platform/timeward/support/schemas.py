"""Request and response structs of the support-grant routes (no I/O)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec

from timeward.fields import AwareDateTime, Body

Hours = Annotated[int, msgspec.Meta(ge=1, le=72)]
Reason = Annotated[str, msgspec.Meta(min_length=5, max_length=2000)]


class GrantRequestBody(Body):
    reason: Reason
    hours: Hours
    staff_user_id: UUID | None = None
    starts_at: AwareDateTime | None = None


class GrantView(msgspec.Struct):
    id: UUID
    tenant_id: UUID
    reason: str
    staff_user_id: UUID | None
    starts_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
