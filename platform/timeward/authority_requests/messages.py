"""What a client is told of a request from an authority, and what staff are told when a
non-disclosure order's review date is reached."""

from __future__ import annotations

from timeward.authority_requests.models import AuthorityRequest
from timeward.config import ProcessorSettings
from timeward.links import link

KIND = "authority_request.received"
DECISIONS = {
    "disclose_full": "disclose in full",
    "disclose_partial": "disclose in part",
    "refuse": "refuse",
}


def _period(request: AuthorityRequest) -> str:
    start = request.period_from.isoformat() if request.period_from else "the beginning"
    end = request.period_to.isoformat() if request.period_to else "now"
    return f"{start} to {end}"


def authority_notice(
    request: AuthorityRequest, tenant_name: str, processor: ProcessorSettings
) -> tuple[str, str, str]:
    """(notification kind, subject, body) for the client's admins: an essential notice."""
    subject = f"Request from an authority for your data: {request.authority}"
    lines = [
        f"To the client administrators of {tenant_name},",
        "",
        f"{processor.name}, your processor, received a request from an authority for",
        "personal data it processes for you. We tell you so that you may seek a protective",
        "order or otherwise respond as the controller.",
        "",
        f"Reference: {request.id}",
        f"Authority: {request.authority}",
        f"Legal instrument: {request.instrument} ({request.reference})",
        f"Received: {request.received_at.isoformat()}",
        f"Deadline set by the authority: {request.deadline or 'none given'}",
        f"People concerned: {len(request.subject_ids)}",
        f"Categories of data: {', '.join(request.categories)}",
        f"Period: {_period(request)}",
    ]
    if request.order_ended_at is not None:
        lines.append(
            "A non-disclosure order kept us from telling you until "
            f"{request.order_ended_at:%Y-%m-%d}."
        )
    if request.decision:
        lines.append(f"Our decision: {DECISIONS[request.decision]}")
    lines += ["", f"The record: {link('/admin/authority-requests')}"]
    return KIND, subject, "\n".join(lines)


def review_alert(request: AuthorityRequest, tenant_slug: str) -> tuple[str, str]:
    """(subject, body) to platform staff: an order's review date is reached (metadata only)."""
    subject = f"Review due: non-disclosure order on authority request for {tenant_slug}"
    body = (
        f"The non-disclosure order on authority request {request.id} (tenant {tenant_slug}, "
        f"reference {request.reference}) was to be reviewed on {request.review_on}.\n"
        "Lift it (the client is then told) or set the next review date:\n"
        f"{link(f'/staff/authority-requests/{request.id}')}\n"
    )
    return subject, body
