"""What the client admins are told: receipt links, the outcome notice, in-app and by e-mail."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from timeward.identity.service import Recipient, client_admins
from timeward.instructions.executor.job import ExecutionContext
from timeward.instructions.models import Instruction
from timeward.instructions.receipts import receipt_links as links_for
from timeward.instructions.states import Kind, Status
from timeward.mail.categories import Essential
from timeward.mail.service import queue_email
from timeward.notifications.service import notify


def receipt_links(ctx: ExecutionContext, instruction_id: UUID) -> dict[str, str]:
    return links_for(ctx.master_key, ctx.settings.public_url, instruction_id)


@dataclass(frozen=True)
class Notice:
    kind: str
    title: str
    body: str


async def tell_client_admins(
    session: AsyncSession, tenant_id: UUID, admins: list[Recipient], notice: Notice
) -> list[UUID]:
    """In the app and by e-mail (the outbox: sent by a background job after commit) to
    each client admin; returns the e-mails' ids."""
    await notify(
        session,
        tenant_id,
        [admin.user_id for admin in admins],
        notice.kind,
        notice.title,
        notice.body,
    )
    return [
        await queue_email(
            session,
            tenant_id,
            admin.email,
            f"Timeward: {notice.title}",
            notice.body,
            category=Essential.INSTRUCTION,
        )
        for admin in admins
    ]


KIND_NAMES = {
    Kind.DELETE_SUBJECT: "deletion of a person's data",
    Kind.RETURN_DATA: "return of your data",
    Kind.OFFBOARD_TENANT: "offboarding of your company",
}


def outcome_notice(public_url: str, instruction: Instruction, links: dict[str, str]) -> Notice:
    """What every client admin is told when an instruction ends (only outcomes the client
    may know of: a result withheld under a confidential hold is never announced)."""
    base = f"{public_url.rstrip('/')}/api/v1/instructions/{instruction.id}"
    # after offboarding the client's access is closed: only the receipt link still works
    certificate = (
        links["certificate"]
        if instruction.kind == Kind.OFFBOARD_TENANT
        else f"{base}/certificate.html"
    )
    what = (
        f"Your instruction ({KIND_NAMES[Kind(instruction.kind)]}, {instruction.id}), "
        f"received {instruction.received_at:%Y-%m-%d %H:%M} UTC,"
    )
    status = Status(instruction.status)
    if status == Status.COMPLETED:
        return Notice(
            "instruction.completed",
            "Instruction completed",
            f"{what} is completed.\n\nThe signed certificate:\n{certificate}\n",
        )
    if status == Status.PARTIALLY_COMPLETED:
        return Notice(
            "instruction.partially_completed",
            "Instruction partially completed",
            f"{what} is partially completed: {instruction.status_reason}.\n\nWhat was kept "
            f"and why is in the signed certificate:\n{certificate}\n\nIt is completed once "
            "the hold ends; you will be told.\n",
        )
    return Notice(
        "instruction.failed",
        "Instruction failed",
        f"{what} could not be completed: {instruction.status_reason}.\n\nNothing done so far "
        "is undone; platform staff can retry it from where it stopped. Its status:\n"
        f"{links['status'] if instruction.kind == Kind.OFFBOARD_TENANT else base}\n",
    )


async def announce_outcome(
    session: AsyncSession, ctx: ExecutionContext, instruction: Instruction
) -> None:
    """Tell the client admins how the instruction ended (in the caller's tenant-scoped
    transaction, so the notice exists exactly when the outcome does)."""
    admins = await client_admins(session, instruction.tenant_id)
    if not admins:  # an offboarding that deleted them: the certificate is at the receipt link
        return
    links = receipt_links(ctx, instruction.id)
    notice = outcome_notice(ctx.settings.public_url, instruction, links)
    await tell_client_admins(session, instruction.tenant_id, admins, notice)
