"""The employee's privacy notice, built from the tenant's real configuration (pure).

Nothing here reads the database: :class:`NoticeInputs` carries what the service loaded
(the location policy, the records of processing, the sub-processor registry, the
retention periods, the controller's identity and the processor's), and
:func:`build_notice` turns it into the notice's content, a JSON document whose digest
decides whether a new version is due (docs/accountability.md, "The generated employee
notice").
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tenants.privacy_requests.models import RequestType

# Sections whose change is significant: what is recorded, why, who receives it and for
# how long. A change of contact details alone (the controller's, its DPO's, the
# processor's) is a new version that takes effect at once, without a change notice.
SIGNIFICANT_SECTIONS = ("records", "purposes", "recipients", "retention")
SECTIONS = ("controller", "processor", *SIGNIFICANT_SECTIONS, "rights")

# The legal basis an employer usually has for each category of the records of processing
# (the processor's records, Art. 30(2), name no basis: the controller decides it). A
# category not listed here says so and points to the controller.
BASES = {
    "User accounts and access": "Performance of the employment contract (Art. 6(1)(b) GDPR).",
    "Working-time recording": (
        "The employer's legal duty to record working time (Art. 6(1)(c) GDPR), and the "
        "employment contract for payroll (Art. 6(1)(b))."
    ),
    "Clock-in location": (
        "The employer's legitimate interest in confirming attendance at a job site "
        "(Art. 6(1)(f) GDPR); you may object to it."
    ),
    "Data-subject and client requests": (
        "The employer's legal duty to answer your requests (Art. 6(1)(c) GDPR)."
    ),
    "Service messages": "Performance of the employment contract (Art. 6(1)(b) GDPR).",
    "Audit logging": (
        "The employer's legal duty to keep its processing secure and accountable "
        "(Art. 6(1)(c) and Art. 32 GDPR)."
    ),
    "Hosting, backup and support": (
        "The employer's legal duty to keep its processing secure (Art. 6(1)(c) and Art. 32 GDPR)."
    ),
}
UNSTATED_BASIS = "Not stated here: ask the controller named above which basis applies."

TIMESHEETS = (
    "Your clock-in and clock-out times, your time entries and the timesheets built from "
    "them, with their approval by your manager."
)
RIGHTS = tuple(str(kind) for kind in RequestType)


@dataclass(frozen=True)
class Party:
    name: str
    contact: str
    dpo: str | None = None
    representative: str | None = None


@dataclass(frozen=True)
class Purpose:
    name: str
    purpose: str
    personal_data: tuple[str, ...]


@dataclass(frozen=True)
class DataRecipient:
    name: str
    purpose: str
    location: str
    transfer_safeguard: str | None


@dataclass(frozen=True)
class Retention:
    category: str
    days: int


@dataclass(frozen=True)
class NoticeInputs:
    """Everything a tenant's notice says, as loaded by the service."""

    tenant_slug: str
    controller: Party
    country: str
    processor: Party
    location_mode: str
    precise_days: int
    purposes: Sequence[Purpose]
    recipients: Sequence[DataRecipient]
    retention: Sequence[Retention]


def _party(party: Party) -> dict[str, Any]:
    return {
        "name": party.name,
        "contact": party.contact,
        "dpo": party.dpo,
        "representative": party.representative,
    }


def build_notice(inputs: NoticeInputs) -> dict[str, Any]:
    """The notice's content: one JSON object with one key per section of ``SECTIONS``."""
    precise = inputs.location_mode == "precise"
    return {
        "controller": {**_party(inputs.controller), "country": inputs.country},
        "processor": _party(inputs.processor),
        "records": {
            "location_mode": inputs.location_mode,
            # precision: coordinates only in precise mode, and for how long
            "precise_days": inputs.precise_days if precise else None,
            "timesheets": TIMESHEETS,
        },
        "purposes": [
            {
                "name": p.name,
                "purpose": p.purpose,
                "basis": BASES.get(p.name, UNSTATED_BASIS),
                "personal_data": list(p.personal_data),
            }
            for p in inputs.purposes
        ],
        "recipients": [
            {
                "name": r.name,
                "purpose": r.purpose,
                "location": r.location,
                "transfer_safeguard": r.transfer_safeguard,
            }
            for r in sorted(inputs.recipients, key=lambda r: r.name.lower())
        ],
        "retention": [
            {"category": r.category, "days": r.days}
            for r in sorted(inputs.retention, key=lambda r: r.category)
        ],
        "rights": {
            "rights": list(RIGHTS),
            "request_page": f"/t/{inputs.tenant_slug}/privacy-request",
        },
    }


def digest(content: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON (sorted keys, no spaces): equal content, equal digest."""
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def changed_sections(before: dict[str, Any] | None, after: dict[str, Any]) -> list[str]:
    """The sections that differ (every section for a first version)."""
    if before is None:
        return list(SECTIONS)
    return [s for s in SECTIONS if before.get(s) != after.get(s)]


def is_significant(before: dict[str, Any] | None, changed: Sequence[str]) -> bool:
    """A first version is not a change; afterwards, any change to a significant section is."""
    return before is not None and any(s in SIGNIFICANT_SECTIONS for s in changed)
