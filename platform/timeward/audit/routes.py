"""Audit events: a client admin reads their tenant's chain, platform staff the platform's."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec
from litestar import Controller, get
from litestar.params import FromQuery

from timeward.audit.log import PLATFORM_CHAIN, verify_tenant_chain
from timeward.audit.models import AuditEvent
from timeward.audit.service import AuditFilter, list_events
from timeward.auth.actor import Actor
from timeward.authz.guard import requires
from timeward.web.dependencies import CurrentActor, DbSession
from timeward.web.pagination import PageLimit, PageOffset


class AuditEventView(msgspec.Struct):
    seq: int
    id: UUID
    at: datetime
    action: str
    actor_id: UUID | None
    actor_role: str | None
    subject_type: str | None
    subject_id: UUID | None
    request_id: str | None
    details: dict[str, Any]


class ChainReport(msgspec.Struct, omit_defaults=True):
    intact: bool
    first_broken_seq: int | None = None
    reason: str | None = None


def _view(event: AuditEvent) -> AuditEventView:
    return AuditEventView(
        event.seq,
        event.id,
        event.at,
        event.action,
        event.actor_id,
        event.actor_role,
        event.subject_type,
        event.subject_id,
        event.request_id,
        event.details,
    )


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
        action: FromQuery[str | None] = None,
        actor_id: FromQuery[UUID | None] = None,
        subject_id: FromQuery[UUID | None] = None,
        since: FromQuery[datetime | None] = None,
        until: FromQuery[datetime | None] = None,
        limit: PageLimit = 50,
        offset: PageOffset = 0,
    ) -> list[AuditEventView]:
        where = AuditFilter(action, actor_id, subject_id, since, until)
        events = await list_events(session, _chain_of(actor), where, limit, offset)
        return [_view(e) for e in events]

    @get("/verify", opt=requires("audit_events", "read"), summary="Verify the hash chain")
    async def verify(self, actor: CurrentActor, session: DbSession) -> ChainReport:
        broken = await verify_tenant_chain(session, _chain_of(actor))
        if broken is None:
            return ChainReport(intact=True)
        return ChainReport(intact=False, first_broken_seq=broken.seq, reason=broken.reason)
