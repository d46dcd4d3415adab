"""The words people are told, in plain language (they go by e-mail and in the app).

Requesters are always told who decides: their employer, the controller. Messages to
client admins never name the person (the queue shows who it is): an e-mail to an admin
outlives an erasure, so it must not carry the subject's identity.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from tenants.privacy_requests.models import RequestType
from timeward.links import link
from timeward.translations import ENGLISH, N_, Phrase, Translator, phrase

TYPE_WORDS = {
    RequestType.ACCESS: N_("access to your personal data"),
    RequestType.RECTIFICATION: N_("correction of your personal data"),
    RequestType.ERASURE: N_("erasure of your personal data"),
    RequestType.RESTRICTION: N_("restriction of the processing of your personal data"),
    RequestType.PORTABILITY: N_("a copy of your personal data to take elsewhere (portability)"),
    RequestType.OBJECTION: N_("objection to the processing of your personal data"),
    RequestType.CONSENT_WITHDRAWAL: N_("withdrawal of your consent"),
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


# What the requester is told is composed in their language: each function takes the
# Translator of the recipient (``tell_requester`` picks it), English by default.
Compose = Callable[[Translator], Message]


def words(request_type: str, t: Translator = ENGLISH) -> str:
    return t(TYPE_WORDS[RequestType(request_type)])


def with_article(word: str) -> str:
    """ "an access", "a rectification" (the request types are plain English words)."""
    return f"{'an' if word[:1] in 'aeiou' else 'a'} {word}"


def _day(value: date) -> str:
    return value.strftime("%d %B %Y").lstrip("0")


HELLO = N_("Hello,")
CONTROLLER = N_(
    "%(controller)s, your employer, is the controller of your personal data in Timeward: "
    "%(controller)s decides about your request and will answer you. Timeward only runs the "
    "service on its behalf and does not decide requests."
)
REFERENCE = N_("Reference: %(reference)s")
FOLLOW = N_("You can follow your request in the app (Privacy requests) when you have an account.")


def _footer(reference: Any, t: Translator) -> list[str]:
    return ["", t(REFERENCE, reference=str(reference)), t(FOLLOW)]


def filed(
    controller: str,
    request_type: str,
    reference: Any,
    due: date,
    *,
    verified: bool,
    t: Translator = ENGLISH,
) -> Message:
    lines = [
        t(HELLO),
        "",
        t(
            N_("your request for %(what)s has reached %(controller)s."),
            what=words(request_type, t),
            controller=controller,
        ),
        "",
        t(CONTROLLER, controller=controller),
        "",
        t(
            N_(
                "%(controller)s must answer by %(due)s. It may extend this deadline by up to two "
                "further months only if it tells you why and by when."
            ),
            controller=controller,
            due=t.day(due),
        ),
    ]
    if not verified:
        lines += [
            "",
            t(
                N_(
                    "Before anything is disclosed or erased, %(controller)s will confirm that you "
                    "are the person the data is about, and may contact you for that."
                ),
                controller=controller,
            ),
        ]
    return Message(
        KIND_FILED,
        t(N_("Your privacy request has reached %(controller)s"), controller=controller),
        "\n".join(lines + _footer(reference, t)),
    )


FILED_SUMMARY = N_(
    "Your employer, %(controller)s, is the controller of your personal data: it decides about "
    "your request and will answer you by %(due_day)s. Timeward only runs the service on its "
    "behalf and does not decide requests."
)
FILED_SUMMARY_UNVERIFIED = N_(
    "Your employer, %(controller)s, is the controller of your personal data: it decides about "
    "your request and will answer you by %(due_day)s. Timeward only runs the service on its "
    "behalf and does not decide requests. %(controller)s will first confirm that you are the "
    "person the data is about."
)


def filed_summary(controller: str, due: date, *, verified: bool) -> Phrase:
    """The same in a few sentences, for the API response and the request's timeline."""
    text = FILED_SUMMARY if verified else FILED_SUMMARY_UNVERIFIED
    return phrase(text, controller=controller, due_day=due.isoformat())


def public_received(t: Translator = ENGLISH) -> str:
    return t(
        N_(
            "Thank you. If an employer using Timeward holds personal data about this e-mail "
            "address, your request has been passed to that employer, which is the controller "
            "of the data: it decides about your request and will answer you by e-mail, within "
            "one month at the latest. Timeward only runs the service on the employers' behalf "
            "and does not decide requests."
        )
    )


def identity_verified(controller: str, reference: Any, due: date, t: Translator) -> Message:
    return _update(
        controller,
        reference,
        t(N_("your identity is confirmed")),
        [
            t(
                N_(
                    "%(controller)s has confirmed that you are the person the data is about and "
                    "is now working on your request. It must answer by %(due)s."
                ),
                controller=controller,
                due=t.day(due),
            )
        ],
        t,
    )


