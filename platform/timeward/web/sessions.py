"""The web pages' sign-in state: an HttpOnly, SameSite=Lax cookie naming a server-side
session (``timeward.auth.browser_sessions``).

The middleware is mounted on the page routers only, so a cookie never authenticates
``/api``; the bearer middleware, for its part, skips the page paths. Each request re-checks
the person exactly as a bearer token is re-checked (``current_role``): a disabled user, a
removed membership, a suspended tenant or a changed role ends the session at once.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import structlog
from litestar import Request
from litestar.datastructures import Cookie
from litestar.types import ASGIApp, Receive, Scope, Send

from timeward import clock
from timeward.auth.actor import Actor
from timeward.auth.browser_sessions import Lifetimes, revoke_session, touch_session
from timeward.auth.status import current_role
from timeward.config import Settings
from timeward.services import Services

SESSION_COOKIE = "timeward_session"
SESSION_PREFIX = "session:"  # an Actor's token_id when it comes from a web session


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
    if cookie:
        await revoke_session(services.database, cookie, clock.now())


async def actor_of_cookie(services: Services, cookie: str) -> Actor | None:
    """The person a session cookie signs in now, or None (and the session ends) if none."""
    now = clock.now()
    live = await touch_session(services.database, cookie, now, lifetimes(services.settings))
    if live is None:
        return None
    role = await current_role(services.database, live.user_id, live.tenant_id)
    if role != live.role:
        await revoke_session(services.database, cookie, now)
        return None
    return Actor(live.user_id, live.tenant_id, live.role, f"{SESSION_PREFIX}{live.id}")


def session_middleware(app: ASGIApp) -> ASGIApp:
    """Put the session's person in ``scope["user"]``; without one the request is anonymous
    (the guard then refuses what is not public, and the page layer sends to sign-in)."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":  # type: ignore[comparison-overlap]
            request: Request[Any, Any, Any] = Request(scope)
            cookie = request.cookies.get(SESSION_COOKIE)
            if cookie:
                actor = await actor_of_cookie(request.app.state.services, cookie)
                if actor is not None:
                    scope["user"] = actor
                    structlog.contextvars.bind_contextvars(
                        tenant_id=str(actor.tenant_id), actor_id=str(actor.user_id)
                    )
        await app(scope, receive, send)

    return middleware
