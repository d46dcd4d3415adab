"""Who receives which optional mail: each member's choice per topic, the tenant's default
for the weekly digests, and marketing consent for product news.

Read again right before an optional mail is sent (``timeward.mail.delivery``), so an
unsubscribe takes effect before the next send, even for a mail already queued.

- ``admin_digest``: active client admins; ``hours_summary``: members with an active
  employee record. Without a choice of their own, the tenant's ``digest_default``
  decides (``opt_in``, the default: nobody gets one until they ask).
- ``product_news``: only with marketing consent. For a member with an employee record that
  is ``employees.marketing_opt_in`` (also what an upheld objection to marketing clears);
  a member without one (an admin) consents by subscribing here. Default: none.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from tenants.employees.models import Employee, EmployeeStatus
from tenants.employees.service import ensure_writable
from tenants.settings.models import TenantSettings
from timeward import clock
from timeward.acting import Acting
from timeward.audit.log import AuditEntry, AuditLog
from timeward.db.session import Database, Scope
from timeward.errors import InvalidInput
from timeward.identity.models import Membership, TenantRole, User, UserStatus
from timeward.mail.categories import Topic
from timeward.mail.models import MailPreference
from timeward.mail.unsubscribe import Unsubscribe, read_token

OPT_IN = "opt_in"
OPT_OUT = "opt_out"
DIGEST_DEFAULTS = (OPT_IN, OPT_OUT)
VIA_PREFERENCES = "preferences"
VIA_LINK = "unsubscribe_link"


@dataclass(frozen=True)
class Member:
    """What decides a member's optional mail, read in one query."""

    user_id: UUID
    email: str
    role: str
    employee_id: UUID | None
    marketing_opt_in: bool
    digest_default: str


@dataclass(frozen=True)
class Choice:
    topic: Topic
    subscribed: bool
    chosen: bool  # False: the default applies (the tenant's, or no consent)


async def active_members(
    session: AsyncSession, tenant_id: UUID, user_ids: list[UUID] | None = None
) -> list[Member]:
    """The tenant's active members (all, or those named), by user id, in one query."""
    query = (
        select(
            Membership.user_id,
            User.email,
            Membership.role,
            Employee.id,
            Employee.marketing_opt_in,
            TenantSettings.digest_default,
        )
        .join(User, User.id == Membership.user_id)
        .outerjoin(
            Employee,
            (Employee.tenant_id == Membership.tenant_id)
            & (Employee.user_id == Membership.user_id)
            & (Employee.status == EmployeeStatus.ACTIVE),
        )
        .outerjoin(TenantSettings, TenantSettings.tenant_id == Membership.tenant_id)
        .where(
            Membership.tenant_id == tenant_id,
            Membership.status == UserStatus.ACTIVE,
            User.status == UserStatus.ACTIVE,
        )
        .order_by(Membership.user_id)
    )
    if user_ids is not None:
        query = query.where(Membership.user_id.in_(user_ids))
    return [
        Member(user_id, email, role, employee_id, bool(marketing), default or OPT_IN)
        for user_id, email, role, employee_id, marketing, default in (
            await session.execute(query)
        ).all()
    ]


def topics_for(member: Member) -> list[Topic]:
    """The optional topics this member can receive at all."""
    topics = []
    if member.role == TenantRole.CLIENT_ADMIN:
        topics.append(Topic.ADMIN_DIGEST)
    if member.employee_id is not None:
        topics.append(Topic.HOURS_SUMMARY)
    topics.append(Topic.PRODUCT_NEWS)
    return topics


def decide(member: Member, topic: Topic, stored: bool | None) -> Choice:
    """Whether ``member`` gets ``topic``, from their stored choice (None: none)."""
    if topic is Topic.PRODUCT_NEWS and member.employee_id is not None:
        # the employer's record of consent, unless the person themselves said no since:
        # an admin setting the flag again does not undo their unsubscribe
        consents = member.marketing_opt_in and stored is not False
        return Choice(topic, consents, stored is not None)
    if stored is not None:
        return Choice(topic, stored, True)
    if topic is Topic.PRODUCT_NEWS:
        return Choice(topic, False, False)
    return Choice(topic, member.digest_default == OPT_OUT, False)


async def stored_choices(
    session: AsyncSession, tenant_id: UUID, user_ids: list[UUID], topic: Topic | None = None
) -> dict[tuple[UUID, str], bool]:
    query = select(MailPreference.user_id, MailPreference.topic, MailPreference.subscribed).where(
        MailPreference.tenant_id == tenant_id, MailPreference.user_id.in_(user_ids)
    )
    if topic is not None:
        query = query.where(MailPreference.topic == topic)
    rows = await session.execute(query)
    return {(user_id, name): subscribed for user_id, name, subscribed in rows.all()}


async def recipients(session: AsyncSession, tenant_id: UUID, topic: Topic) -> list[Member]:
    """Every member who gets ``topic`` now (two queries, whatever the tenant's size)."""
    members = [m for m in await active_members(session, tenant_id) if topic in topics_for(m)]
    stored = await stored_choices(session, tenant_id, [m.user_id for m in members], topic)
    return [m for m in members if decide(m, topic, stored.get((m.user_id, topic))).subscribed]


