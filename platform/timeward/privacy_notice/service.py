"""Notice versions: the tenant's generated employee notice (regenerated when an input
changes), the platform's notice to its customers (published by staff), the change
notices and banners of significant changes, and what accounts answer to them
(docs/accountability.md, "Notice versions" and "The generated employee notice")."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

import structlog
from sqlalchemy import Select, func, literal, select, text, union_all
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from tenants.employees.models import Employee
from tenants.settings.service import location_policy
from timeward import clock
from timeward.acting import SYSTEM, Acting
from timeward.audit.log import PLATFORM_CHAIN, AuditEntry, AuditLog
from timeward.config import MIN_NOTICE_CHANGE_DAYS, ProcessorSettings
from timeward.db.session import Database, Scope
from timeward.errors import Conflict, InvalidInput, NotFound
from timeward.identity.models import Membership, Tenant, TenantRole, TenantStatus, User, UserStatus
from timeward.identity.service import Recipient, client_admins
from timeward.mail.categories import Essential
from timeward.mail.service import queue_email
from timeward.notifications.service import notify
from timeward.privacy_notice import messages
from timeward.privacy_notice.generation import (
    DataRecipient,
    NoticeInputs,
    Party,
    Purpose,
    Retention,
    build_notice,
    changed_sections,
    digest,
    is_significant,
)
from timeward.privacy_notice.models import (
    NoticeKind,
    NoticeResponse,
    PlatformNoticeVersion,
    TenantNoticeVersion,
)
from timeward.processing.service import record_sources
from timeward.retention.policy import default_policy
from timeward.retention.service import periods
from timeward.translations import Translator, translator

log = structlog.get_logger("timeward.privacy_notice")

# Serialises the platform notice's numbers (transaction-scoped advisory lock); a tenant's
# notice takes the same lock keyed by its tenant id.
NOTICE_LOCK = 0x7E_A1_0C_E5


def _tenant_lock_key(tenant_id: UUID) -> int:
    return int.from_bytes(hashlib.sha256(tenant_id.bytes).digest()[:4], "big", signed=True)


# --- the tenant's generated notice ---------------------------------------------------


async def notice_inputs(
    session: AsyncSession, tenant_id: UUID, processor: ProcessorSettings
) -> NoticeInputs:
    """Everything the tenant's notice says, read in the tenant's session."""
    sources = await record_sources(session, tenant_id)
    policy = await location_policy(session, tenant_id)
    tenant, details = sources.tenant, sources.details
    return NoticeInputs(
        tenant_slug=tenant.slug,
        controller=Party(
            tenant.name,
            details.contact if details else "",
            details.dpo if details else None,
            details.representative if details else None,
        ),
        country=tenant.country,
        processor=Party(processor.name, processor.contact, processor.dpo),
        location_mode=str(policy.mode),
        precise_days=policy.precise_days,
        purposes=[Purpose(c.name, c.purpose, c.personal_data) for c in sources.text.categories],
        recipients=[
            DataRecipient(
                e.entry.name, e.entry.purpose, e.entry.location, e.entry.transfer_safeguard
            )
            for e in sources.registry.entries
        ],
        retention=[
            Retention(p.category.name, p.days)
            for p in await periods(session, tenant_id, default_policy())
        ],
    )


async def latest_tenant_version(
    session: AsyncSession, tenant_id: UUID
) -> TenantNoticeVersion | None:
    found: TenantNoticeVersion | None = await session.scalar(
        select(TenantNoticeVersion)
        .where(TenantNoticeVersion.tenant_id == tenant_id)
        .order_by(TenantNoticeVersion.number.desc())
        .limit(1)
    )
    return found


async def refresh_tenant_notice(
    session: AsyncSession, audit: AuditLog, tenant_id: UUID, processor: ProcessorSettings
) -> TenantNoticeVersion | None:
    """Generate the notice from the configuration as it is now; publish it as the next
    version when its digest differs from the latest version's. Returns the new version,
    or None when nothing changed (so it may run any number of times).

    A significant change takes effect ``notice_change_days`` after publication and is
    announced to every active member of the tenant by e-mail and in the app, in this
    transaction (the outbox sends after commit)."""
    await session.execute(
        text("SELECT pg_advisory_xact_lock(:space, :key)"),
        {"space": NOTICE_LOCK, "key": _tenant_lock_key(tenant_id)},
    )
    latest = await latest_tenant_version(session, tenant_id)
    content = build_notice(await notice_inputs(session, tenant_id, processor))
    new_digest = digest(content)
    if latest is not None and latest.digest == new_digest:
        return None
    before = latest.content if latest is not None else None
    changed = changed_sections(before, content)
    significant = is_significant(before, changed)
    now = clock.now()
    days = max(processor.notice_change_days, MIN_NOTICE_CHANGE_DAYS)
    version = TenantNoticeVersion(
        tenant_id=tenant_id,
        number=latest.number + 1 if latest is not None else 1,
        content=content,
        changed=changed,
        significant=significant,
        published_at=now,
        effective_from=now + timedelta(days=days) if significant else now,
        digest=new_digest,
    )
    session.add(version)
    await session.flush()
    recipients = await _announce_tenant_change(session, version) if significant else 0
    details = {
        "number": version.number,
        "significant": significant,
        "changed": changed,
        "recipients": recipients,
    }
    entry = AuditEntry.by(SYSTEM, "privacy_notice.published", "tenant", tenant_id, details)
    await audit.append(session, tenant_id, entry)
    log.info("privacy_notice.published", tenant_id=str(tenant_id), **details)
    return version


async def _members(session: AsyncSession, tenant_id: UUID) -> list[tuple[UUID, str, str | None]]:
    """Every active member of the tenant: user id, address, chosen language."""
    rows = await session.execute(
        select(Membership.user_id, User.email, Membership.language)
        .join(User, User.id == Membership.user_id)
        .where(
            Membership.tenant_id == tenant_id,
            Membership.status == UserStatus.ACTIVE,
            User.status == UserStatus.ACTIVE,
        )
        .order_by(User.email)
    )
    return [(user_id, email, language) for user_id, email, language in rows.all()]


async def _announce_tenant_change(session: AsyncSession, version: TenantNoticeVersion) -> int:
    tenant = await session.get(Tenant, version.tenant_id)
    assert tenant is not None
    members = await _members(session, version.tenant_id)
    for user_id, email, language in members:
        t = translator(language)
        message = messages.tenant_change(
            tenant.name,
            tenant.slug,
            version.number,
            version.effective_from.date(),
            version.changed,
            t,
        )
        await _tell(session, version.tenant_id, Recipient(user_id, email), message, t)
    return len(members)


async def _tell(
    session: AsyncSession, tenant_id: UUID, to: Recipient, message: messages.Message, t: Translator
) -> None:
    """A change notice to one account: in the app and by e-mail (the outbox)."""
    await notify(session, tenant_id, [to.user_id], message.kind, message.subject, message.body)
    await queue_email(
        session,
        tenant_id,
        to.email,
        message.subject,
        message.body,
        category=Essential.PRIVACY_NOTICE,
        t=t,
    )


async def tenant_notice_version(
    session: AsyncSession, tenant_id: UUID, number: int
) -> TenantNoticeVersion:
    found = await session.get(TenantNoticeVersion, (tenant_id, number))
    if found is None:
        raise NotFound("Notice version")
    return found


async def tenant_notice_versions(
    session: AsyncSession, tenant_id: UUID
) -> list[TenantNoticeVersion]:
    """Every version, newest first (a short list: one per configuration change)."""
    rows = await session.scalars(
        select(TenantNoticeVersion)
        .where(TenantNoticeVersion.tenant_id == tenant_id)
        .order_by(TenantNoticeVersion.number.desc())
    )
    return list(rows.all())


@dataclass(frozen=True)
class Current:
    """The version in force and the ones published but not yet in force."""

    in_force: TenantNoticeVersion
    upcoming: list[TenantNoticeVersion]


async def current_tenant_notice(
    session: AsyncSession, audit: AuditLog, tenant_id: UUID, processor: ProcessorSettings
) -> Current:
    """The tenant's notice as it stands; a tenant without one gets its first version now
    (generated from its configuration: nothing to announce)."""
    versions = await tenant_notice_versions(session, tenant_id)
    if not versions:
        # a concurrent first reader may publish it first: read again after the lock
        await refresh_tenant_notice(session, audit, tenant_id, processor)
        versions = await tenant_notice_versions(session, tenant_id)
    now = clock.now()
    in_force = next((v for v in versions if v.effective_from <= now), versions[-1])
    upcoming = [v for v in reversed(versions) if v.effective_from > now]
    return Current(in_force, upcoming)


async def tenant_id_for_slug(session: AsyncSession, slug: str) -> UUID:
    """The tenant a public notice URL names (platform scope); unknown or offboarded: 404."""
    tenant_id: UUID | None = await session.scalar(
        select(Tenant.id).where(Tenant.slug == slug, Tenant.status != TenantStatus.DELETED)
    )
    if tenant_id is None:
        raise NotFound("Privacy notice")
    return tenant_id


async def active_tenant_ids(database: Database) -> list[UUID]:
    """The tenants whose people are told of a change (as for sub-processor changes: a
    suspended or offboarding tenant's notice catches up in the sweep once it is active)."""
    async with database.transaction(Scope.PLATFORM, read_only=True) as session:
        query = select(Tenant.id).where(Tenant.status == TenantStatus.ACTIVE).order_by(Tenant.id)
        return list((await session.scalars(query)).all())


async def refresh_all(database: Database, audit: AuditLog, processor: ProcessorSettings) -> int:
    """The sweep: regenerate every active tenant's notice; returns how many changed."""
    changed = 0
    for tenant_id in await active_tenant_ids(database):
        async with database.transaction(Scope.TENANT, tenant_id) as session:
            if await refresh_tenant_notice(session, audit, tenant_id, processor) is not None:
                changed += 1
    return changed


# --- the platform's notice to its customers ------------------------------------------


@dataclass(frozen=True)
class PlatformDraft:
    title: str
    body: str
    summary: str
    significant: bool
    effective_from: datetime | None = None  # None: at once, or after the notice period


def _platform_digest(title: str, body: str) -> str:
    return hashlib.sha256(f"{title}\n\n{body}".encode()).hexdigest()


async def latest_platform_version(session: AsyncSession) -> PlatformNoticeVersion | None:
    found: PlatformNoticeVersion | None = await session.scalar(
        select(PlatformNoticeVersion).order_by(PlatformNoticeVersion.number.desc()).limit(1)
    )
    return found


async def publish_platform_notice(
    database: Database,
    audit: AuditLog,
    draft: PlatformDraft,
    by: Acting,
    processor: ProcessorSettings,
) -> PlatformNoticeVersion:
    """Publish the next version; a significant one is announced to every active client
    admin of every active tenant, by e-mail and in the app (one transaction per tenant,
    after the version is committed)."""
    now = clock.now()
    earliest = now + timedelta(days=max(processor.notice_change_days, MIN_NOTICE_CHANGE_DAYS))
    effective = draft.effective_from or (earliest if draft.significant else now)
    if effective < now:
        raise InvalidInput.on_field("effective_from", "The date must not lie in the past.")
    if draft.significant and effective < earliest - timedelta(minutes=1):
        raise InvalidInput.on_field(
            "effective_from",
            f"A significant change takes effect at least {processor.notice_change_days} days "
            "after it is published.",
        )
    async with database.transaction(Scope.PLATFORM) as session:
        await session.execute(
            text("SELECT pg_advisory_xact_lock(:space, 0)"), {"space": NOTICE_LOCK}
        )
        latest = await latest_platform_version(session)
        new_digest = _platform_digest(draft.title, draft.body)
        if latest is not None and latest.digest == new_digest:
            raise Conflict("This text is the version already published.")
        version = PlatformNoticeVersion(
            number=latest.number + 1 if latest is not None else 1,
            title=draft.title,
            body=draft.body,
            summary=draft.summary,
            significant=draft.significant and latest is not None,
            published_at=now,
            effective_from=effective,
            digest=new_digest,
            published_by=by.user_id,
        )
        session.add(version)
        await session.flush()
        details = {"number": version.number, "significant": version.significant}
        await audit.append(
            session,
            PLATFORM_CHAIN,
            AuditEntry.by(by, "platform_notice.published", "platform_notice", None, details),
        )
    if version.significant:
        for tenant_id in await active_tenant_ids(database):
            await _announce_platform_change(database, tenant_id, version, processor)
    return version


async def _announce_platform_change(
    database: Database,
    tenant_id: UUID,
    version: PlatformNoticeVersion,
    processor: ProcessorSettings,
) -> None:
    async with database.transaction(Scope.TENANT, tenant_id) as session:
        for admin in await client_admins(session, tenant_id):
            language = await session.scalar(
                select(Membership.language).where(
                    Membership.tenant_id == tenant_id, Membership.user_id == admin.user_id
                )
            )
            t = translator(language)
            message = messages.platform_change(
                processor.name,
                version.title,
                version.number,
                version.effective_from.date(),
                version.summary,
                t,
            )
            await _tell(session, tenant_id, admin, message, t)


async def platform_notice_version(session: AsyncSession, number: int) -> PlatformNoticeVersion:
    found = await session.get(PlatformNoticeVersion, number)
    if found is None:
        raise NotFound("Notice version")
    return found


async def platform_notice_versions(session: AsyncSession) -> list[PlatformNoticeVersion]:
    rows = await session.scalars(
        select(PlatformNoticeVersion).order_by(PlatformNoticeVersion.number.desc())
    )
    return list(rows.all())


async def opt_out_counts(session: AsyncSession) -> dict[int, tuple[int, int]]:
    """Per platform notice version: (answers, opt-outs), across tenants (platform scope)."""
    rows = await session.execute(
        select(
            NoticeResponse.number,
            func.count(),
            func.count().filter(NoticeResponse.opted_out),
        )
        .where(NoticeResponse.kind == NoticeKind.PLATFORM)
        .group_by(NoticeResponse.number)
    )
    return {number: (answers, opted) for number, answers, opted in rows.all()}


# --- banners and answers -------------------------------------------------------------


@dataclass(frozen=True)
class Banner:
    """A significant change not in force yet that this account has not answered."""

    kind: NoticeKind
    number: int
    effective_from: datetime
    url: str


def _pending(
    kind: NoticeKind,
    version: type[TenantNoticeVersion | PlatformNoticeVersion],
    answered: Select[int],
    now: datetime,
) -> Select[str, int, datetime]:
    """The significant versions of one notice not in force yet at ``now`` that the member
    has not answered, as (kind, number, effective from)."""
    return select(literal(kind.value), version.number, version.effective_from).where(
        version.significant,
        version.effective_from > now,
        version.number.not_in(answered.where(NoticeResponse.kind == kind)),
    )


async def pending_banners(
    session: AsyncSession, tenant_id: UUID, user_id: UUID, role: str
) -> list[Banner]:
    """What the signed-in pages show this member: their tenant's pending changes, and for
    client admins the platform's; one statement (every signed-in page asks), and the
    tenant's slug for the link only when there is a tenant banner."""
    now = clock.now()
    answered = select(NoticeResponse.number).where(
        NoticeResponse.tenant_id == tenant_id, NoticeResponse.user_id == user_id
    )
    parts = [
        _pending(NoticeKind.TENANT, TenantNoticeVersion, answered, now).where(
            TenantNoticeVersion.tenant_id == tenant_id
        )
    ]
    if role == TenantRole.CLIENT_ADMIN:
        parts.append(_pending(NoticeKind.PLATFORM, PlatformNoticeVersion, answered, now))
    # the tenant's banners first, each notice's in the order of its versions
    rows = (await session.execute(union_all(*parts).order_by(text("1 DESC, 2")))).all()
    if not rows:
        return []
    slug = None
    if rows[0][0] == NoticeKind.TENANT:
        slug = await session.scalar(select(Tenant.slug).where(Tenant.id == tenant_id))
    return [
        Banner(
            NoticeKind(kind),
            number,
            effective_from,
            f"/t/{slug}/privacy-notice/v/{number}"
            if kind == NoticeKind.TENANT
            else f"/privacy/notice/v/{number}",
        )
        for kind, number, effective_from in rows
    ]


async def respond(
    session: AsyncSession,
    audit: AuditLog,
    tenant_id: UUID,
    kind: NoticeKind,
    number: int,
    opt_out: bool,
    by: Acting,
) -> NoticeResponse:
    """Acknowledge a significant change, or opt out of the optional uses before it takes
    effect. Opting out of the tenant's change sets the member's employee record to no
    marketing at once; an opt-out of the platform's is recorded for the processor. An
    answer once given to opt out stays an opt-out."""
    assert by.user_id is not None
    if kind is NoticeKind.TENANT:
        version_t = await tenant_notice_version(session, tenant_id, number)
        significant = version_t.significant
    else:
        if by.role != TenantRole.CLIENT_ADMIN:
            raise NotFound("Notice version")
        version_p = await platform_notice_version(session, number)
        significant = version_p.significant
    if not significant:
        raise NotFound("Notice change")
    row = await session.scalar(
        insert(NoticeResponse)
        .values(
            tenant_id=tenant_id,
            user_id=by.user_id,
            kind=kind,
            number=number,
            opted_out=opt_out,
            acknowledged_at=clock.now(),
        )
        .on_conflict_do_update(
            index_elements=["tenant_id", "user_id", "kind", "number"],
            set_={"opted_out": NoticeResponse.opted_out.op("OR")(opt_out)},
        )
        .returning(NoticeResponse)
        .execution_options(populate_existing=True)
    )
    assert row is not None
    marketing_off = False
    if opt_out and kind is NoticeKind.TENANT:
        employee = await session.scalar(
            select(Employee)
            .where(Employee.tenant_id == tenant_id, Employee.user_id == by.user_id)
            .with_for_update()
        )
        if employee is not None and employee.marketing_opt_in:
            employee.marketing_opt_in, marketing_off = False, True
    action = "privacy_notice.opted_out" if opt_out else "privacy_notice.acknowledged"
    details = {"kind": str(kind), "number": number, "marketing_off": marketing_off}
    await audit.append(session, tenant_id, AuditEntry.by(by, action, "user", by.user_id, details))
    return row
