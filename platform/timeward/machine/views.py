"""Response views of API clients."""

from __future__ import annotations

import msgspec

from timeward import clock
from timeward.links import link
from timeward.machine.models import ApiClient
from timeward.machine.oauth import TokenAnswer
from timeward.machine.schemas import ClientView, ClientWithSecret, OAuthError, OAuthToken
from timeward.machine.service import IssuedSecret, is_usable

TOKEN_PATH = "/oauth/token"


def client_view(client: ApiClient) -> ClientView:
    if client.revoked_at is not None:
        status = "revoked"
    else:
        status = "active" if is_usable(client, clock.now()) else "expired"
    return ClientView(
        id=client.id,
        client_id=str(client.id),
        name=client.name,
        scopes=list(client.scopes),
        created_at=client.created_at,
        expires_at=client.expires_at,
        rotated_at=client.rotated_at,
        revoked_at=client.revoked_at,
        last_used_at=client.last_used_at,
        status=status,
    )


def secret_view(issued: IssuedSecret) -> ClientWithSecret:
    return ClientWithSecret(client_view(issued.client), issued.secret, link(TOKEN_PATH))


def token_answer(answer: TokenAnswer) -> OAuthToken | OAuthError:
    """Authlib's answer as the documented body: the token, or RFC 6749's error."""
    if answer.status == 200:
        return msgspec.convert(answer.body, OAuthToken)
    return msgspec.convert(answer.body, OAuthError)
