"""Request and response structs of the breach routes (no I/O).

``IncidentView`` (platform staff) and ``BreachView`` (a client admin) both carry the
Art. 33(3) facts of one breach: they share ``BreachFacts`` and add what each side sees.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec

from timeward.fields import AwareDateTime, Body, Categories, OneLine, Text

Count = Annotated[int, msgspec.Meta(ge=0, le=2_000_000_000)]
ManyIds = Annotated[list[UUID], msgspec.Meta(max_length=10_000)]


class AffectedBody(msgspec.Struct, forbid_unknown_fields=True):
    """Which tenants are affected: the union of what is given (at least one)."""

    all_tenants: bool = False
    tenant_ids: ManyIds = msgspec.field(default_factory=list)
    sub_processor_ids: ManyIds = msgspec.field(default_factory=list)


class NewBreach(Body, forbid_unknown_fields=True):
    title: OneLine
    discovered_at: AwareDateTime
    description: Text
    data_categories: Categories
    subject_categories: Categories
    measures_taken: Text
    affected: AffectedBody
    approx_subjects: Count | None = None
    approx_records: Count | None = None
    likely_consequences: Text | None = None
    measures_proposed: Text | None = None
    contact_point: Text | None = None


class FollowUpBody(Body, forbid_unknown_fields=True):
    information: Text


class FollowUpView(msgspec.Struct):
    """Information added to a breach, and how many of its tenants it has reached."""

    id: UUID
    information: str
    added_at: datetime
    tenants: int
    notified: int


class NoticeDeliveryView(msgspec.Struct):
    """How one tenant's notice fared, in counts and states only (no address, no name).

    ``mail``: the worst state of its e-mails (``failed`` > ``queued`` > ``sent``), None
    before any was queued; ``in_app``: notifications delivered, ``in_app_read``: how many
    of them were read, ``first_read_at``: the first read."""

    mail: str | None
    mail_queued: int
    mail_sent: int
    mail_failed: int
    in_app: int
    in_app_read: int
    first_read_at: datetime | None


class TenantNoticeView(msgspec.Struct):
    """One affected tenant: when it was told, and, until then, the working days left."""

    tenant_id: UUID
    tenant_slug: str
    tenant_name: str
    basis: str
    calendar: str
    due_date: date
    unnotified: bool
    working_days_left: int | None
    overdue: bool
    notified_at: datetime | None
    notified_in_time: bool | None
    recipients: int | None
    acknowledged_at: datetime | None
    delivery: NoticeDeliveryView


class IncidentSummary(msgspec.Struct):
    id: UUID
    title: str
    discovered_at: datetime
    recorded_at: datetime
    tenant_count: int
    acknowledged_count: int
    unnotified_count: int
    earliest_due: date | None
    fewest_working_days_left: int | None
    unnotified: list[TenantNoticeView]


class BreachFacts(msgspec.Struct):
    """What both the processor's record and a client's notice say about a breach."""

    id: UUID
    title: str
    discovered_at: datetime
    data_categories: list[str]
    subject_categories: list[str]
    approx_subjects: int | None
    approx_records: int | None
    likely_consequences: str | None
    measures_taken: str
    measures_proposed: str | None
    contact_point: str


class IncidentView(BreachFacts):
    """The processor's record: the facts, who recorded them, and every tenant's notice."""

    recorded_at: datetime
    recorded_by: UUID | None
    description: str
    affected: dict[str, Any]
    tenant_count: int
    acknowledged_count: int
    unnotified_count: int
    earliest_due: date | None
    fewest_working_days_left: int | None
    tenants: list[TenantNoticeView]
    follow_ups: list[FollowUpView] = msgspec.field(default_factory=list)


class BreachView(BreachFacts):
    """What a client admin sees: the Art. 33(3) content for its own notification."""

    nature: str
    affected_components: list[str]
    notice_due_date: date
    notified_at: datetime | None
    acknowledged_at: datetime | None
    acknowledged_by: UUID | None
