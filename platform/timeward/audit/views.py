"""Response views of audit events and of a chain's verification."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence

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


CSV_COLUMNS = (
    "seq",
    "at",
    "action",
    "actor_id",
    "actor_role",
    "subject_type",
    "subject_id",
    "request_id",
    "details",
)


def _cell(value: object) -> str:
    """A spreadsheet must not read a value as a formula (CSV injection)."""
    text = "" if value is None else str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def audit_csv(events: Sequence[AuditEvent]) -> str:
    """Events as CSV, one row each in the order given; ``details`` as compact JSON."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for event in events:
        view = audit_event_view(event)
        writer.writerow(
            _cell(value)
            for value in [
                view.seq,
                view.at.isoformat(),
                view.action,
                view.actor_id,
                view.actor_role,
                view.subject_type,
                view.subject_id,
                view.request_id,
                json.dumps(view.details, sort_keys=True, separators=(",", ":")),
            ]
        )
    return out.getvalue()
