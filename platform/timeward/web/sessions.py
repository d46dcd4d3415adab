"""The web pages' sign-in state: an HttpOnly, SameSite=Lax cookie naming a server-side
session (``timeward.auth.browser_sessions``).

The middleware is mounted on the page routers only, so a cookie never authenticates
``/api``; the bearer middleware, for its part, skips the page paths. Each request re-checks
the person exactly as a bearer token is re-checked (``cached_role``): a disabled user, a
removed membership, a suspended tenant or a changed role ends the session as soon as the
change reaches the process (``timeward.auth.account_cache``).

Platform staff have sessions of their own (``timeward.auth.staff_sessions``) in the same
cookie, told apart by its ``platform.`` prefix; see docs/web.md, "Staff sessions".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import structlog
from litestar import Request
from litestar.datastructures import Cookie
from litestar.exceptions import NotFoundException
from litestar.types import ASGIApp, Receive, Scope, Send

from timeward import clock
from timeward.auth.account_cache import AccountCache
from timeward.auth.actor import Actor
from timeward.auth.browser_sessions import Lifetimes, revoke_session, touch_session
from timeward.auth.staff_sessions import (
    is_staff_cookie,
    revoke_staff_session,
    set_support_tenant,
    touch_staff_session,
)
from timeward.auth.status import cached_role
from timeward.config import Settings
from timeward.services import Services
from timeward.support.service import SUPPORT_ROLE, live_grant

SESSION_COOKIE = "timeward_session"
SESSION_PREFIX = "session:"  # an Actor's token_id when it comes from a web session
STAFF_SESSION_PREFIX = "staff-session:"  # the same, for a platform staff session
# A tenant's pages as platform staff read them under a support grant (docs/web.md).
SUPPORT_PATH = re.compile(r"^/staff/support/(?P<tenant>[^/]+)/")
SUPPORT_VISIT = "support_visit"  # the request state's key: the tenant entered, for the banner


@dataclass(frozen=True)
class SupportVisit:
    """The tenant a staff session entered under a grant, while the grant lasts."""

    tenant_id: UUID
    grant_id: UUID
    expires_at: datetime


def lifetimes(settings: Settings) -> Lifetimes:
    return Lifetimes(
        idle=timedelta(minutes=settings.session_idle_minutes),
        absolute=timedelta(hours=settings.session_absolute_hours),
    )


def is_https(request: Request[Any, Any, Any]) -> bool:
    """HTTPS directly or from a trusted proxy (uvicorn applies X-Forwarded-Proto only then)."""
    return request.url.scheme == "https"


def session_cookie(request: Request[Any, Any, Any], value: str, settings: Settings) -> Cookie:
    return Cookie(
        key=SESSION_COOKIE,
        value=value,
        path="/",
        max_age=settings.session_absolute_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=is_https(request),
    )


def expired_session_cookie(request: Request[Any, Any, Any]) -> Cookie:
    return Cookie(
        key=SESSION_COOKIE, value="", path="/", max_age=0, httponly=True, samesite="lax",
        secure=is_https(request),
    )  # fmt: skip


async def end_session(request: Request[Any, Any, Any], services: Services) -> None:
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie and is_staff_cookie(cookie):
        await revoke_staff_session(services.database, cookie, clock.now())
    elif cookie:
        await revoke_session(services.database, cookie, clock.now())


def is_staff_session(request: Request[Any, Any, Any]) -> bool:
    return is_staff_cookie(request.cookies.get(SESSION_COOKIE, ""))


async def actor_of_cookie(services: Services, cookie: str, accounts: AccountCache) -> Actor | None:
    """The person a session cookie signs in now, or None (and the session ends) if none.
    The account check is the bearer token's (``accounts``: its notified cache)."""
    now = clock.now()
    live = await touch_session(services.database, cookie, now, lifetimes(services.settings))
    if live is None:
        return None
    role = await cached_role(accounts, services.database, live.user_id, live.tenant_id)
    if role != live.role:
        await revoke_session(services.database, cookie, now)
        return None
    return Actor(live.user_id, live.tenant_id, live.role, f"{SESSION_PREFIX}{live.id}")


async def staff_of_cookie(
    services: Services, cookie: str, path: str, accounts: AccountCache
) -> tuple[Actor, SupportVisit | None] | None:
    """The staff member a staff session cookie signs in now (the session ends if they may
    no longer act, or hold another role), and the tenant the session entered while its
    grant lasts. Under ``/staff/support/<tenant>/`` the actor is the support reader of
    that tenant, and only for the tenant entered with a live grant: anything else there
    is a 404, as with the API's support header."""
    now = clock.now()
    live = await touch_staff_session(services.database, cookie, now, lifetimes(services.settings))
    if live is None:
        return None
    role = await cached_role(accounts, services.database, live.user_id, None)
    if role != live.role:
        await revoke_staff_session(services.database, cookie, now)
        return None
    actor = Actor(live.user_id, None, live.role, f"{STAFF_SESSION_PREFIX}{live.id}")
    visit = None
    if live.support_tenant_id is not None:
        grant = await live_grant(services.database, live.support_tenant_id, live.user_id)
        if grant is None:
            await set_support_tenant(services.database, live.id, None)
        else:
            visit = SupportVisit(grant.tenant_id, grant.id, grant.expires_at)
    support = SUPPORT_PATH.match(path)
    if support is not None:
        if visit is None or support.group("tenant") != str(visit.tenant_id):
            raise NotFoundException()
        actor = actor.under_grant(visit.tenant_id, visit.grant_id, SUPPORT_ROLE)
    return actor, visit


def session_middleware(app: ASGIApp) -> ASGIApp:
    """Put the session's person in ``scope["user"]``; without one the request is anonymous
    (the guard then refuses what is not public, and the page layer sends to sign-in)."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":  # type: ignore[comparison-overlap]
            request: Request[Any, Any, Any] = Request(scope)
            cookie = request.cookies.get(SESSION_COOKIE)
            if cookie and is_staff_cookie(cookie):
                await _staff_scope(scope, request, cookie)
            elif cookie:
                state = request.app.state
                actor = await actor_of_cookie(state.services, cookie, state.account_cache)
                if actor is not None:
                    scope["user"] = actor
                    structlog.contextvars.bind_contextvars(
                        tenant_id=str(actor.tenant_id), actor_id=str(actor.user_id)
                    )
        await app(scope, receive, send)

    return middleware


async def _staff_scope(scope: Scope, request: Request[Any, Any, Any], cookie: str) -> None:
    state = request.app.state
    signed_in = await staff_of_cookie(state.services, cookie, request.url.path, state.account_cache)
    if signed_in is None:
        return
    actor, visit = signed_in
    scope["user"] = actor
    if visit is not None:
        scope.setdefault("state", {})[SUPPORT_VISIT] = visit
    structlog.contextvars.bind_contextvars(
        tenant_id=str(actor.tenant_id) if actor.tenant_id else "platform",
        actor_id=str(actor.user_id),
    )
