"""The words of the mail warning a tenant's admins that a machine client expires soon."""

from __future__ import annotations

from timeward.links import link
from timeward.machine.models import ApiClient


def expiry_warning(client: ApiClient, tenant_name: str) -> tuple[str, str]:
    """(subject, body) for each client admin. The client's name is the tenant's own label."""
    assert client.expires_at is not None
    name = " ".join(client.name.split())
    expires = client.expires_at.strftime("%Y-%m-%d %H:%M UTC")
    subject = f"API client {name!r} expires on {client.expires_at:%Y-%m-%d}"
    body = "\n".join(
        [
            f"To the client administrators of {tenant_name},",
            "",
            f"The API client {name!r} (client id {client.id}) expires at {expires}.",
            "After that, it gets no new token and its tokens are refused.",
            "",
            "To keep the integration running, create a new client and hand its secret to",
            f"the integration: {link('/api/v1/api-clients')}",
        ]
    )
    return subject, body
