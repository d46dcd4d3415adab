"""A member filing a request about their own data, in the app (API or page): counted
against the per-member limit, then joined to their open request of the same type or
filed as a new one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from tenants.privacy_requests import intake, service
from tenants.privacy_requests.models import ObjectionTarget, PrivacyRequest, RequestType
from timeward.acting import Acting
from timeward.audit.log import AuditLog
from timeward.config import PrivacySettings
from timeward.db.session import Database
from timeward.errors import InvalidInput


@dataclass(frozen=True)
class Filed:
    request: PrivacyRequest
    joined: bool  # True: added to the member's open request of this type


async def file_for_member(
    session: AsyncSession,
    database: Database,
    settings: PrivacySettings,
    audit: AuditLog,
    tenant_id: UUID,
    by: Acting,
    request_type: RequestType,
    details: str | None,
    now: datetime,
    target: ObjectionTarget | None = None,
    recipient: service.Recipient | None = None,
) -> Filed:
    """Raises ``RateLimited`` past the per-member limit (nothing is filed then);
    ``target``: what an objection is against; ``recipient``: the organisation a
    portability request's data is to go to (once the member confirms)."""
    assert by.user_id is not None
    if target is not None and request_type != RequestType.OBJECTION:
        raise InvalidInput.on_field("objection_target", "only an objection has a target")
    if recipient is not None and request_type != RequestType.PORTABILITY:
        raise InvalidInput.on_field("recipient", "only a portability request has a recipient")
    await intake.count_member_filing(database, settings, tenant_id, by.user_id, now)
    filing = (session, audit, tenant_id, by, request_type, details)
    joined = await service.join_open_own(*filing, now, target)
    if joined is not None:
        service.name_recipient(joined, recipient)
        return Filed(joined, joined=True)
    filed = await service.file_own(*filing, now, target)
    service.name_recipient(filed, recipient)
    return Filed(filed, joined=False)
