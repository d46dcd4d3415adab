"""Queue an e-mail in the caller's transaction; it is sent after that transaction commits."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from timeward.db.base import new_id
from timeward.jobs.after_commit import start_after_commit
from timeward.mail.address import is_mailbox
from timeward.mail.models import OutboundEmail


def _check_header(name: str, value: str) -> None:
    if not value.strip() or "\r" in value or "\n" in value:
        raise ValueError(f"{name} must be one non-empty line")


async def queue_email(
    session: AsyncSession, tenant_id: UUID, to: str, subject: str, body: str
) -> UUID:
    """Insert a pending e-mail (tenant-scoped session) and send it after commit."""
    _check_header("recipient", to)
    _check_header("subject", subject)
    if not is_mailbox(to):
        raise ValueError("recipient must be a single address")
    email = OutboundEmail(
        tenant_id=tenant_id, id=new_id(), recipient=to, subject=subject, body_text=body
    )
    session.add(email)
    await session.flush()
    start_after_commit(session, "send_email", str(tenant_id), str(email.id))
    return email.id
