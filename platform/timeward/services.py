"""The long-lived objects of one process, built once and shared by handlers and jobs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from timeward.audit.log import AuditLog
from timeward.auth.keys import KeyRing
from timeward.auth.refresh import RefreshTokens
from timeward.auth.service import AuthService
from timeward.auth.throttle import LoginThrottle, ThrottleLimits
from timeward.auth.tokens import AccessTokens, TokenSettings
from timeward.authz.enforcer import PolicyEnforcer
from timeward.config import Settings
from timeward.crypto.data_keys import DataKeys
from timeward.db.session import Database


@dataclass(frozen=True)
class Services:
    settings: Settings
    database: Database
    keys: KeyRing
    tokens: AccessTokens
    auth: AuthService
    audit: AuditLog
    enforcer: PolicyEnforcer
    data_keys: DataKeys


def build_services(settings: Settings, database: Database) -> Services:
    master_key = settings.resolve_master_key()
    keys = KeyRing(database, master_key)
    tokens = AccessTokens(
        keys,
        TokenSettings(
            issuer=settings.token_issuer,
            audience=settings.token_audience,
            lifetime_seconds=settings.access_token_seconds,
        ),
    )
    audit = AuditLog.from_master_key(master_key)
    throttle = LoginThrottle(
        ThrottleLimits(
            per_account=settings.login_failures_per_account,
            per_address=settings.login_failures_per_address,
            window_seconds=settings.login_window_seconds,
        )
    )
    refresh = RefreshTokens(timedelta(days=settings.refresh_token_days))
    return Services(
        settings=settings,
        database=database,
        keys=keys,
        tokens=tokens,
        auth=AuthService(database, tokens, refresh, throttle, audit),
        audit=audit,
        enforcer=PolicyEnforcer(),
        data_keys=DataKeys(master_key),
    )
