"""What must hold before a decision or a fulfilment step: legal transition, verified
identity, the right request type, no job running (each a 409 otherwise)."""

from __future__ import annotations

from tenants.privacy_requests import messages
from tenants.privacy_requests.models import (
    FulfilmentState,
    PrivacyRequest,
    RequestType,
)
from tenants.privacy_requests.transitions import (
    Action,
    IllegalTransition,
    Status,
    next_status,
)
from timeward.errors import Conflict

_PAST = {
    Action.VERIFY_IDENTITY: "verified",
    Action.START: "worked on",
    Action.EXTEND: "extended",
    Action.REFUSE: "refused",
    Action.COMPLETE: "completed",
}


def check_transition(request: PrivacyRequest, action: Action) -> Status:
    """The status ``action`` leads to; an illegal transition is a 409."""
    try:
        return next_status(request.status, action)
    except IllegalTransition as exc:
        raise Conflict(
            f"A request that is {exc.status} cannot be {_PAST[action]}.",
            reason="illegal_transition",
            current_status=str(exc.status),
            action=str(action),
        ) from None


def require_verified(request: PrivacyRequest) -> None:
    if request.identity_verified_at is None:
        raise Conflict(
            "The requester's identity is not verified yet: nothing is disclosed, changed or "
            "erased before it is.",
            reason="identity_not_verified",
        )


def require_type(request: PrivacyRequest, allowed: frozenset[RequestType], what: str) -> None:
    if RequestType(request.request_type) not in allowed:
        raise Conflict(
            f"This is {messages.with_article(request.request_type)} request: "
            f"{what} does not answer it.",
            reason="wrong_request_type",
        )


def require_idle(request: PrivacyRequest) -> None:
    if request.fulfilment_state in (FulfilmentState.QUEUED, FulfilmentState.RUNNING):
        raise Conflict(
            "A job is working on this request; wait for it to finish.", reason="fulfilment_running"
        )
