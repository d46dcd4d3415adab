"""What a fulfilment would do, shown before it is done: the tables and row counts an
export would hold, and what an erasure would remove, anonymise and keep (with each
basis). Both run the very code the jobs run, so a preview cannot disagree with the
result: the export's collection without packaging, and the erasure itself inside a
savepoint that is rolled back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from tenants.privacy_requests.erasure import erase_with_tenant_policy
from tenants.privacy_requests.export import collect
from tenants.privacy_requests.models import FulfilmentState, PrivacyRequest, RequestType
from tenants.privacy_requests.service.checks import require_type
from tenants.privacy_requests.service.fulfilment import EXPORT_TYPES
from tenants.privacy_requests.subject import subject_emails, subject_of
from timeward.audit.log import AuditLog
from timeward.crypto.data_keys import DataKeys
from timeward.errors import Conflict


@dataclass(frozen=True)
class TableCount:
    table: str
    label: str
    rows: int


async def export_preview(
    session: AsyncSession, keys: DataKeys, request: PrivacyRequest
) -> list[TableCount]:
    """Per table, how many rows about the subject the export would hold (nothing else of
    their contents leaves this function)."""
    require_type(request, EXPORT_TYPES, "an export")
    subject = await subject_of(session, request)
    tables = await collect(session, keys, subject, extra_emails=(request.contact_email,))
    return [TableCount(t.name, t.label, len(t.rows)) for t in tables]


async def erasure_preview(
    session: AsyncSession, audit: AuditLog, request: PrivacyRequest, now: datetime
) -> dict[str, Any]:
    """The erasure's report as it would be now (tables with removed / anonymised /
    retained rows, the bases of what is kept, locations destroyed, the login account),
    computed by running the erasure in a savepoint and rolling it back."""
    require_type(request, frozenset({RequestType.ERASURE}), "an erasure")
    if request.fulfilment_state in (FulfilmentState.DONE, FulfilmentState.RUNNING):
        raise Conflict("The erasure has already been carried out.", reason="already_fulfilled")
    subject = await subject_of(session, request)
    emails = await subject_emails(session, subject, (request.contact_email,))
    savepoint = await session.begin_nested()
    try:
        erased = await erase_with_tenant_policy(
            session, subject, emails, audit_key=audit.key, now=now, keep_request=request.id
        )
        report = erased.as_json()
    except IntegrityError as exc:  # the job would fail the same way: say so, change nothing
        await savepoint.rollback()
        constraint = getattr(exc.orig, "constraint_name", None) or "a database constraint"
        raise Conflict(
            f"The erasure cannot run as the data stands: it would break {constraint}.",
            reason="erasure_blocked",
        ) from None
    else:
        await savepoint.rollback()
    report["login_account"] = (
        "access to your company removed" if subject.user_id is not None else "none"
    )
    return report
