"""The footers every mail ends with, and the weekly digests' texts (no I/O).

Essential mail says why it cannot be switched off; optional mail carries the one-click
unsubscribe link, the preferences page and the processor's postal address (CAN-SPAM,
CASL: docs/accountability.md, "Essential and optional mail").
"""

from __future__ import annotations

from timeward.mail.categories import Category, Essential, OptionalMail, Topic
from timeward.translations import N_, Translator

FOOTER_RULE = "-- "

WHY_ESSENTIAL = {
    Essential.ACCOUNT: N_(
        "You receive this e-mail whatever your mail preferences: it concerns access to your "
        "account and its security, so it cannot be switched off."
    ),
    Essential.PRIVACY_REQUEST: N_(
        "You receive this e-mail whatever your mail preferences: it is about a privacy "
        "request, and the people concerned must be told of its steps, so it cannot be "
        "switched off."
    ),
    Essential.INSTRUCTION: N_(
        "You receive this e-mail whatever your mail preferences: it is about an instruction "
        "your organisation gave its processor, so it cannot be switched off."
    ),
    Essential.PROCESSOR_NOTICE: N_(
        "You receive this e-mail whatever your mail preferences: the processor must give "
        "this notice to its clients under the data processing agreement, so it cannot be "
        "switched off."
    ),
    Essential.PRIVACY_NOTICE: N_(
        "You receive this e-mail whatever your mail preferences: a change to a privacy "
        "notice that concerns you must be announced before it takes effect, so it cannot be "
        "switched off."
    ),
    Essential.SERVICE: N_(
        "You receive this e-mail whatever your mail preferences: without it the service "
        "could stop working for your organisation, so it cannot be switched off."
    ),
}

TOPIC_NAMES = {
    Topic.ADMIN_DIGEST: N_("Weekly digest of open privacy requests and due dates"),
    Topic.HOURS_SUMMARY: N_("Weekly summary of your hours"),
    Topic.PRODUCT_NEWS: N_("Product news"),
}

WHY_OPTIONAL = {
    Topic.ADMIN_DIGEST: N_(
        "This is optional mail (%(topic)s): you can stop it at any time, it takes effect "
        "before the next one is sent."
    ),
    Topic.HOURS_SUMMARY: N_(
        "This is optional mail (%(topic)s): you can stop it at any time, it takes effect "
        "before the next one is sent."
    ),
    Topic.PRODUCT_NEWS: N_(
        "You receive product news because you agreed to it; you can stop it at any time, it "
        "takes effect before the next one is sent."
    ),
}
UNSUBSCRIBE_LINE = N_("Unsubscribe with one click: %(url)s")
PREFERENCES_LINE = N_("Choose which e-mails you receive: %(url)s")
SENDER_LINE = N_("Sent by %(sender)s")


def footer(category: Category, t: Translator, preferences_url: str) -> str:
    if isinstance(category, Essential):
        return f"{FOOTER_RULE}\n{t(WHY_ESSENTIAL[category])}\n"
    return _optional_footer(category, t, preferences_url)


def _optional_footer(mail: OptionalMail, t: Translator, preferences_url: str) -> str:
    return (
        f"{FOOTER_RULE}\n"
        f"{t(WHY_OPTIONAL[mail.topic], topic=t(TOPIC_NAMES[mail.topic]))}\n"
        f"{t(UNSUBSCRIBE_LINE, url=mail.unsubscribe_url)}\n"
        f"{t(PREFERENCES_LINE, url=preferences_url)}\n"
        f"{t(SENDER_LINE, sender=mail.sender)}\n"
    )


# --- The weekly digests --------------------------------------------------------------

ADMIN_DIGEST_SUBJECT = N_("Privacy requests this week: %(open)s open, %(overdue)s overdue")
ADMIN_DIGEST_INTRO = N_(
    "Hello,\n\nthe privacy requests %(company)s has open, the nearest due date first:"
)
ADMIN_DIGEST_LINE = N_("- %(type)s, received %(received_day)s, due %(due_day)s: %(url)s")
ADMIN_DIGEST_MORE = N_("… and %(count)s more: %(url)s")
ADMIN_DIGEST_NONE = N_("Hello,\n\n%(company)s has no open privacy request.")
HOURS_SUBJECT = N_("Your hours in the week of %(first_day)s")
HOURS_INTRO = N_("Hello %(name)s,\n\nyour recorded hours in the week of %(first_day)s:")
HOURS_DAY = N_("- %(day)s: %(hours)s")
HOURS_TOTAL = N_("Total: %(hours)s (approved: %(approved)s, entries waiting: %(pending)s)")
HOURS_LINK = N_("Your time, week by week: %(url)s")


def hours(seconds: int) -> str:
    """``7:30`` for seven and a half hours."""
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}"
