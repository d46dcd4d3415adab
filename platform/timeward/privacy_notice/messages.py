"""What accounts are told about a significant privacy-notice change (no I/O).

These are essential mails: every affected account receives them, and the footer says
why they cannot be switched off.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from timeward.links import link
from timeward.translations import ENGLISH, N_, Translator

KIND_CHANGE = "privacy_notice.changed"

SECTION_WORDS = {
    "controller": N_("who the controller is and how to reach them"),
    "processor": N_("who runs the service for your employer"),
    "records": N_("what is recorded about you (location, timesheets)"),
    "purposes": N_("why your data is used, and on what basis"),
    "recipients": N_("who receives your data (sub-processors)"),
    "retention": N_("how long your data is kept"),
    "rights": N_("how to exercise your rights"),
}

TENANT_SUBJECT = N_("%(controller)s changes its privacy notice on %(day)s")
TENANT_BODY = N_(
    "%(controller)s, your employer, has published version %(number)s of its privacy notice "
    "for employees. It takes effect on %(day)s."
)
WHAT_CHANGED = N_("What changed:")
READ_NEW = N_("Read the new version: %(url)s")
READ_OLD = N_("The version in force until then stays readable: %(url)s")
OPT_OUT = N_(
    "Before it takes effect you can opt out of the optional uses of your data (marketing) on "
    "the banner shown when you sign in, and you can object to a use of your data: %(url)s"
)
PLATFORM_SUBJECT = N_("%(processor)s changes its privacy notice on %(day)s")
PLATFORM_BODY = N_(
    "%(processor)s has published version %(number)s of its privacy notice to its customers "
    "(%(title)s). It takes effect on %(day)s."
)
PLATFORM_OPT_OUT = N_(
    "Before it takes effect you can opt out of its new optional uses, or tell us you "
    "object, on the banner shown when you sign in to the console."
)
ESSENTIAL = N_(
    "You receive this e-mail because it concerns how your personal data is processed; "
    "such notices go to every account and cannot be switched off."
)


@dataclass(frozen=True)
class Message:
    kind: str
    subject: str
    body: str


def _day(value: date) -> str:
    return value.strftime("%d %B %Y").lstrip("0")


def tenant_change(
    controller: str,
    slug: str,
    number: int,
    effective: date,
    changed: list[str],
    t: Translator = ENGLISH,
) -> Message:
    day = _day(effective)
    lines = [
        t(TENANT_BODY, controller=controller, number=number, day=day),
        "",
        t(WHAT_CHANGED),
        *(f"- {t(SECTION_WORDS[s])}" for s in changed if s in SECTION_WORDS),
        "",
        t(READ_NEW, url=link(f"/t/{slug}/privacy-notice/v/{number}")),
        t(READ_OLD, url=link(f"/t/{slug}/privacy-notice/v/{number - 1}")),
        "",
        t(OPT_OUT, url=link("/my/privacy-requests?type=objection")),
        "",
        t(ESSENTIAL),
    ]
    subject = t(TENANT_SUBJECT, controller=controller, day=day)
    return Message(KIND_CHANGE, subject, "\n".join(lines))


def platform_change(
    processor: str, title: str, number: int, effective: date, summary: str, t: Translator = ENGLISH
) -> Message:
    day = _day(effective)
    lines = [
        t(PLATFORM_BODY, processor=processor, number=number, title=title, day=day),
        "",
        t(WHAT_CHANGED),
        summary,
        "",
        t(READ_NEW, url=link(f"/privacy/notice/v/{number}")),
    ]
    if number > 1:
        lines.append(t(READ_OLD, url=link(f"/privacy/notice/v/{number - 1}")))
    lines += ["", t(PLATFORM_OPT_OUT), "", t(ESSENTIAL)]
    subject = t(PLATFORM_SUBJECT, processor=processor, day=day)
    return Message(KIND_CHANGE, subject, "\n".join(lines))
