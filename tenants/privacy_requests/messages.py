"""The words people are told, in plain language (they go by e-mail and in the app).

Requesters are always told who decides: their employer, the controller. Messages to
client admins never name the person (the queue shows who it is): an e-mail to an admin
outlives an erasure, so it must not carry the subject's identity.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from tenants.privacy_requests.models import RequestType
from timeward.links import link

TYPE_WORDS = {
    RequestType.ACCESS: "access to your personal data",
    RequestType.RECTIFICATION: "correction of your personal data",
    RequestType.ERASURE: "erasure of your personal data",
    RequestType.RESTRICTION: "restriction of the processing of your personal data",
    RequestType.PORTABILITY: "a copy of your personal data to take elsewhere (portability)",
    RequestType.OBJECTION: "objection to the processing of your personal data",
    RequestType.CONSENT_WITHDRAWAL: "withdrawal of your consent",
}

KIND_FILED = "privacy_request.filed"
KIND_UPDATED = "privacy_request.updated"
KIND_NEW = "privacy_request.received"
KIND_STEP = "privacy_request.step"
KIND_OVERDUE = "privacy_request.overdue"


@dataclass(frozen=True)
class Message:
    kind: str  # in-app notification kind
    subject: str  # one line: the e-mail subject and the notification title
    body: str


def words(request_type: str) -> str:
    return TYPE_WORDS[RequestType(request_type)]


def with_article(word: str) -> str:
    """ "an access", "a rectification" (the request types are plain English words)."""
    return f"{'an' if word[:1] in 'aeiou' else 'a'} {word}"


def _day(value: date) -> str:
    return value.strftime("%d %B %Y").lstrip("0")


def _controller_lines(controller: str) -> list[str]:
    return [
        f"{controller}, your employer, is the controller of your personal data in Timeward:",
        f"{controller} decides about your request and will answer you. Timeward only runs",
        "the service on its behalf and does not decide requests.",
    ]


def _footer(reference: Any) -> list[str]:
    return [
        "",
        f"Reference: {reference}",
        "You can follow your request in the app (Privacy requests) when you have an account.",
    ]


def filed(
    controller: str, request_type: str, reference: Any, due: date, *, verified: bool
) -> Message:
    lines = [
        "Hello,",
        "",
        f"your request for {words(request_type)} has reached {controller}.",
        "",
        *_controller_lines(controller),
        "",
        f"{controller} must answer by {_day(due)}. It may extend this deadline by up to two",
        "further months only if it tells you why and by when.",
    ]
    if not verified:
        lines += [
            "",
            f"Before anything is disclosed or erased, {controller} will confirm that you are",
            "the person the data is about, and may contact you for that.",
        ]
    return Message(
        KIND_FILED,
        f"Your privacy request has reached {controller}",
        "\n".join(lines + _footer(reference)),
    )


def filed_summary(controller: str, due: date, *, verified: bool) -> str:
    """The same in a few sentences, for the API response and the request's timeline."""
    text = (
        f"Your employer, {controller}, is the controller of your personal data: it decides "
        f"about your request and will answer you by {_day(due)}. Timeward only runs the "
        "service on its behalf and does not decide requests."
    )
    if not verified:
        text += f" {controller} will first confirm that you are the person the data is about."
    return text


def public_received() -> str:
    return (
        "Thank you. If an employer using Timeward holds personal data about this e-mail "
        "address, your request has been passed to that employer, which is the controller "
        "of the data: it decides about your request and will answer you by e-mail, within "
        "one month at the latest. Timeward only runs the service on the employers' behalf "
        "and does not decide requests."
    )


def identity_verified(controller: str, reference: Any, due: date) -> Message:
    return _update(
        controller,
        reference,
        "your identity is confirmed",
        [
            f"{controller} has confirmed that you are the person the data is about and is",
            f"now working on your request. It must answer by {_day(due)}.",
        ],
    )


def extended(controller: str, reference: Any, reason: str, new_due: date) -> Message:
    return _update(
        controller,
        reference,
        f"more time needed, new date {_day(new_due)}",
        [
            f"{controller} needs more time to answer your request. The new date is",
            f"{_day(new_due)}.",
            "",
            f"The reason {controller} gives:",
            reason.strip(),
        ],
    )


def refused(controller: str, reference: Any, reason: str) -> Message:
    return _update(
        controller,
        reference,
        "refused",
        [
            f"{controller} has refused your request. The reason {controller} gives:",
            reason.strip(),
            "",
            "You may complain to a data protection supervisory authority and seek a judicial",
            "remedy (GDPR Art. 12(4)).",
        ],
    )


def export_ready(controller: str, reference: Any, expires_at: datetime, *, own: bool) -> Message:
    where = (
        "Sign in and download it from your request "
        f"({link(f'/api/v1/me/privacy-requests/{reference}/export')}) before "
        f"{expires_at:%d %B %Y %H:%M} UTC; the file is deleted then."
        if own
        # An export is built only once the requester's identity is verified.
        else f"{controller} will send it to you."
    )
    return _update(
        controller,
        reference,
        "your data is ready",
        [
            f"{controller} has prepared a copy of your personal data: one JSON document",
            "and one CSV file per table, in a zip file.",
            where,
        ],
    )


def rectified(controller: str, reference: Any, fields: Sequence[str]) -> Message:
    return _update(
        controller,
        reference,
        "your data was corrected",
        [f"{controller} has corrected these details: {', '.join(fields) or 'none'}."],
    )


