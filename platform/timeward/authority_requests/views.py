"""Response views of the register, the client's requests and the yearly counts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any
from uuid import UUID

from timeward.authority_requests.models import AuthorityRequest
from timeward.authority_requests.schemas import (
    ClientAuthorityRequestView,
    DisclosureView,
    OrderView,
    RegisterEntryView,
    ScopeView,
    TransparencyView,
    YearCountsView,
)
from timeward.authority_requests.service import YearCounts, order_in_force, review_due


def _facts(request: AuthorityRequest) -> dict[str, Any]:
    return {
        "id": request.id,
        "authority": request.authority,
        "instrument": request.instrument,
        "reference": request.reference,
        "received_at": request.received_at,
        "deadline": request.deadline,
        "scope": ScopeView(
            list(request.subject_ids),
            list(request.categories),
            request.period_from,
            request.period_to,
        ),
        "decision": request.decision,
        "decision_reason": request.decision_reason,
        "decided_at": request.decided_at,
        "disclosure": DisclosureView(
            request.export_sha256,
            request.export_size,
            request.export_tables,
            request.exported_at,
            request.disclosed,
        ),
        "client_notified_at": request.notified_at,
    }


def register_entry(request: AuthorityRequest, slug: str, today: date) -> RegisterEntryView:
    return RegisterEntryView(
        **_facts(request),
        tenant_id=request.tenant_id,
        tenant_slug=slug,
        order=OrderView(
            request.order_kind, request.order_until, request.review_on, request.order_ended_at
        ),
        order_in_force=order_in_force(request, today),
        review_due=review_due(request, today),
    )


def register_entries(
    requests: Sequence[AuthorityRequest], slugs: Mapping[UUID, str], today: date
) -> list[RegisterEntryView]:
    return [register_entry(r, slugs.get(r.tenant_id, ""), today) for r in requests]


def client_view(request: AuthorityRequest) -> ClientAuthorityRequestView:
    return ClientAuthorityRequestView(
        **_facts(request), notice_delayed_until=request.order_ended_at
    )


def transparency_view(processor: str, years: Sequence[YearCounts]) -> TransparencyView:
    return TransparencyView(
        processor,
        [
            YearCountsView(
                y.year, y.received, y.disclosed, y.partly, y.refused, y.delayed_by_orders
            )
            for y in years
        ],
    )
