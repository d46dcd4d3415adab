"""Request and response structs of the register, the client's view and the public counts."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from timeward.fields import AwareDateTime, Body, OneLine, Text

SubjectIds = Annotated[list[UUID], msgspec.Meta(min_length=1, max_length=500)]
CategoryNames = Annotated[list[OneLine], msgspec.Meta(min_length=1, max_length=50)]
OrderKindName = Literal["none", "until_date", "until_reviewed"]
DecisionName = Literal["disclose_full", "disclose_partial", "refuse"]


class OrderBody(msgspec.Struct, forbid_unknown_fields=True):
    """A non-disclosure order: ``until_date`` (the client is told on that day) or
    ``until_reviewed`` (staff review it on ``review_on``, a task on that day)."""

    kind: OrderKindName = "none"
    until: date | None = None
    review_on: date | None = None


class NewAuthorityRequestBody(Body, forbid_unknown_fields=True):
    tenant_id: UUID
    authority: OneLine
    instrument: OneLine
    reference: OneLine
    received_at: AwareDateTime
    subject_ids: SubjectIds
    categories: CategoryNames
    period_from: date | None = None
    period_to: date | None = None
    deadline: date | None = None
    order: OrderBody = msgspec.field(default_factory=OrderBody)


class DecisionBody(msgspec.Struct, forbid_unknown_fields=True):
    decision: DecisionName
    reason: Text | None = None
    disclosed: Text | None = None  # what was given, in words (the export is recorded too)


class OrderReviewBody(msgspec.Struct, forbid_unknown_fields=True):
    lift: bool
    review_on: date | None = None  # the next review, when the order is kept


class ScopeView(msgspec.Struct):
    subject_ids: list[UUID]
    categories: list[str]
    period_from: date | None
    period_to: date | None


class OrderView(msgspec.Struct):
    kind: str
    until: date | None
    review_on: date | None
    ended_at: datetime | None


class DisclosureView(msgspec.Struct):
    sha256: str | None
    size_bytes: int | None
    tables: dict[str, int] | None
    exported_at: datetime | None
    described: str | None


class AuthorityRequestFacts(msgspec.Struct):
    id: UUID
    authority: str
    instrument: str
    reference: str
    received_at: datetime
    deadline: date | None
    scope: ScopeView
    decision: str | None
    decision_reason: str | None
    decided_at: datetime | None
    disclosure: DisclosureView
    client_notified_at: datetime | None


class RegisterEntryView(AuthorityRequestFacts):
    """The staff's register: the facts, the tenant, the order and its task."""

    tenant_id: UUID
    tenant_slug: str
    order: OrderView
    order_in_force: bool
    review_due: bool


class ClientAuthorityRequestView(AuthorityRequestFacts):
    """What the client (the controller) sees once told: the facts and when an order
    delayed its notice."""

    notice_delayed_until: datetime | None


class YearCountsView(msgspec.Struct):
    year: int
    received: int
    disclosed: int
    partly: int
    refused: int
    notices_delayed_by_orders: int


class TransparencyView(msgspec.Struct):
    processor: str
    years: list[YearCountsView]
