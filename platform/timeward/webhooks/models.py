"""Webhook endpoints of a tenant, the events emitted to them and each delivery."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import BigInteger, DateTime, Identity, LargeBinary, String, Text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from timeward.db.base import Base, CreatedAt, TenantScoped


class WebhookEndpoint(TenantScoped, CreatedAt, Base):
    __tablename__ = "webhook_endpoints"

    url: Mapped[str] = mapped_column(Text)
    events: Mapped[list[str]] = mapped_column(ARRAY(String(64)))
    description: Mapped[str | None] = mapped_column(String(200))
    # The signing secret is derived from the master key and this salt, never stored
    # (timeward.webhooks.signing): a new salt is a new secret.
    secret_salt: Mapped[bytes] = mapped_column(LargeBinary)
    allow_private_network: Mapped[bool] = mapped_column(default=False)
    created_by: Mapped[UUID]
    created_by_role: Mapped[str] = mapped_column(String(32))
    disabled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    disabled_reason: Mapped[str | None] = mapped_column(String(200))
    # "webhook" (Standard Webhooks, managed at /api/v1/webhooks) or "opendsr" (one status
    # callback URL of one OpenDSR request: only its instruction's events, signed by the
    # processor's key, docs/machine-api.md)
    kind: Mapped[str] = mapped_column(String(16), default="webhook")
    instruction_id: Mapped[UUID | None]
    context: Mapped[dict[str, Any] | None] = mapped_column(JSONB)


class WebhookEvent(TenantScoped, CreatedAt, Base):
    """One event of the tenant (an outbox row): ids, types, statuses, dates; no personal data."""

    __tablename__ = "webhook_events"

    event_type: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
    dedupe_key: Mapped[str | None] = mapped_column(String(200))


class WebhookDelivery(TenantScoped, CreatedAt, Base):
    """One event to one endpoint (or one OpenDSR callback URL): at least once, in order."""

    __tablename__ = "webhook_deliveries"

    seq: Mapped[int] = mapped_column(BigInteger, Identity(), unique=True)
    endpoint_id: Mapped[UUID]
    event_id: Mapped[UUID]
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_status_code: Mapped[int | None]
    last_latency_ms: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(String(200))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    redelivery_of: Mapped[UUID | None]
