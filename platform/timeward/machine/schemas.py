"""Request and response structs of the API-client routes (no I/O)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec

from timeward.fields import ONE_LINE, AwareDateTime, Body

ClientName = Annotated[str, msgspec.Meta(min_length=1, max_length=120, pattern=ONE_LINE)]
ScopeName = Annotated[str, msgspec.Meta(min_length=1, max_length=40)]


class NewClientBody(Body):
    name: ClientName
    scopes: Annotated[list[ScopeName], msgspec.Meta(min_length=1, max_length=10)]
    expires_at: AwareDateTime | None = None


class ClientView(msgspec.Struct):
    id: UUID
    client_id: str  # what the client sends to /oauth/token (its id)
    name: str
    scopes: list[str]
    created_at: datetime
    expires_at: datetime | None
    rotated_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None
    status: str  # active, expired, revoked


class ClientWithSecret(msgspec.Struct):
    client: ClientView
    client_secret: str  # shown once: only its digest is kept
    token_endpoint: str


class OAuthToken(msgspec.Struct):
    access_token: str
    token_type: str
    expires_in: int
    scope: str


class OAuthError(msgspec.Struct):
    error: str
    error_description: str | None = None
