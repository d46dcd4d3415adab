"""Dependency providers: the current actor, a session in its scope, the services."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from sqlalchemy.ext.asyncio import AsyncSession

from timeward.acting import MACHINE_ROLE
from timeward.audit.log import AuditEntry
from timeward.auth.actor import Actor
from timeward.db.session import Scope
from timeward.services import Services
from timeward.support.service import SUPPORT_ROLE
from timeward.web.pagination import PAGING_DEPENDENCIES

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


# Who leaves a record when reading other people's personal data (a machine client too).
STAFF_ROLES = frozenset({"client_manager", "client_admin", SUPPORT_ROLE, MACHINE_ROLE})


def _read_of_personal_data(request: Request[Any, Any, Any], actor: Actor) -> AuditEntry | None:
    """Staff reading other people's personal data leave an audit event.

    Why: docs/architecture.md, "The processor's other obligations".
    """
    handler = request.route_handler
    if request.method != "GET" or not handler.opt.get("personal_data"):
        return None
    if actor.role not in STAFF_ROLES:
        return None
    details = {"route": f"{request.method} {request.scope.get('path_template', '?')}"}
    if actor.support_grant_id:
        details["support_grant_id"] = str(actor.support_grant_id)
    resource, _ = handler.opt["permission"]
    return AuditEntry(
        "personal_data.read", actor.user_id, actor.role, resource, None, details=details
    )


async def provide_session(
    request: Request[Any, Any, Any], actor: CurrentActor, services: AppServices
) -> AsyncIterator[AsyncSession]:
    """One transaction per request, in the actor's scope: committed if the handler succeeds.

    Support access runs read-only; its audit event is written in its own transaction
    before the read, so a read is never served without its record. Any other staff read
    records its event at the end of the request's own transaction (committed with it,
    before the response leaves), where it never waits for the chain's head lock
    (``AuditLog.append_read``).
    """
    scope = Scope.PLATFORM if actor.is_platform else Scope.TENANT
    read_only = actor.support_grant_id is not None
    audit_entry = _read_of_personal_data(request, actor)
    if audit_entry and read_only:
        await services.audit.record(services.database, actor.tenant_id, audit_entry)
    async with services.database.transaction(
        scope, actor.tenant_id, read_only=read_only
    ) as session:
        yield session
        if audit_entry and not read_only:
            await services.audit.append_read(session, actor.require_tenant(), audit_entry)


DEPENDENCIES = {
    **PAGING_DEPENDENCIES,
    "services": Provide(provide_services, sync_to_thread=False),
    "actor": Provide(provide_actor, sync_to_thread=False),
    "session": Provide(provide_session),
}