MORE_TIME = N_("%(controller)s needs more time to answer your request. The new date is %(due)s.")


def extended(
    controller: str, reference: Any, reason: str, new_due: date, t: Translator = ENGLISH
) -> Message:
    return _update(
        controller,
        reference,
        t(N_("more time needed, new date %(due)s"), due=t.day(new_due)),
        [
            t(
                MORE_TIME,
                controller=controller,
                due=t.day(new_due),
            ),
            "",
            t(N_("The reason %(controller)s gives:"), controller=controller),
            reason.strip(),
        ],
        t,
    )


def refusal_step(controller: str, request_type: str, reason: str) -> Phrase:
    """The timeline's words for a refusal; refusing an objection is continuing the
    processing on compelling legitimate grounds (GDPR Art. 21(1)), which are written."""
    text = CONTINUED_STEP if request_type == RequestType.OBJECTION else REFUSED
    return phrase(text, controller=controller, reason=reason.strip())


CONTINUED_STEP = N_(
    "%(controller)s continues the processing you objected to, on compelling legitimate "
    "grounds that it says override your interests. Its grounds: %(reason)s"
)
CONTINUED = N_(
    "%(controller)s continues the processing you objected to: it states compelling legitimate "
    "grounds which, it says, override your interests, rights and freedoms (GDPR Art. 21(1)). "
    "The grounds %(controller)s gives:"
)


def refused(
    controller: str, reference: Any, reason: str, request_type: str = "", t: Translator = ENGLISH
) -> Message:
    why = (
        CONTINUED
        if request_type == RequestType.OBJECTION
        else N_("%(controller)s has refused your request. The reason %(controller)s gives:")
    )
    return _update(
        controller,
        reference,
        t(N_("refused")),
        [
            t(why, controller=controller),
            reason.strip(),
            "",
            t(
                N_(
                    "You may complain to a data protection supervisory authority and seek a "
                    "judicial remedy (GDPR Art. 12(4))."
                )
            ),
        ],
        t,
    )


def export_ready(
    controller: str, reference: Any, expires_at: datetime, *, own: bool, t: Translator = ENGLISH
) -> Message:
    where = (
        t(
            N_(
                "Sign in and download it from your request (%(link)s) before %(until)s; the "
                "file is deleted then."
            ),
            link=link(f"/api/v1/me/privacy-requests/{reference}/export"),
            until=t.utc_moment(expires_at),
        )
        if own
        # An export is built only once the requester's identity is verified.
        else t(N_("%(controller)s will send it to you."), controller=controller)
    )
    return _update(
        controller,
        reference,
        t(N_("your data is ready")),
        [
            t(
                N_(
                    "%(controller)s has prepared a copy of your personal data: one JSON document "
                    "and one CSV file per table, in a zip file."
                ),
                controller=controller,
            ),
            where,
        ],
        t,
    )


# The corrected fields, as the requester reads them. The new value is repeated in the mail
# only for what identifies the record rather than reaches the person (docs/privacy-requests.md,
# "What the rectification mail says"): contact details are named, never quoted.
RECTIFIED_LABELS = {
    "name": N_("name"),
    "job_title": N_("job title"),
    "employee_number": N_("employee number"),
    "hire_date": N_("hire date"),
    "work_email": N_("work e-mail"),
    "phone": N_("phone"),
    "postal_address": N_("postal address"),
}
VALUE_QUOTED = frozenset({"name", "job_title", "employee_number", "hire_date"})


def _corrected_line(field: str, value: Any, t: Translator) -> str:
    label = t(RECTIFIED_LABELS[field])
    if value is None:
        return t(N_("- %(field)s: removed"), field=label)
    if field not in VALUE_QUOTED:
        return t(N_("- %(field)s: changed (the new value is not repeated in e-mail)"), field=label)
    shown = t.day(value) if isinstance(value, date) else str(value)
    return t(N_('- %(field)s: now "%(value)s"'), field=label, value=shown)


def rectified(
    controller: str, reference: Any, changes: Mapping[str, Any], t: Translator = ENGLISH
) -> Message:
    """``changes``: each corrected field of the subject's own record and its new value."""
    if not changes:
        lines = [
            t(
                N_(
                    "%(controller)s checked your details: they were already right, nothing changed."
                ),
                controller=controller,
            )
        ]
    else:
        lines = [
            t(
                N_("%(controller)s has corrected these details in your employee record:"),
                controller=controller,
            ),
            *(_corrected_line(f, changes[f], t) for f in sorted(changes)),
            "",
            t(
                N_(
                    "Please check the correction: with an account, the app shows your whole "
                    "record under My data."
                )
            ),
            t(
                N_("If something is still wrong, answer %(controller)s or file a new request."),
                controller=controller,
            ),
        ]
    return _update(controller, reference, t(N_("your data was corrected")), lines, t)


