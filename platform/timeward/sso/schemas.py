"""Single sign-on at the HTTP edge: the admin's request body and the view (no I/O)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

Text = Annotated[str, msgspec.Meta(max_length=2048)]
Domain = Annotated[str, msgspec.Meta(max_length=253)]


class SsoSettingsUpdate(msgspec.Struct, forbid_unknown_fields=True):
    issuer: Annotated[Text, msgspec.Meta(description="The provider's issuer URL")]
    display_name: Annotated[
        str, msgspec.Meta(max_length=100, description='Shown as "Sign in with …"')
    ]
    client_id: Text
    allowed_domains: Annotated[list[Domain], msgspec.Meta(max_length=50)]
    client_secret: Annotated[
        Text | None, msgspec.Meta(description="Omit or null to keep the stored secret")
    ] = None
    required: bool = False
    create_users: bool = False
    break_glass_email: Annotated[str, msgspec.Meta(max_length=320)] | None = None


class SsoSettingsView(msgspec.Struct):
    configured: bool
    redirect_uri: str  # register this at the identity provider
    issuer: str | None = None
    display_name: str | None = None
    client_id: str | None = None
    client_secret: str = "not set"  # "set" or "not set": the secret is never returned
    allowed_domains: list[str] = msgspec.field(default_factory=list)
    required: bool = False
    create_users: bool = False
    break_glass_email: str | None = None
    end_session_supported: bool = False
    updated_at: datetime | None = None
