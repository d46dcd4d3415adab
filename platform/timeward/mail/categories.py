"""Every mail's category, given where it is queued (docs/accountability.md, "Essential and
optional mail").

``queue_email`` takes a required ``category``: an :class:`Essential` reason (the mail is
needed to use the service, so no preference switches it off, and its footer says why) or
an :class:`OptionalMail` (a topic the person can leave by one click, sent only while
they want it). A new mail cannot be queued without choosing one.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from uuid import UUID


class Essential(enum.StrEnum):
    """Why a mail cannot be switched off: what the person would miss without it."""

    ACCOUNT = "account"  # invitations, password resets: access to and security of the account
    PRIVACY_REQUEST = "privacy_request"  # a data-subject request's steps and answers
    INSTRUCTION = "instruction"  # the client's instructions to the processor
    PROCESSOR_NOTICE = "processor_notice"  # breaches, sub-processor changes (the contract)
    PRIVACY_NOTICE = "privacy_notice"  # a significant change to a privacy notice, in advance
    SERVICE = "service"  # the service stops working for the client (expiring credentials)


class Topic(enum.StrEnum):
    """Optional mail. Digests follow the tenant's default until the person chooses;
    product news needs marketing consent."""

    ADMIN_DIGEST = "admin_digest"  # client admins: open requests and due dates, weekly
    HOURS_SUMMARY = "hours_summary"  # employees: last week's hours, weekly
    PRODUCT_NEWS = "product_news"  # the processor's product news, with marketing consent


@dataclass(frozen=True)
class OptionalMail:
    """An optional mail to one member about ``topic``; ``unsubscribe_url`` is the signed
    one-click link and ``sender`` the processor's name and postal address
    (``timeward.mail.unsubscribe.optional_mail`` builds it)."""

    topic: Topic
    user_id: UUID
    unsubscribe_url: str
    sender: str


Category = Essential | OptionalMail
