"""Request and response structs of the sub-processor routes (no I/O)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from timeward.fields import Categories, OneLine

Purpose = Annotated[str, msgspec.Meta(min_length=1, max_length=2000, pattern=r"\S")]
Safeguard = Annotated[str, msgspec.Meta(min_length=1, max_length=1000, pattern=r"\S")]
ObjectionDays = Annotated[int, msgspec.Meta(ge=1, le=365)]
Reason = Annotated[str, msgspec.Meta(min_length=5, max_length=4000, pattern=r"\S")]


class NewSubProcessor(msgspec.Struct, forbid_unknown_fields=True):
    name: OneLine
    purpose: Purpose
    location: OneLine
    data_categories: Categories
    transfer_safeguard: Safeguard | None = None  # None: data stays in the EEA
    objection_days: ObjectionDays | None = None  # None: the configured default


class SubProcessorUpdate(msgspec.Struct, forbid_unknown_fields=True):
    name: OneLine | msgspec.UnsetType = msgspec.UNSET
    purpose: Purpose | msgspec.UnsetType = msgspec.UNSET
    location: OneLine | msgspec.UnsetType = msgspec.UNSET
    data_categories: Categories | msgspec.UnsetType = msgspec.UNSET
    transfer_safeguard: Safeguard | msgspec.UnsetType | None = msgspec.UNSET
    status: Literal["active", "removed"] | msgspec.UnsetType = msgspec.UNSET
    objection_days: ObjectionDays | None = None


class ObjectionBody(msgspec.Struct, forbid_unknown_fields=True):
    reason: Reason


class EntryView(msgspec.Struct):
    name: str
    purpose: str
    location: str
    data_categories: list[str]
    transfer_safeguard: str | None
    status: str


class SubProcessorView(msgspec.Struct):
    id: UUID
    name: str
    purpose: str
    location: str
    data_categories: list[str]
    transfer_safeguard: str | None
    since_version: int


class ChangeView(msgspec.Struct):
    id: UUID
    version: int
    kind: str
    sub_processor_id: UUID
    entry: EntryView
    previous: EntryView | None
    announced_at: datetime
    objection_deadline: datetime
    objection_open: bool


class RegistryView(msgspec.Struct):
    version: int
    published_at: datetime | None
    sub_processors: list[SubProcessorView]
    changes: list[ChangeView]


class AnnouncedChangeView(ChangeView):
    announced_to_tenants: int


class ObjectionView(msgspec.Struct):
    id: UUID
    change_id: UUID
    version: int
    reason: str
    objected_at: datetime
    objection_deadline: datetime


class PlatformObjectionView(msgspec.Struct):
    id: UUID
    tenant_id: UUID
    tenant_slug: str
    tenant_name: str
    change_id: UUID
    version: int
    kind: str
    sub_processor_id: UUID
    sub_processor: str
    reason: str
    objected_by: UUID | None
    objected_at: datetime
    objection_deadline: datetime