async def wants(session: AsyncSession, tenant_id: UUID, user_id: UUID, topic: Topic) -> bool:
    """Checked right before sending: an active member, for whom the topic applies, who
    has not unsubscribed (and, for product news, still consents)."""
    found = await active_members(session, tenant_id, [user_id])
    if not found or topic not in topics_for(found[0]):
        return False
    stored = await stored_choices(session, tenant_id, [user_id], topic)
    return decide(found[0], topic, stored.get((user_id, topic))).subscribed


async def my_choices(session: AsyncSession, tenant_id: UUID, user_id: UUID) -> list[Choice]:
    """The member's optional topics with what applies now (none for an inactive member)."""
    found = await active_members(session, tenant_id, [user_id])
    if not found:
        return []
    stored = await stored_choices(session, tenant_id, [user_id])
    return [decide(found[0], t, stored.get((user_id, t))) for t in topics_for(found[0])]


async def choose(
    session: AsyncSession,
    audit: AuditLog,
    tenant_id: UUID,
    by: Acting,
    user_id: UUID,
    topic: Topic,
    subscribed: bool,
    via: str,
) -> bool:
    """Store the member's choice (audited when it changes what they get); returns whether
    they now get ``topic``. Product news for a member with an employee record is their
    marketing consent, so the choice sets ``marketing_opt_in`` too (giving it on a
    restricted record is refused, 409, as every write is; withdrawing it is not). False,
    doing nothing, when the member is gone; a topic that does not apply to them is a 422."""
    found = await active_members(session, tenant_id, [user_id])
    if not found:
        return False
    member = found[0]
    if topic not in topics_for(member):
        raise InvalidInput.on_field("topic", "this e-mail is not sent to you")
    employee = None
    if topic is Topic.PRODUCT_NEWS and member.employee_id is not None:
        employee = await session.get(Employee, (tenant_id, member.employee_id))
        assert employee is not None
        if subscribed:  # giving consent writes to the record; withdrawing only reduces
            ensure_writable(employee, "your")
    before = await wants(session, tenant_id, user_id, topic)
    await session.execute(
        insert(MailPreference)
        .values(
            tenant_id=tenant_id,
            user_id=user_id,
            topic=topic.value,
            subscribed=subscribed,
            changed_via=via,
            changed_at=clock.now(),
        )
        .on_conflict_do_update(
            index_elements=["tenant_id", "user_id", "topic"],
            set_={"subscribed": subscribed, "changed_via": via, "changed_at": clock.now()},
        )
    )
    if employee is not None:
        employee.marketing_opt_in, employee.updated_at = subscribed, clock.now()
    await session.flush()
    if before != subscribed:
        details = {"topic": topic.value, "subscribed": subscribed, "via": via}
        entry = AuditEntry(
            "mail.preference_changed", by.user_id, by.role, "user", user_id, details=details
        )
        await audit.append(session, tenant_id, entry)
    return subscribed


async def set_digest_default(
    session: AsyncSession, audit: AuditLog, tenant_id: UUID, by: Acting, default: str
) -> str:
    """The tenant's choice for the weekly digests: ``opt_in`` or ``opt_out`` (audited)."""
    if default not in DIGEST_DEFAULTS:
        raise InvalidInput.on_field("digest_default", "must be opt_in or opt_out")
    await session.execute(
        insert(TenantSettings)
        .values(tenant_id=tenant_id, digest_default=default, updated_by=by.user_id)
        .on_conflict_do_update(
            index_elements=["tenant_id"],
            set_={"digest_default": default, "updated_by": by.user_id, "updated_at": clock.now()},
        )
    )
    entry = AuditEntry(
        "settings.digest_default_changed",
        by.user_id,
        by.role,
        "tenant",
        tenant_id,
        details={"digest_default": default},
    )
    await audit.append(session, tenant_id, entry)
    return default


async def digest_default(session: AsyncSession, tenant_id: UUID) -> str:
    found = await session.scalar(
        select(TenantSettings.digest_default).where(TenantSettings.tenant_id == tenant_id)
    )
    return found or OPT_IN


LINK_ROLE = "mail_recipient"  # the audit's actor role for a one-click unsubscribe


async def unsubscribe_by_link(
    database: Database, audit: AuditLog, master_key: bytes, token: str
) -> Unsubscribe | None:
    """Switch off the topic a signed link names, without a session: None for a token this
    deployment did not sign. A member who is gone, or to whom the topic no longer applies,
    gets nothing anyway: the answer is the same."""
    found = read_token(master_key, token)
    if found is None:
        return None
    async with database.transaction(Scope.TENANT, found.tenant_id) as session:
        with contextlib.suppress(InvalidInput):
            await choose(
                session,
                audit,
                found.tenant_id,
                Acting(found.user_id, LINK_ROLE),
                found.user_id,
                found.topic,
                False,
                VIA_LINK,
            )
    return found
