"""Request and response structs of the webhook routes (no I/O)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec

from timeward.fields import ONE_LINE, Body

Url = Annotated[str, msgspec.Meta(min_length=8, max_length=2000, pattern=r"^https?://\S+$")]
EventType = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
Description = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=ONE_LINE)]


class NewEndpointBody(Body):
    url: Url
    events: Annotated[list[EventType], msgspec.Meta(min_length=1, max_length=20)]
    description: Description | None = None
    allow_private_network: bool = False  # development deployments only


class EndpointView(msgspec.Struct):
    id: UUID
    url: str
    events: list[str]
    description: str | None
    allow_private_network: bool
    created_at: datetime
    disabled_at: datetime | None
    disabled_reason: str | None


class RegisteredEndpointView(msgspec.Struct):
    endpoint: EndpointView
    secret: str  # whsec_…, shown once


class DeliveryView(msgspec.Struct):
    id: UUID
    event_id: UUID
    event_type: str
    status: str
    attempts: int
    last_status_code: int | None
    last_latency_ms: int | None
    last_error: str | None
    created_at: datetime
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    redelivery_of: UUID | None
