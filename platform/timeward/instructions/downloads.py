"""Returned data and public receipts: the export download, the instruction and certificate
reached by a receipt link."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import undefer

from timeward import clock
from timeward.acting import Acting
from timeward.audit.log import AuditEntry, AuditLog
from timeward.db.session import Database, Scope
from timeward.errors import Gone, NotFound
from timeward.instructions.models import DataExport, DeletionCertificate, Instruction
from timeward.instructions.queries import get_instruction, tenant_of
from timeward.instructions.receipts import check_receipt_token


async def export_for_download(
    session: AsyncSession, tenant_id: UUID, instruction_id: UUID
) -> DataExport:
    """The instruction's export with its content (tenant scope); counts the download."""
    instruction = await get_instruction(session, tenant_id, instruction_id)
    if instruction.export_id is None:
        raise NotFound("Export")
    export = await session.scalar(
        select(DataExport)
        .options(undefer(DataExport.content))
        .where(DataExport.tenant_id == tenant_id, DataExport.id == instruction.export_id)
    )
    if export is not None and export.deleted_reason is not None:
        raise Gone(export.deleted_reason, reason="withdrawn")
    if export is None or export.content is None or export.expires_at <= clock.now():
        raise Gone("The returned data has expired and was deleted.", reason="expired")
    export.downloads += 1
    return export


async def instruction_by_receipt(
    database: Database, master_key: bytes, instruction_id: UUID, token: str, lifetime: timedelta
) -> Instruction:
    """Platform scope, for the public receipt links; a wrong token is indistinguishable
    from an unknown instruction. A link works while the instruction is open and for
    ``lifetime`` after it finished; then it is gone (410)."""
    if not check_receipt_token(master_key, instruction_id, token):
        raise NotFound("Instruction")
    async with database.transaction(Scope.PLATFORM, read_only=True) as session:
        instruction = await session.scalar(
            select(Instruction).where(Instruction.id == instruction_id)
        )
    if instruction is None:
        raise NotFound("Instruction")
    if instruction.finished_at is not None:
        expired = instruction.finished_at + lifetime
        if expired <= clock.now():
            raise Gone(
                f"This receipt link expired on {expired.date().isoformat()}, "
                f"{lifetime.days} days after the instruction finished."
            )
    return instruction


async def visible_certificate(
    database: Database, instruction: Instruction, *, client: bool
) -> DeletionCertificate:
    """The newest certificate; for the client only one it may be shown."""
    async with database.transaction(Scope.PLATFORM, read_only=True) as session:
        query = (
            select(DeletionCertificate)
            .where(
                DeletionCertificate.tenant_id == instruction.tenant_id,
                DeletionCertificate.instruction_id == instruction.id,
            )
            .order_by(DeletionCertificate.issued_at.desc())
            .limit(1)
        )
        if client:
            query = query.where(DeletionCertificate.client_visible.is_(True))
        certificate = await session.scalar(query)
    if certificate is None:
        raise NotFound("Certificate")
    return certificate


async def download_export(
    session: AsyncSession, audit: AuditLog, tenant_id: UUID, instruction_id: UUID, by: Acting
) -> DataExport:
    """A client admin downloads the returned data (tenant scope); audited."""
    export = await export_for_download(session, tenant_id, instruction_id)
    entry = AuditEntry("export.downloaded", by.user_id, by.role, "instruction", instruction_id)
    await audit.append(session, tenant_id, entry)
    return export


async def download_by_receipt(
    database: Database, audit: AuditLog, instruction: Instruction
) -> DataExport:
    """The returned data reached by a receipt link (its token checked by the caller);
    audited as downloaded through the link."""
    async with database.transaction(Scope.TENANT, instruction.tenant_id) as session:
        export = await export_for_download(session, instruction.tenant_id, instruction.id)
        entry = AuditEntry("export.downloaded", None, "receipt_link", "instruction", instruction.id)
        await audit.append(session, instruction.tenant_id, entry)
    return export


async def staff_certificate(database: Database, instruction_id: UUID) -> DeletionCertificate:
    """Platform scope: the newest certificate of any tenant's instruction."""
    tenant_id = await tenant_of(database, instruction_id)
    async with database.transaction(Scope.PLATFORM, read_only=True) as session:
        instruction = await get_instruction(session, tenant_id, instruction_id)
    return await visible_certificate(database, instruction, client=False)
