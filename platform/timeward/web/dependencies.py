"""Dependency providers: the current actor, a session in its scope, the services."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from sqlalchemy.ext.asyncio import AsyncSession

from timeward.auth.actor import Actor
from timeward.db.session import Scope
from timeward.services import Services

CurrentActor = NamedDependency[Actor]
DbSession = NamedDependency[AsyncSession]
AppServices = NamedDependency[Services]


def provide_services(state: State) -> Services:
    services: Services = state.services
    return services


def provide_actor(request: Request[Any, Any, Any]) -> Actor:
    actor = request.scope.get("user")
    if not isinstance(actor, Actor):
        raise RuntimeError("route has no authenticated actor; is it public?")
    return actor


async def provide_session(
    actor: CurrentActor, services: AppServices
) -> AsyncIterator[AsyncSession]:
    """One transaction per request, in the actor's scope: committed if the handler succeeds."""
    scope = Scope.PLATFORM if actor.is_platform else Scope.TENANT
    async with services.database.transaction(scope, actor.tenant_id) as session:
        yield session


DEPENDENCIES = {
    "services": Provide(provide_services, sync_to_thread=False),
    "actor": Provide(provide_actor, sync_to_thread=False),
    "session": Provide(provide_session),
}