FLAG_WORDS = {
    RequestType.RESTRICTION: N_(
        "Your data is now frozen: it can be read but not changed or otherwise processed until "
        "the restriction is lifted."
    ),
    RequestType.OBJECTION: N_(
        "Your data is no longer used for marketing and you are hidden from the company directory."
    ),
    RequestType.CONSENT_WITHDRAWAL: N_(
        "Your consent is withdrawn: your data is no longer used for marketing and you are "
        "hidden from the company directory."
    ),
}
# An objection naming what it is against: the words for exactly the flag it set.
OBJECTION_FLAG_WORDS = {
    ("marketing_opt_in", False): N_("Your data is no longer used for marketing."),
    ("directory_excluded", True): N_("You are hidden from the company directory."),
    ("location_limit", "geofence"): N_(
        "Your location is no longer kept when you clock in or out: it is only checked once "
        "whether you are at a job site, and the coordinates are discarded at once."
    ),
    ("location_limit", "off"): N_(
        "Your location is no longer used at all: none is collected when you clock in or out."
    ),
}


def flag_words(request_type: str, flags: Mapping[str, Any]) -> str:
    """What the flags just set mean, in words (the timeline and the mail say the same);
    the source text, to translate where it is shown."""
    if request_type == RequestType.OBJECTION and len(flags) == 1:
        [(name, value)] = flags.items()
        return OBJECTION_FLAG_WORDS[(name, value)]
    return FLAG_WORDS[RequestType(request_type)]


def flags_applied(
    controller: str,
    reference: Any,
    request_type: str,
    flags: Mapping[str, Any],
    t: Translator = ENGLISH,
) -> Message:
    return _update(controller, reference, t(N_("done")), [t(flag_words(request_type, flags))], t)


def restriction_lifting(
    controller: str, reference: Any, reason: str, t: Translator = ENGLISH
) -> Message:
    """Told before a restriction is lifted (GDPR Art. 18(3))."""
    return _update(
        controller,
        reference,
        t(N_("the restriction is being lifted")),
        [
            t(RESTRICTION_LIFTING, controller=controller),
            "",
            t(N_("The reason %(controller)s gives:"), controller=controller),
            reason.strip(),
        ],
        t,
    )


RESTRICTION_LIFTING = N_(
    "%(controller)s is lifting the restriction on the processing of your personal data "
    "that it set at your request. From now on your data may be changed and processed "
    "again as before."
)


def _retained_lines(report: dict[str, Any], t: Translator) -> list[str]:
    """The erasure report. Table labels and the legal bases' titles and explanations come
    from policies/retention_bases.toml and stay in its language (English)."""
    tables = report.get("tables", [])
    removed = [x for x in tables if x["removed"]]
    anonymised = [x for x in tables if x["anonymised"]]
    retained = [x for x in tables if x["retained"]]
    lines = [t(N_("What was done:"))]
    lines += [
        t(N_("- deleted: %(count)s %(label)s"), count=str(x["removed"]), label=x["label"])
        for x in removed
    ]
    lines += [
        t(N_("- anonymised: %(count)s %(label)s"), count=str(x["anonymised"]), label=x["label"])
        for x in anonymised
    ]
    if report.get("locations_destroyed"):
        lines.append(
            t(N_("- locations destroyed: %(count)s"), count=str(report["locations_destroyed"]))
        )
    if not retained:
        return [*lines, "", t(N_("Nothing about you was kept."))]
    lines += ["", t(N_("What was kept, and why:"))]
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
    t: Translator = ENGLISH,
) -> Message:
    lines = [
        t(
            N_("%(controller)s has answered your request for %(what)s."),
            controller=controller,
            what=words(request_type, t),
        )
    ]
    if request_type == RequestType.ERASURE and report is not None:
        lines += [
            t(
                N_(
                    "Your personal data has been erased from everything your employer can reach "
                    "in Timeward; copies in backups and logs are deleted by Timeward on your "
                    "employer's instruction."
                )
            ),
            "",
            *_retained_lines(report, t),
        ]
    if note:
        lines += ["", t(N_("%(controller)s adds:"), controller=controller), note.strip()]
    return _update(controller, reference, t(N_("answered")), lines, t)


def _update(controller: str, reference: Any, what: str, lines: list[str], t: Translator) -> Message:
    body = [
        t(HELLO),
        "",
        *lines,
        "",
        t(
            N_(
                "%(controller)s, your employer, is the controller of your personal data and "
                "answers your request; Timeward only runs the service on its behalf."
            ),
            controller=controller,
        ),
        *_footer(reference, t),
    ]
    subject = t(
        N_("Your privacy request to %(controller)s: %(what)s"), controller=controller, what=what
    )
    return Message(KIND_UPDATED, subject, "\n".join(body))


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


