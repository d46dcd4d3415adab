"""The record of processing and the data controller's details as response views."""

from __future__ import annotations

from timeward import clock
from timeward.config import ProcessorSettings
from timeward.processing.models import DataControllerDetails
from timeward.processing.schemas import (
    CategoryOfProcessing,
    DataControllerDetailsView,
    DataControllerView,
    DisclosureToAuthority,
    MeasureArea,
    Party,
    ProcessingRecord,
    SubProcessorEntry,
    SubProcessors,
    Transfer,
)
from timeward.processing.service import RecordSources

NOT_PROVIDED = "not provided"


def _data_controller_view(sources: RecordSources) -> DataControllerView:
    tenant, details = sources.tenant, sources.details
    return DataControllerView(
        name=tenant.name,
        contact=details.contact if details else NOT_PROVIDED,
        dpo=details.dpo if details else None,
        representative=details.representative if details else None,
        tenant_id=tenant.id,
        country=tenant.country,
        subdivision=tenant.subdivision,
        details_updated_at=details.updated_at if details else None,
    )


def processing_record(sources: RecordSources, processor: ProcessorSettings) -> ProcessingRecord:
    entries = [
        SubProcessorEntry(
            e.entry.name,
            e.entry.purpose,
            e.entry.location,
            list(e.entry.data_categories),
            e.entry.transfer_safeguard,
        )
        for e in sources.registry.entries
    ]
    text = sources.text
    return ProcessingRecord(
        generated_at=clock.now(),
        processor=Party(processor.name, processor.contact, processor.dpo, None),
        data_controller=_data_controller_view(sources),
        categories_of_processing=[
            CategoryOfProcessing(c.name, c.purpose, list(c.data_subjects), list(c.personal_data))
            for c in text.categories
        ],
        sub_processors=SubProcessors(sources.registry.version, entries),
        transfers=[
            Transfer(e.name, e.location, e.transfer_safeguard)
            for e in entries
            if e.transfer_safeguard
        ],
        security_measures=[MeasureArea(m.area, list(m.items)) for m in text.measures],
        disclosures_to_authorities=[
            DisclosureToAuthority(
                r.id,
                r.authority,
                r.instrument,
                r.reference,
                r.received_at,
                list(r.categories),
                len(r.subject_ids),
                r.decision,
                r.exported_at,
                r.export_sha256,
            )
            for r in sources.disclosures
        ],
    )


def data_controller_details_view(details: DataControllerDetails) -> DataControllerDetailsView:
    return DataControllerDetailsView(
        details.contact, details.dpo, details.representative, details.updated_at
    )
