"""The one guard on every route: public allow-list, else a Casbin permission; deny by default.

A route declares ``opt=requires("resource", "action")`` or ``opt=PUBLIC``. A route
with neither is refused for everyone. Platform staff refused a route get 404, not 403,
so tenant personal-data routes do not even confirm they exist to them. A machine client
holds no role: each of its scopes is a Casbin subject (``scope:<name>``), one of which
must allow the route.
"""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from timeward.auth.actor import Actor
from timeward.authz.enforcer import PolicyEnforcer

PUBLIC: dict[str, Any] = {"public": True}


def requires(resource: str, action: str, *, personal_data: bool = False) -> dict[str, Any]:
    """Route options: the permission needed; ``personal_data`` marks reads of other people's
    personal data, which are audited when staff make them."""
    return {"permission": (resource, action), "personal_data": personal_data}


async def authorize(
    connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
) -> None:
    """Async on purpose: Casbin is in memory and not thread-safe, so it runs on the loop."""
    if handler.opt.get("public"):
        return
    permission = handler.opt.get("permission")
    actor = connection.scope.get("user")
    if not isinstance(actor, Actor) or permission is None:
        raise PermissionDeniedException("This route is not open to you.")
    enforcer: PolicyEnforcer = connection.app.state.enforcer
    resource, action = permission
    if enforcer.allows_actor(actor, resource, action):
        return
    if actor.is_processor_staff:
        raise NotFoundException()
    raise PermissionDeniedException(f"Your role may not {action} {resource}.")
