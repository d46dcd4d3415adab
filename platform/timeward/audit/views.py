"""Response views of audit events and of a chain's verification."""

from __future__ import annotations

from timeward.audit.log import ChainBreak
from timeward.audit.models import AuditEvent
from timeward.audit.schemas import AuditEventView, ChainReport


def audit_event_view(event: AuditEvent) -> AuditEventView:
    return AuditEventView(
        event.seq,
        event.id,
        event.at,
        event.action,
        event.actor_id,
        event.actor_role,
        event.subject_type,
        event.subject_id,
        event.request_id,
        event.details,
    )


def chain_report(broken: ChainBreak | None) -> ChainReport:
    if broken is None:
        return ChainReport(intact=True)
    return ChainReport(intact=False, first_broken_seq=broken.seq, reason=broken.reason)