JOINED = N_("Filed again while this request is open: joined to it, nothing else was filed.")
JOINED_ADDED = N_(
    "Filed again while this request is open: joined to it, nothing else was filed. Added: %(text)s"
)


def joined(new_text: str | None) -> Phrase:
    """Timeline text when the same request is filed again while it is open."""
    return phrase(JOINED_ADDED, text=new_text) if new_text else phrase(JOINED)


# --- Timeline texts the requester sees (stored with their values, said in the reader's
# language when shown) ------------------------------------------------------------------

IDENTITY_CONFIRMED = N_("Your identity was confirmed (%(method)s).")
RESTRICTION_LIFTED = N_("The restriction is lifted. The reason: %(reason)s")
IDENTITY_CONFIRMED_NOTE = N_("Your identity was confirmed (%(method)s). %(note)s")
EXTENDED = N_("%(controller)s needs more time: the new date is %(due)s. The reason: %(reason)s")
REFUSED = N_("%(controller)s refused your request. The reason: %(reason)s")
ANSWERED = N_("%(controller)s has answered your request.")
ANSWERED_NOTE = N_("%(controller)s has answered your request. %(note)s")
CORRECTED = N_("Corrected: %(fields)s.")
CORRECTED_NOTHING = N_("Corrected: nothing (the details were already right).")
EXPORT_READY = N_("Your data is ready to download until %(until)s UTC.")


# --- Portability to another organisation (docs/privacy-requests.md) ---------------------

TRANSFER_AWAITING = N_(
    "Your data is ready to send to %(recipient)s (%(address)s). Nothing is sent until you "
    "confirm it on this request's page; you may cancel instead."
)
TRANSFER_SENT = N_(
    "At your confirmation, %(recipient)s (%(address)s) was sent a download link, valid until "
    "%(until)s UTC."
)
TRANSFER_DOWNLOADED = N_("%(recipient)s downloaded your data.")
TRANSFER_CANCELLED = N_("You cancelled sending your data to %(recipient)s: nothing was sent.")


def transfer_to_confirm(
    controller: str,
    reference: Any,
    recipient: str,
    address: str,
    expires_at: datetime,
    t: Translator = ENGLISH,
) -> Message:
    """To the requester: the export is ready; confirm before it goes to the recipient."""
    return _update(
        controller,
        reference,
        t(N_("confirm the transfer of your data")),
        [
            t(
                N_(
                    "%(controller)s has prepared a copy of your personal data for "
                    "%(recipient)s (%(address)s), the organisation you named."
                ),
                controller=controller,
                recipient=recipient,
                address=address,
            ),
            t(
                N_(
                    "Nothing is sent until you confirm. Sign in and confirm or cancel on your "
                    "request's page before %(until)s: %(link)s"
                ),
                until=t.utc_moment(expires_at),
                link=link(f"/my/privacy-requests/{reference}"),
            ),
        ],
        t,
    )


def transfer_to_recipient(
    person: str, controller: str, url: str, expires_at: datetime, t: Translator = ENGLISH
) -> Message:
    """To the organisation the requester named: who sends it and the link, nothing else."""
    body = [
        t(HELLO),
        "",
        t(
            N_(
                "%(person)s asked %(controller)s to send you a copy of their personal data "
                "(data portability)."
            ),
            person=person,
            controller=controller,
        ),
        "",
        t(
            N_("Download it (a zip file: JSON and CSV) before %(until)s; the link expires then:"),
            until=t.utc_moment(expires_at),
        ),
        url,
        "",
        t(
            N_(
                "Timeward sent this message on behalf of %(controller)s. If you did not expect "
                "it, you may ignore it."
            ),
            controller=controller,
        ),
    ]
    subject = t(N_("Personal data sent to you by %(person)s"), person=person)
    return Message(KIND_UPDATED, subject, "\n".join(body))


# --- Lifting the location limit an upheld objection set ---------------------------------

LOCATION_LIMIT_LIFTED = N_(
    "The limit on the use of your location that your objection set is lifted. The reason: "
    "%(reason)s"
)


def location_limit_lifted(
    controller: str, reference: Any, reason: str, t: Translator = ENGLISH
) -> Message:
    """Told when a client admin lifts the location limit of an upheld objection."""
    return _update(
        controller,
        reference,
        t(N_("the limit on your location is lifted")),
        [
            t(
                N_(
                    "%(controller)s has lifted the limit on the use of your location that your "
                    "objection had set. From now on your location is recorded when you clock in "
                    "or out as for your colleagues; your home page says what is recorded."
                ),
                controller=controller,
            ),
            "",
            t(N_("The reason %(controller)s gives:"), controller=controller),
            reason.strip(),
        ],
        t,
    )
