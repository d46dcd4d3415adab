"""The SSO configuration as the API and the console show it."""

from __future__ import annotations

from timeward.sso.schemas import SsoSettingsUpdate, SsoSettingsView
from timeward.sso.service import SsoChange, SsoState


def sso_settings_view(state: SsoState | None, redirect_uri: str) -> SsoSettingsView:
    if state is None:
        return SsoSettingsView(configured=False, redirect_uri=redirect_uri)
    return SsoSettingsView(
        configured=True,
        redirect_uri=redirect_uri,
        issuer=state.issuer,
        display_name=state.display_name,
        client_id=state.client_id,
        client_secret="set" if state.secret_set else "not set",
        allowed_domains=state.allowed_domains,
        required=state.required,
        create_users=state.create_users,
        break_glass_email=state.break_glass_email,
        end_session_supported=state.end_session_supported,
        updated_at=state.updated_at,
    )


def change_of(data: SsoSettingsUpdate) -> SsoChange:
    return SsoChange(
        issuer=data.issuer,
        display_name=data.display_name,
        client_id=data.client_id,
        client_secret=data.client_secret or None,
        allowed_domains=list(data.allowed_domains),
        required=data.required,
        create_users=data.create_users,
        break_glass_email=data.break_glass_email or None,
    )