FLAG_WORDS = {
    RequestType.RESTRICTION: "Your data is now frozen: it can be read but not changed or "
    "otherwise processed until the restriction is lifted.",
    RequestType.OBJECTION: "Your data is no longer used for marketing and you are hidden from "
    "the company directory.",
    RequestType.CONSENT_WITHDRAWAL: "Your consent is withdrawn: your data is no longer used for "
    "marketing and you are hidden from the company directory.",
}


def flags_applied(controller: str, reference: Any, request_type: str) -> Message:
    return _update(controller, reference, "done", [FLAG_WORDS[RequestType(request_type)]])


def restriction_lifting(controller: str, reference: Any, reason: str) -> Message:
    """Told before a restriction is lifted (GDPR Art. 18(3))."""
    return _update(
        controller,
        reference,
        "the restriction is being lifted",
        [
            f"{controller} is lifting the restriction on the processing of your personal data",
            "that it set at your request. From now on your data may be changed and processed",
            "again as before.",
            "",
            f"The reason {controller} gives:",
            reason.strip(),
        ],
    )


def _retained_lines(report: dict[str, Any]) -> list[str]:
    tables = report.get("tables", [])
    removed = [t for t in tables if t["removed"]]
    anonymised = [t for t in tables if t["anonymised"]]
    retained = [t for t in tables if t["retained"]]
    lines = ["What was done:"]
    lines += [f"- deleted: {t['removed']} {t['label']}" for t in removed]
    lines += [f"- anonymised: {t['anonymised']} {t['label']}" for t in anonymised]
    if report.get("locations_destroyed"):
        lines.append(f"- locations destroyed: {report['locations_destroyed']}")
    if not retained:
        return [*lines, "", "Nothing about you was kept."]
    lines += ["", "What was kept, and why:"]
    bases = report.get("bases", {})
    for table in retained:
        basis = bases.get(table["basis"], {})
        lines.append(f"- {table['retained']} {table['label']}: {basis.get('title', '')}")
    for basis in bases.values():
        lines += ["", f"{basis['title']} ({basis['legal_basis']}):", basis["explanation"]]
    return lines


def completed(
    controller: str,
    reference: Any,
    request_type: str,
    note: str | None,
    report: dict[str, Any] | None,
) -> Message:
    lines = [f"{controller} has answered your request for {words(request_type)}."]
    if request_type == RequestType.ERASURE and report is not None:
        lines += [
            "Your personal data has been erased from everything your employer can reach in",
            "Timeward; copies in backups and logs are deleted by Timeward on your employer's",
            "instruction.",
            "",
            *_retained_lines(report),
        ]
    if note:
        lines += ["", f"{controller} adds:", note.strip()]
    return _update(controller, reference, "answered", lines)


def _update(controller: str, reference: Any, what: str, lines: list[str]) -> Message:
    body = [
        "Hello,",
        "",
        *lines,
        "",
        f"{controller}, your employer, is the controller of your personal data and answers",
        "your request; Timeward only runs the service on its behalf.",
        *_footer(reference),
    ]
    return Message(KIND_UPDATED, f"Your privacy request to {controller}: {what}", "\n".join(body))


# --- To the tenant's client admins (never the person's name or address) -------------


def new_request(
    tenant: str, request_type: str, reference: Any, due: date, *, identity_pending: bool
) -> Message:
    lines = [
        f"To the client administrators of {tenant},",
        "",
        f"a data-subject request ({request_type}) is in your privacy-request queue. As the",
        f"controller, {tenant} decides and answers it by {_day(due)} (GDPR Art. 12(3)).",
    ]
    if identity_pending:
        lines += [
            "It came through the public intake: confirm who the requester is before",
            "disclosing or erasing anything.",
        ]
    lines += ["", f"Open it: {link(f'/api/v1/privacy-requests/{reference}')}"]
    return Message(
        KIND_NEW, f"New privacy request ({request_type}), due {due.isoformat()}", "\n".join(lines)
    )


def admin_step(tenant: str, request_type: str, reference: Any, what: str) -> Message:
    body = "\n".join(
        [
            f"To the client administrators of {tenant},",
            "",
            f"privacy request {reference} ({request_type}): {what}",
            "",
            f"Open it: {link(f'/api/v1/privacy-requests/{reference}')}",
        ]
    )
    return Message(KIND_STEP, f"Privacy request ({request_type}): {what}", body)


def overdue(tenant: str, references: Sequence[tuple[Any, str, date]], today: date) -> Message:
    lines = [
        f"To the client administrators of {tenant},",
        "",
        f"{len(references)} privacy request(s) are past their due date as of {_day(today)}.",
        "Each is a breach of the controller's duty to answer in time (GDPR Art. 12(3)):",
        "",
    ]
    lines += [f"- {ref} ({kind}), due {due.isoformat()}" for ref, kind, due in references]
    lines += ["", f"The queue: {link('/api/v1/privacy-requests?overdue=true')}"]
    return Message(KIND_OVERDUE, f"{len(references)} privacy request(s) overdue", "\n".join(lines))


def joined(new_text: str | None) -> str:
    """Timeline text when the same request is filed again while it is open."""
    text = "Filed again while this request is open: joined to it, nothing else was filed."
    return f"{text} Added: {new_text}" if new_text else text
