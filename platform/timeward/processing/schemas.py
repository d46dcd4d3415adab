"""Request and response structs of the records of processing (no I/O).

"Data controller" is the GDPR role (the client company); the HTTP controllers are in
``routes``. The JSON keeps its field names (``controller``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec

Detail = Annotated[str, msgspec.Meta(min_length=1, max_length=2000, pattern=r"\S")]


class DataControllerDetailsBody(msgspec.Struct, forbid_unknown_fields=True):
    """Art. 30(2)(a): the data controller's contact details, DPO and EU representative."""

    contact: Detail
    dpo: Detail | None = None
    representative: Detail | None = None


class DataControllerDetailsView(msgspec.Struct):
    contact: str
    dpo: str | None
    representative: str | None
    updated_at: datetime


class Party(msgspec.Struct):
    name: str
    contact: str
    dpo: str | None
    representative: str | None


class DataControllerView(Party):
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


class DisclosureToAuthority(msgspec.Struct):
    """A request from an authority for this client's data, once the client is told."""

    id: UUID
    authority: str
    instrument: str
    reference: str
    received_at: datetime
    categories: list[str]
    subjects: int
    decision: str | None
    disclosed_at: datetime | None
    sha256: str | None


class ProcessingRecord(msgspec.Struct):
    """Art. 30(2)(a) processor and data controller, (b) categories, (c) transfers,
    (d) measures."""

    generated_at: datetime
    processor: Party
    data_controller: DataControllerView = msgspec.field(name="controller")
    categories_of_processing: list[CategoryOfProcessing]
    sub_processors: SubProcessors
    transfers: list[Transfer]
    security_measures: list[MeasureArea]
    disclosures_to_authorities: list[DisclosureToAuthority] = msgspec.field(default_factory=list)
