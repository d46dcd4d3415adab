"""What one client's record of processing (GDPR Art. 30(2)) is built from, and the data
controller's own details for it. The record itself is assembled in ``views``."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from timeward import clock
from timeward.acting import Acting
from timeward.audit.log import AuditEntry, AuditLog
from timeward.authority_requests.models import AuthorityRequest
from timeward.authority_requests.service import client_requests
from timeward.errors import NotFound
from timeward.identity.models import Tenant
from timeward.jobs.after_commit import start_after_commit
from timeward.paging import PageRequest
from timeward.processing.models import DataControllerDetails
from timeward.processing.text import ProcessingText, current_processing_text
from timeward.subprocessors.service import Registry, registry

DISCLOSURES_LISTED = PageRequest(limit=200)


@dataclass(frozen=True)
class RecordSources:
    """Everything a record says: the client, its details (if given), the policy text and
    the published sub-processor registry."""

    tenant: Tenant
    details: DataControllerDetails | None
    text: ProcessingText
    registry: Registry
    # Requests from authorities the client has been told of (none under an order in force).
    disclosures: list[AuthorityRequest]


@dataclass(frozen=True)
class DataControllerContact:
    """Art. 30(2)(a) as the client admin gives it."""

    contact: str
    dpo: str | None = None
    representative: str | None = None


async def record_sources(session: AsyncSession, tenant_id: UUID) -> RecordSources:
    """In the tenant's own session or in platform scope; another tenant is not found."""
    tenant = await session.get(Tenant, tenant_id)
    if tenant is None:
        raise NotFound("Tenant")
    details = await session.get(DataControllerDetails, tenant_id)
    disclosures = await client_requests(session, tenant_id, DISCLOSURES_LISTED)
    return RecordSources(
        tenant,
        details,
        current_processing_text(),
        await registry(session),
        disclosures[: DISCLOSURES_LISTED.limit],
    )


async def set_data_controller_details(
    session: AsyncSession, tenant_id: UUID, given: DataControllerContact, by: Acting
) -> DataControllerDetails:
    """The client admin's own details for its record (tenant scope); replaces the previous."""
    details = await session.get(DataControllerDetails, tenant_id, with_for_update=True)
    if details is None:
        details = DataControllerDetails(tenant_id=tenant_id)
        session.add(details)
    details.contact, details.dpo, details.representative = (
        given.contact,
        given.dpo,
        given.representative,
    )
    details.updated_by, details.updated_at = by.user_id, clock.now()
    await session.flush()
    return details


async def update_data_controller_details(
    session: AsyncSession,
    audit: AuditLog,
    tenant_id: UUID,
    given: DataControllerContact,
    by: Acting,
) -> DataControllerDetails:
    """:func:`set_data_controller_details`, audited on the tenant's chain
    (``processing_records.controller_updated``): what the API route and the admin page do."""
    details = await set_data_controller_details(session, tenant_id, given, by)
    entry = AuditEntry.by(by, "processing_records.controller_updated", "tenant", tenant_id)
    await audit.append(session, tenant_id, entry)
    # the employee notice names the controller (docs/accountability.md, "Notice versions")
    start_after_commit(session, "refresh_privacy_notice", str(tenant_id))
    return details
