"""Audit events: a client admin reads their tenant's chain, platform staff the platform's."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from litestar import Controller, get
from litestar.params import FromQuery

from timeward.audit.log import PLATFORM_CHAIN, verify_tenant_chain
from timeward.audit.schemas import AuditEventView, ChainReport
from timeward.audit.service import AuditFilter, list_events
from timeward.audit.views import audit_event_view, chain_report
from timeward.auth.actor import Actor
from timeward.authz.guard import requires
from timeward.paging import Page, make_page
from timeward.web.dependencies import CurrentActor, DbSession
from timeward.web.pagination import RequestedPage


def _chain_of(actor: Actor) -> UUID:
    return PLATFORM_CHAIN if actor.is_platform else actor.require_tenant()


class AuditEventsController(Controller):
    """Client admins see their tenant's chain; platform staff see the processor's own."""

    path = "/api/v1/audit-events"
    tags = ["audit"]

    @get("/", opt=requires("audit_events", "read"), summary="Audit events, newest first")
    async def list_audit_events(
        self,
        actor: CurrentActor,
        session: DbSession,
        page: RequestedPage,
        action: FromQuery[str | None] = None,
        actor_id: FromQuery[UUID | None] = None,
        subject_id: FromQuery[UUID | None] = None,
        since: FromQuery[datetime | None] = None,
        until: FromQuery[datetime | None] = None,
        actor_role: FromQuery[str | None] = None,
    ) -> Page[AuditEventView]:
        where = AuditFilter(action, actor_id, subject_id, since, until, actor_role)
        events = await list_events(session, _chain_of(actor), where, page)
        return make_page([audit_event_view(e) for e in events], page)

    @get("/verify", opt=requires("audit_events", "read"), summary="Verify the hash chain")
    async def verify(self, actor: CurrentActor, session: DbSession) -> ChainReport:
        return chain_report(await verify_tenant_chain(session, _chain_of(actor)))
