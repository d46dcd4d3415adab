"""Hand one message to the configured SMTP relay (stdlib smtplib, run in a thread)."""

from __future__ import annotations

import asyncio
import smtplib
import ssl
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from uuid import UUID

from timeward import clock
from timeward.config import SmtpSettings

# RFC 5322's own limit for header lines: with the 78 of the default policy, a long
# List-Unsubscribe URL would be folded into RFC 2047 encoded-words, which no mail client
# reads as a URL. Only for writing the headers: the body is encoded under the default.
HEADER_POLICY = policy.default.clone(max_line_length=998)


def build_message(
    smtp: SmtpSettings,
    email_id: UUID,
    to: str,
    subject: str,
    body: str,
    *,
    unsubscribe_url: str | None = None,
) -> EmailMessage:
    """The Message-ID derives from the outbox id, so a re-sent copy can be deduplicated.

    Headers go through the standard library's header objects (default policy): a value
    with a line break raises instead of starting another header. Optional mail (an
    ``unsubscribe_url``) carries ``List-Unsubscribe`` and RFC 8058's one-click
    ``List-Unsubscribe-Post``; essential mail carries neither.
    """
    sender_name, sender_address = parseaddr(smtp.sender)
    domain = sender_address.rpartition("@")[2] or "timeward.localhost"
    message = EmailMessage()
    message["From"] = Address(display_name=sender_name, addr_spec=sender_address)
    message["To"] = Address(addr_spec=to)
    message["Subject"] = subject
    message["Date"] = format_datetime(clock.now())
    message["Message-ID"] = f"<{email_id}@{domain}>"
    if unsubscribe_url is not None:
        message["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(body)  # encoded under the default policy: QP lines of 76
    message.policy = HEADER_POLICY  # from here on, how the headers are written out
    return message


def _send(smtp: SmtpSettings, message: EmailMessage) -> None:
    with smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout_seconds) as client:
        if smtp.starttls:
            client.starttls(context=ssl.create_default_context())
        if smtp.username:
            client.login(smtp.username, smtp.password or "")
        client.send_message(message)


async def send(smtp: SmtpSettings, message: EmailMessage) -> None:
    await asyncio.to_thread(_send, smtp, message)


def describe_error(error: BaseException) -> str:
    """What may be stored and logged about a failure: its type and SMTP code only.

    Server replies and ``SMTPRecipientsRefused`` quote the recipient's address.
    """
    code = getattr(error, "smtp_code", None)
    return type(error).__name__ if code is None else f"{type(error).__name__} {code}"
