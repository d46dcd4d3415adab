"""Export files: keep a new zip for its days, delete the bytes of expired ones."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tenants.privacy_requests.models import (
    PrivacyExport,
    PrivacyRequest,
)
from timeward.db.base import new_id


async def store_export(
    session: AsyncSession,
    request: PrivacyRequest,
    content: bytes,
    sha256: str,
    schema_version: str,
    now: datetime,
    days: int,
) -> PrivacyExport:
    """Keep the zip for ``days``; earlier exports of the request are deleted at once."""
    for old in (
        await session.scalars(
            select(PrivacyExport).where(
                PrivacyExport.tenant_id == request.tenant_id,
                PrivacyExport.request_id == request.id,
                PrivacyExport.content.is_not(None),
            )
        )
    ).all():
        old.content, old.deleted_at = None, now
    export = PrivacyExport(
        tenant_id=request.tenant_id,
        id=new_id(),
        request_id=request.id,
        schema_version=schema_version,
        content=content,
        size_bytes=len(content),
        sha256=sha256,
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    session.add(export)
    await session.flush()
    return export


async def purge_expired_exports(session: AsyncSession, tenant_id: UUID, now: datetime) -> int:
    """Delete the bytes of every export past its expiry (the row stays, as a record)."""
    rows = (
        await session.scalars(
            select(PrivacyExport)
            .where(
                PrivacyExport.tenant_id == tenant_id,
                PrivacyExport.content.is_not(None),
                PrivacyExport.expires_at <= now,
            )
            .with_for_update(skip_locked=True)
        )
    ).all()
    for export in rows:
        export.content, export.deleted_at = None, now
    return len(rows)
