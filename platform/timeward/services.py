"""The long-lived objects of one process, built once and shared by handlers and jobs.

One builder for every process: the API (its lifespan), the worker (lazily, on its event
loop: ``timeward.jobs.runtime``) and the CLI commands all call :func:`build_services`,
with a database from :func:`open_database` unless they were handed one.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
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
from timeward.sso.runtime import SsoRuntime


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
    sso: SsoRuntime


def open_database(settings: Settings, *, pool_size: int | None = None) -> Database:
    """The application role's database (``DATABASE_URL``): its pool is bound to the event
    loop that first uses it."""
    if not settings.database_url:
        raise RuntimeError(
            "DATABASE_URL is not set (`timeward serve` and `timeward worker` set it)"
        )
    return Database(settings.database_url, pool_size=pool_size or settings.db_pool_size)


@asynccontextmanager
async def running_services(
    settings: Settings, *, database: Database | None = None, pool_size: int | None = None
) -> AsyncIterator[Services]:
    """Services for the block; a database opened here is disposed at its end, one passed in
    stays its owner's."""
    if database is not None:
        yield build_services(settings, database)
        return
    opened = open_database(settings, pool_size=pool_size)
    try:
        yield build_services(settings, opened)
    finally:
        await opened.dispose()


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
        sso=SsoRuntime(settings, master_key),
    )
