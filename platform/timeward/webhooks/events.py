"""Emitting a tenant's webhook events from the domain services, in their transaction.

``emit`` writes the event (the outbox row) and one pending delivery per enabled endpoint
that subscribed to its type, and starts each endpoint's delivery job after the caller's
transaction commits; a rolled-back change emits nothing. Payloads carry ids, types,
statuses and dates, never personal data: the receiver fetches details with its token.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from tenants.privacy_requests.transitions import open_dsr_status
from timeward import clock
from timeward.db.base import new_id
from timeward.jobs.after_commit import start_after_commit
from timeward.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent

EVENT_TYPES = (
    "privacy_request.filed",
    "privacy_request.status_changed",
    "privacy_request.due_soon",
    "instruction.status_changed",
    "instruction.certificate_issued",
    "breach.notified",
    "sub_processor.changed",
)
DELIVERY_JOB = "deliver_webhooks"
OPENDSR = "opendsr"  # the kind of endpoint that is an OpenDSR status callback URL

Plain = str | int | bool | None


def plain(value: object) -> Plain:
    """JSON of an id, a date, an instant, a status (a str enum), a number or nothing."""
    if isinstance(value, date | datetime):
        return value.isoformat()
    if value is None or isinstance(value, bool | int):
        return value
    return str(value)


async def emit(
    session: AsyncSession,
    tenant_id: UUID,
    event_type: str,
    data: Mapping[str, object],
    *,
    dedupe_key: str | None = None,
) -> UUID | None:
    """Record the event and queue it for every subscribed endpoint (None when there is
    none); with ``dedupe_key``, an event already emitted under that key is not emitted
    again (None)."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown webhook event type {event_type!r}")
    endpoints = await session.execute(
        select(
            WebhookEndpoint.id,
            WebhookEndpoint.kind,
            WebhookEndpoint.instruction_id,
            WebhookEndpoint.context,
        ).where(
            WebhookEndpoint.tenant_id == tenant_id,
            WebhookEndpoint.events.contains([event_type]),  # a disabled one's wait for it
        )
    )
    now = clock.now()
    payload: dict[str, Any] = {
        "type": event_type,
        "timestamp": now.isoformat(),
        "data": {key: plain(value) for key, value in data.items()},
    }
    targets = [
        endpoint_id
        for endpoint_id, kind, instruction_id, context in endpoints.all()
        if kind != OPENDSR or _opendsr_change(payload["data"], instruction_id, context or {})
    ]
    if not targets:  # nobody listens: nothing is kept (an offboarded tenant keeps no events)
        return None
    event_id: UUID | None = await session.scalar(
        insert(WebhookEvent)
        .values(
            tenant_id=tenant_id,
            id=new_id(),
            event_type=event_type,
            payload=payload,
            dedupe_key=dedupe_key,
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=["tenant_id", "dedupe_key"])
        .returning(WebhookEvent.id)
    )
    if event_id is None:
        return None
    for endpoint_id in targets:
        await queue_delivery(session, tenant_id, endpoint_id, event_id)
    return event_id


def opendsr_statuses(data: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """The OpenDSR status an event's instruction or privacy request has, and had."""
    if "instruction_id" in data:
        return data.get("opendsr_status"), data.get("previous_opendsr_status")
    return open_dsr_status(data.get("status")), open_dsr_status(data.get("previous_status"))


def _opendsr_change(
    data: dict[str, Any], instruction_id: UUID | None, context: dict[str, Any]
) -> bool:
    """An OpenDSR callback URL hears of its own request's instruction (an erasure) or
    privacy request (an export), when the OpenDSR status moves."""
    if instruction_id is not None:
        if data.get("instruction_id") != str(instruction_id):
            return False
    elif data.get("request_id") != context.get("privacy_request_id"):
        return False
    current, previous = opendsr_statuses(data)
    return current != previous


async def queue_delivery(
    session: AsyncSession,
    tenant_id: UUID,
    endpoint_id: UUID,
    event_id: UUID,
    redelivery_of: UUID | None = None,
) -> WebhookDelivery:
    delivery = WebhookDelivery(
        tenant_id=tenant_id,
        id=new_id(),
        endpoint_id=endpoint_id,
        event_id=event_id,
        status="pending",
        attempts=0,
        next_attempt_at=clock.now(),
        redelivery_of=redelivery_of,
    )
    session.add(delivery)
    await session.flush()
    start_after_commit(session, DELIVERY_JOB, str(tenant_id), str(endpoint_id))
    return delivery
