"""One client's record of processing (GDPR Art. 30(2)), built from settings, the client's
details, ``policies/processing.toml`` and the sub-processor registry."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from timeward import clock
from timeward.config import ProcessorSettings
from timeward.errors import NotFound
from timeward.identity.models import Tenant
from timeward.processing.models import ControllerDetails
from timeward.processing.text import current_processing_text
from timeward.subprocessors.service import registry

NOT_PROVIDED = "not provided"


class Party(msgspec.Struct):
    name: str
    contact: str
    dpo: str | None
    representative: str | None


class Controller(Party):
    tenant_id: UUID
    country: str
    subdivision: str | None
    details_updated_at: datetime | None


class CategoryOfProcessing(msgspec.Struct):
    name: str
    purpose: str
    data_subjects: list[str]
    personal_data: list[str]


class SubProcessorEntry(msgspec.Struct):
    name: str
    purpose: str
    location: str
    data_categories: list[str]
    transfer_safeguard: str | None


class Transfer(msgspec.Struct):
    recipient: str
    location: str
    safeguard: str


class SubProcessors(msgspec.Struct):
    registry_version: int
    entries: list[SubProcessorEntry]


class MeasureArea(msgspec.Struct):
    area: str
    items: list[str]


class ProcessingRecord(msgspec.Struct):
    """Art. 30(2)(a) processor and controller, (b) categories, (c) transfers, (d) measures."""

    generated_at: datetime
    processor: Party
    controller: Controller
    categories_of_processing: list[CategoryOfProcessing]
    sub_processors: SubProcessors
    transfers: list[Transfer]
    security_measures: list[MeasureArea]


async def build_record(
    session: AsyncSession, tenant_id: UUID, processor: ProcessorSettings
) -> ProcessingRecord:
    """In the tenant's own session or in platform scope; another tenant is not found."""
    tenant = await session.get(Tenant, tenant_id)
    if tenant is None:
        raise NotFound("Tenant")
    details = await session.get(ControllerDetails, tenant_id)
    text = current_processing_text()
    published = await registry(session)
    entries = [
        SubProcessorEntry(
            e.entry.name,
            e.entry.purpose,
            e.entry.location,
            list(e.entry.data_categories),
            e.entry.transfer_safeguard,
        )
        for e in published.entries
    ]
    return ProcessingRecord(
        generated_at=clock.now(),
        processor=Party(processor.name, processor.contact, processor.dpo, None),
        controller=Controller(
            name=tenant.name,
            contact=details.contact if details else NOT_PROVIDED,
            dpo=details.dpo if details else None,
            representative=details.representative if details else None,
            tenant_id=tenant.id,
            country=tenant.country,
            subdivision=tenant.subdivision,
            details_updated_at=details.updated_at if details else None,
        ),
        categories_of_processing=[
            CategoryOfProcessing(c.name, c.purpose, list(c.data_subjects), list(c.personal_data))
            for c in text.categories
        ],
        sub_processors=SubProcessors(published.version, entries),
        transfers=[
            Transfer(e.name, e.location, e.transfer_safeguard)
            for e in entries
            if e.transfer_safeguard
        ],
        security_measures=[MeasureArea(m.area, list(m.items)) for m in text.measures],
    )


async def set_controller_details(
    session: AsyncSession,
    tenant_id: UUID,
    contact: str,
    dpo: str | None,
    representative: str | None,
    by: UUID,
) -> ControllerDetails:
    """The client admin's own details for its record (tenant scope); replaces the previous."""
    details = await session.get(ControllerDetails, tenant_id, with_for_update=True)
    if details is None:
        details = ControllerDetails(tenant_id=tenant_id)
        session.add(details)
    details.contact, details.dpo, details.representative = contact, dpo, representative
    details.updated_by, details.updated_at = by, clock.now()
    await session.flush()
    return details
