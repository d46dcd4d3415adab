"""Queue an e-mail in the caller's transaction; it is sent after that transaction commits.

The one place mail is composed: the body gets the footer of its category (essential: why
it cannot be switched off; optional: the unsubscribe link, the preferences page and the
processor's postal address), and the row keeps what the sender needs for the headers and
for checking the person's preference right before sending.
"""

from __future__ import annotations

from uuid import UUID

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from timeward.db.base import new_id
from timeward.jobs.after_commit import start_after_commit
from timeward.links import link
from timeward.mail.address import is_mailbox
from timeward.mail.categories import Category, Essential
from timeward.mail.messages import footer
from timeward.mail.models import ESSENTIAL, OPTIONAL, OutboundEmail
from timeward.mail.unsubscribe import PREFERENCES_PATH
from timeward.translations import ENGLISH, Translator


def _check_header(name: str, value: str) -> None:
    if not value.strip() or "\r" in value or "\n" in value:
        raise ValueError(f"{name} must be one non-empty line")


def _row(
    tenant_id: UUID, to: str, subject: str, body: str, category: Category, t: Translator
) -> dict[str, object]:
    _check_header("recipient", to)
    _check_header("subject", subject)
    if not is_mailbox(to):
        raise ValueError("recipient must be a single address")
    text = f"{body.rstrip()}\n\n{footer(category, t, link(PREFERENCES_PATH))}"
    row: dict[str, object] = {
        "tenant_id": tenant_id,
        "id": new_id(),
        "recipient": to,
        "subject": subject,
        "body_text": text,
    }
    if isinstance(category, Essential):
        return row | {"category": ESSENTIAL, "essential_reason": category.value}
    return row | {
        "category": OPTIONAL,
        "topic": category.topic.value,
        "recipient_user_id": category.user_id,
        "unsubscribe_url": category.unsubscribe_url,
    }


async def queue_email(
    session: AsyncSession,
    tenant_id: UUID,
    to: str,
    subject: str,
    body: str,
    *,
    category: Category,
    t: Translator = ENGLISH,
) -> UUID:
    """Insert a pending e-mail (tenant-scoped session) and send it after commit.

    ``category`` is required: an :class:`Essential` reason or an ``OptionalMail``; ``t``
    writes the footer in the recipient's language."""
    email = OutboundEmail(**_row(tenant_id, to, subject, body, category, t))
    session.add(email)
    await session.flush()
    start_after_commit(session, "send_email", str(tenant_id), str(email.id))
    return email.id


async def queue_email_once(
    session: AsyncSession,
    tenant_id: UUID,
    dedupe_key: str,
    to: str,
    subject: str,
    body: str,
    *,
    category: Category,
    t: Translator = ENGLISH,
) -> UUID | None:
    """Like :func:`queue_email`, but at most one e-mail per ``dedupe_key`` in the tenant,
    ever (a unique index): None when one was queued before, by this run or a concurrent
    one (the second insert waits for the first to commit, then does nothing)."""
    values = _row(tenant_id, to, subject, body, category, t) | {"dedupe_key": dedupe_key}
    email_id = await session.scalar(
        insert(OutboundEmail)
        .values(**values)
        .on_conflict_do_nothing(
            index_elements=["tenant_id", "dedupe_key"],
            index_where=OutboundEmail.dedupe_key.is_not(None),
        )
        .returning(OutboundEmail.id)
    )
    if email_id is not None:
        start_after_commit(session, "send_email", str(tenant_id), str(email_id))
    return email_id
