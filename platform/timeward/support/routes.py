"""Client admins grant and revoke support access; platform staff see live grants."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Controller, delete, get, post
from litestar.params import FromPath, JSONBody

from timeward.audit.log import AuditEntry
from timeward.authz.guard import requires
from timeward.support import service
from timeward.support.models import SupportGrant
from timeward.web.dependencies import AppServices, CurrentActor, DbSession
from timeward.web.schemas import AwareDateTime, Body

Hours = Annotated[int, msgspec.Meta(ge=1, le=72)]
Reason = Annotated[str, msgspec.Meta(min_length=5, max_length=2000)]


class GrantRequestBody(Body):
    reason: Reason
    hours: Hours
    staff_user_id: UUID | None = None
    starts_at: AwareDateTime | None = None


class GrantView(msgspec.Struct):
    id: UUID
    tenant_id: UUID
    reason: str
    staff_user_id: UUID | None
    starts_at: datetime
    expires_at: datetime
    revoked_at: datetime | None


def _view(grant: SupportGrant) -> GrantView:
    return GrantView(
        grant.id,
        grant.tenant_id,
        grant.reason,
        grant.staff_user_id,
        grant.starts_at,
        grant.expires_at,
        grant.revoked_at,
    )


class SupportGrantsController(Controller):
    path = "/api/v1/support-grants"
    tags = ["support access"]

    @post("/", opt=requires("support_grants", "create"), summary="Let platform staff read")
    async def create_grant(
        self,
        data: JSONBody[GrantRequestBody],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> GrantView:
        tenant_id = actor.require_tenant()
        request = service.GrantRequest(data.reason, data.hours, data.staff_user_id, data.starts_at)
        grant = await service.grant(session, tenant_id, actor.user_id, request)
        details = {"expires_at": grant.expires_at.isoformat()}
        entry = AuditEntry(
            "support.granted", actor.user_id, actor.role, "support_grant", grant.id, details=details
        )
        await services.audit.append(session, tenant_id, entry)
        return _view(grant)

    @get("/", opt=requires("support_grants", "read"), summary="This tenant's support grants")
    async def list_grants(self, actor: CurrentActor, session: DbSession) -> list[GrantView]:
        return [_view(g) for g in await service.list_grants(session, actor.require_tenant())]

    @delete(
        "/{grant_id:uuid}",
        opt=requires("support_grants", "delete"),
        summary="Revoke at once",
        status_code=200,
    )
    async def revoke_grant(
        self,
        grant_id: FromPath[UUID],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> GrantView:
        tenant_id = actor.require_tenant()
        grant = await service.revoke(session, tenant_id, grant_id, actor.user_id)
        entry = AuditEntry("support.revoked", actor.user_id, actor.role, "support_grant", grant.id)
        await services.audit.append(session, tenant_id, entry)
        return _view(grant)


class PlatformSupportGrantsController(Controller):
    path = "/api/v1/platform/support-grants"
    tags = ["support access"]

    @get("/", opt=requires("platform_support_grants", "read"), summary="Live grants, all tenants")
    async def live_grants(self, session: DbSession) -> list[GrantView]:
        return [_view(g) for g in await service.live_grants(session)]
