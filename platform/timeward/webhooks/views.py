"""Response views of webhook endpoints and their delivery log."""

from __future__ import annotations

from timeward.webhooks.models import WebhookDelivery, WebhookEndpoint
from timeward.webhooks.schemas import DeliveryView, EndpointView, RegisteredEndpointView
from timeward.webhooks.service import RegisteredEndpoint


def endpoint_view(endpoint: WebhookEndpoint) -> EndpointView:
    return EndpointView(
        id=endpoint.id,
        url=endpoint.url,
        events=list(endpoint.events),
        description=endpoint.description,
        allow_private_network=endpoint.allow_private_network,
        created_at=endpoint.created_at,
        disabled_at=endpoint.disabled_at,
        disabled_reason=endpoint.disabled_reason,
    )


def registered_view(registered: RegisteredEndpoint) -> RegisteredEndpointView:
    return RegisteredEndpointView(endpoint_view(registered.endpoint), registered.secret)


def delivery_view(delivery: WebhookDelivery, event_type: str) -> DeliveryView:
    pending = delivery.status == "pending"
    return DeliveryView(
        id=delivery.id,
        event_id=delivery.event_id,
        event_type=event_type,
        status=delivery.status,
        attempts=delivery.attempts,
        last_status_code=delivery.last_status_code,
        last_latency_ms=delivery.last_latency_ms,
        last_error=delivery.last_error,
        created_at=delivery.created_at,
        next_attempt_at=delivery.next_attempt_at if pending else None,
        delivered_at=delivery.delivered_at,
        redelivery_of=delivery.redelivery_of,
    )
