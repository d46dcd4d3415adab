"""The words of the mail telling a tenant's admins that an endpoint was disabled."""

from __future__ import annotations

from timeward.links import link
from timeward.webhooks.models import WebhookEndpoint


def endpoint_disabled(endpoint: WebhookEndpoint, tenant_name: str) -> tuple[str, str]:
    subject = "A webhook endpoint was disabled after repeated failures"
    body = "\n".join(
        [
            f"To the client administrators of {tenant_name},",
            "",
            f"Deliveries to the webhook endpoint {endpoint.id} ({endpoint.url}) failed",
            f"for about a day ({endpoint.disabled_reason}), so it was disabled.",
            "Events keep being recorded for it and wait.",
            "",
            "Once the receiver works again, enable it; what waited is delivered in order:",
            f"POST {link(f'/api/v1/webhooks/{endpoint.id}/enable')}",
            f"The delivery log: {link(f'/api/v1/webhooks/{endpoint.id}/deliveries')}",
        ]
    )
    return subject, body
