"""Webhook endpoints of a tenant (registered by a client admin or a machine client with
``webhooks:manage``) and their delivery: at least once, in order per endpoint, retried
with growing waits for about a day, then the endpoint is disabled and the admins told
(docs/machine-api.md)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol
from uuid import UUID

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from timeward import clock
from timeward.acting import SYSTEM, Acting
from timeward.audit.log import AuditEntry, AuditLog
from timeward.config import WebhookSettings
from timeward.db.queries import fetch_page
from timeward.errors import Conflict, InvalidInput, NotFound
from timeward.identity.models import Tenant
from timeward.identity.service import client_admins
from timeward.jobs.after_commit import start_after_commit
from timeward.mail.categories import Essential
from timeward.mail.service import queue_email
from timeward.paging import PageRequest
from timeward.webhooks import signing
from timeward.webhooks.addresses import UnsafeTarget, resolve
from timeward.webhooks.events import DELIVERY_JOB, EVENT_TYPES, OPENDSR, queue_delivery
from timeward.webhooks.messages import endpoint_disabled
from timeward.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from timeward.webhooks.sending import Attempt, post


@dataclass(frozen=True)
class NewEndpoint:
    url: str
    events: tuple[str, ...]
    description: str | None = None
    allow_private_network: bool = False


@dataclass(frozen=True)
class RegisteredEndpoint:
    endpoint: WebhookEndpoint
    secret: str  # whsec_…, shown once


def endpoint_secret(master_key: bytes, endpoint: WebhookEndpoint) -> bytes:
    return signing.endpoint_key(master_key, endpoint.tenant_id, endpoint.id, endpoint.secret_salt)


async def check_target(url: str, *, private_allowed: bool, field: str = "url") -> None:
    """A URL we may call now (422 naming ``field`` otherwise)."""
    try:
        await resolve(url, private_allowed=private_allowed)
    except UnsafeTarget as exc:
        raise InvalidInput.on_field(field, str(exc)) from exc


def private_allowed(settings: WebhookSettings, opted_in: bool) -> bool:
    return settings.private_networks and opted_in


async def register(
    session: AsyncSession,
    audit: AuditLog,
    tenant_id: UUID,
    spec: NewEndpoint,
    by: Acting,
    *,
    settings: WebhookSettings,
    master_key: bytes,
) -> RegisteredEndpoint:
    unknown = sorted(set(spec.events) - set(EVENT_TYPES))
    if unknown or not spec.events:
        message = f"unknown event type {unknown[0]!r}" if unknown else "name at least one"
        raise InvalidInput.on_field("events", message)
    if spec.allow_private_network and not settings.private_networks:
        raise InvalidInput.on_field(
            "allow_private_network", "private networks are not allowed on this deployment"
        )
    allowed = private_allowed(settings, spec.allow_private_network)
    await check_target(spec.url, private_allowed=allowed)
    assert by.user_id is not None
    endpoint = WebhookEndpoint(
        tenant_id=tenant_id,
        url=spec.url,
        events=sorted(set(spec.events)),
        description=spec.description,
        secret_salt=os.urandom(16),
        allow_private_network=spec.allow_private_network,
        created_by=by.user_id,
        created_by_role=by.role,
    )
    session.add(endpoint)
    await session.flush()
    details = {"events": endpoint.events, "private_network": spec.allow_private_network}
    entry = AuditEntry.by(by, "webhook.endpoint_created", "webhook_endpoint", endpoint.id, details)
    await audit.append(session, tenant_id, entry)
    secret = signing.secret_text(endpoint_secret(master_key, endpoint))
    return RegisteredEndpoint(endpoint, secret)


async def get_endpoint(
    session: AsyncSession, tenant_id: UUID, endpoint_id: UUID, *, lock: bool = False
) -> WebhookEndpoint:
    endpoint = await session.get(WebhookEndpoint, (tenant_id, endpoint_id), with_for_update=lock)
    if endpoint is None or endpoint.kind != "webhook":
        raise NotFound("Webhook endpoint")
    return endpoint


async def list_endpoints(
    session: AsyncSession, tenant_id: UUID, page: PageRequest
) -> list[WebhookEndpoint]:
    return await fetch_page(
        session,
        select(WebhookEndpoint)
        .where(WebhookEndpoint.tenant_id == tenant_id, WebhookEndpoint.kind == "webhook")
        .order_by(WebhookEndpoint.created_at, WebhookEndpoint.id),
        page,
    )


async def remove(
    session: AsyncSession, audit: AuditLog, tenant_id: UUID, endpoint_id: UUID, by: Acting
) -> None:
    endpoint = await get_endpoint(session, tenant_id, endpoint_id, lock=True)
    await session.execute(
        delete(WebhookDelivery).where(
            WebhookDelivery.tenant_id == tenant_id, WebhookDelivery.endpoint_id == endpoint.id
        )
    )
    await session.delete(endpoint)
    entry = AuditEntry.by(by, "webhook.endpoint_removed", "webhook_endpoint", endpoint_id)
    await audit.append(session, tenant_id, entry)


async def enable(
    session: AsyncSession, audit: AuditLog, tenant_id: UUID, endpoint_id: UUID, by: Acting
) -> WebhookEndpoint:
    """Re-enable a disabled endpoint: what waited is delivered again from the oldest."""
    endpoint = await get_endpoint(session, tenant_id, endpoint_id, lock=True)
    if endpoint.disabled_at is None:
        raise Conflict("This endpoint is enabled.")
    endpoint.disabled_at, endpoint.disabled_reason = None, None
    waiting = await session.scalars(
        select(WebhookDelivery).where(
            WebhookDelivery.tenant_id == tenant_id,
            WebhookDelivery.endpoint_id == endpoint_id,
            WebhookDelivery.status == "pending",
        )
    )
    for delivery in waiting.all():
        delivery.attempts, delivery.next_attempt_at = 0, clock.now()
    entry = AuditEntry.by(by, "webhook.endpoint_enabled", "webhook_endpoint", endpoint_id)
    await audit.append(session, tenant_id, entry)
    start_after_commit(session, DELIVERY_JOB, str(tenant_id), str(endpoint_id))
    return endpoint


async def list_deliveries(
    session: AsyncSession, tenant_id: UUID, endpoint_id: UUID, page: PageRequest
) -> list[tuple[WebhookDelivery, str]]:
    """The endpoint's delivery log, newest first, with each event's type."""
    await get_endpoint(session, tenant_id, endpoint_id)
    rows = await session.execute(
        select(WebhookDelivery, WebhookEvent.event_type)
        .join(
            WebhookEvent,
            (WebhookEvent.tenant_id == WebhookDelivery.tenant_id)
            & (WebhookEvent.id == WebhookDelivery.event_id),
        )
        .where(WebhookDelivery.tenant_id == tenant_id, WebhookDelivery.endpoint_id == endpoint_id)
        .order_by(WebhookDelivery.seq.desc())
        .limit(page.fetch)  # one more than a page: make_page tells if another follows
        .offset(page.offset)
    )
    return [(delivery, event_type) for delivery, event_type in rows.all()]


async def redeliver(
    session: AsyncSession,
    audit: AuditLog,
    tenant_id: UUID,
    endpoint_id: UUID,
    delivery_id: UUID,
    by: Acting,
) -> WebhookDelivery:
    """Send a delivered or failed event again, as a new delivery after the ones waiting."""
    endpoint = await get_endpoint(session, tenant_id, endpoint_id)
    original = await session.get(WebhookDelivery, (tenant_id, delivery_id))
    if original is None or original.endpoint_id != endpoint.id:
        raise NotFound("Webhook delivery")
    again = await queue_delivery(session, tenant_id, endpoint.id, original.event_id, original.id)
    details = {"redelivery_of": str(original.id)}
    entry = AuditEntry.by(by, "webhook.redelivered", "webhook_delivery", again.id, details)
    await audit.append(session, tenant_id, entry)
    return again


class CallbackSigner(Protocol):
    """Builds and signs an OpenDSR status callback (timeward.opendsr.callbacks)."""

    async def message(
        self, context: dict[str, Any], event: dict[str, Any]
    ) -> tuple[bytes, dict[str, str]]: ...


EARLY = timedelta(seconds=5)


@dataclass(frozen=True)
class Step:
    """What the delivery job does next: deliver the following one, stop, or come back."""

    more: bool = False
    retry_in: timedelta | None = None


async def deliver_next(
    session: AsyncSession,
    audit: AuditLog,
    tenant_id: UUID,
    endpoint_id: UUID,
    *,
    settings: WebhookSettings,
    master_key: bytes,
    callbacks: CallbackSigner,
) -> Step:
    """Attempt the endpoint's oldest pending delivery, holding the endpoint's row lock so
    one worker at a time delivers to it, in order. A later delivery waits for an earlier
    one that is being retried."""
    endpoint = await session.get(WebhookEndpoint, (tenant_id, endpoint_id), with_for_update=True)
    if endpoint is None or endpoint.disabled_at is not None:
        return Step()
    delivery = await session.scalar(
        select(WebhookDelivery)
        .where(
            WebhookDelivery.tenant_id == tenant_id,
            WebhookDelivery.endpoint_id == endpoint_id,
            WebhookDelivery.status == "pending",
        )
        .order_by(WebhookDelivery.seq)
        .limit(1)
    )
    if delivery is None:
        return Step()
    now = clock.now()
    if delivery.next_attempt_at > now:
        # The attempt that failed scheduled its own retry; a job woken a little early
        # comes back, any other stops (else every queued event would keep a timer).
        wait = delivery.next_attempt_at - now
        return Step(retry_in=wait) if wait <= EARLY else Step()
    event = await session.get(WebhookEvent, (tenant_id, delivery.event_id))
    assert event is not None
    if endpoint.kind == OPENDSR:
        body, headers = await callbacks.message(endpoint.context or {}, event.payload)
    else:
        body = json.dumps(event.payload, separators=(",", ":"), sort_keys=True).encode()
        key = endpoint_secret(master_key, endpoint)
        headers = signing.headers(key, f"msg_{event.id.hex}", int(now.timestamp()), body)
    attempt = await post(
        endpoint.url,
        body,
        headers,
        private_allowed=private_allowed(settings, endpoint.allow_private_network),
        seconds=settings.timeout_seconds,
    )
    return await _record(session, audit, endpoint, delivery, attempt, settings)


async def _record(
    session: AsyncSession,
    audit: AuditLog,
    endpoint: WebhookEndpoint,
    delivery: WebhookDelivery,
    attempt: Attempt,
    settings: WebhookSettings,
) -> Step:
    now = clock.now()
    delivery.attempts += 1
    delivery.last_status_code, delivery.last_latency_ms = attempt.status_code, attempt.latency_ms
    delivery.last_error = attempt.error
    if attempt.ok:
        delivery.status, delivery.delivered_at = "delivered", now
        return Step(more=True)
    waits = settings.retry_seconds
    if delivery.attempts <= len(waits):
        wait = timedelta(seconds=waits[delivery.attempts - 1])
        delivery.next_attempt_at = now + wait
        return Step(retry_in=wait)
    delivery.status = "failed"
    endpoint.disabled_at = now
    endpoint.disabled_reason = f"{delivery.attempts} failed attempts"
    if endpoint.kind == "webhook":  # a callback URL is the controller's tool's, not a setting
        await _tell_admins(session, audit, endpoint)
    return Step()


async def _tell_admins(session: AsyncSession, audit: AuditLog, endpoint: WebhookEndpoint) -> None:
    tenant = await session.get(Tenant, endpoint.tenant_id)
    assert tenant is not None
    admins = await client_admins(session, endpoint.tenant_id)
    subject, body = endpoint_disabled(endpoint, tenant.name)
    for admin in admins:
        await queue_email(
            session, endpoint.tenant_id, admin.email, subject, body, category=Essential.SERVICE
        )
    details = {"recipients": len(admins)}
    entry = AuditEntry.by(
        SYSTEM, "webhook.endpoint_disabled", "webhook_endpoint", endpoint.id, details
    )
    await audit.append(session, endpoint.tenant_id, entry)


async def stranded_endpoints(session: AsyncSession, tenant_id: UUID) -> list[UUID]:
    """Enabled endpoints with a delivery due now: what a lost message would strand."""
    rows = await session.scalars(
        select(WebhookDelivery.endpoint_id)
        .join(
            WebhookEndpoint,
            (WebhookEndpoint.tenant_id == WebhookDelivery.tenant_id)
            & (WebhookEndpoint.id == WebhookDelivery.endpoint_id),
        )
        .where(
            WebhookDelivery.tenant_id == tenant_id,
            WebhookDelivery.status == "pending",
            WebhookDelivery.next_attempt_at <= clock.now(),
            WebhookEndpoint.disabled_at.is_(None),
        )
        .distinct()
    )
    return list(rows.all())
