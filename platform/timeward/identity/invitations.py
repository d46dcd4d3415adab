"""Invitations: the only way a route gives someone an account.

No admin sets or learns a password. Inviting creates a *pending* membership (or a
staff role on a platform identity) and e-mails a single-use link; the membership
becomes active when the invitee accepts: through the link, setting their password
when the identity has none yet and giving their current one when it has; or, signed
in as themselves, from ``/api/v1/me/invitations``. The inviter's view is the same
whether the address already had an identity elsewhere: no id, no status beyond
"pending". Platform staff get their own platform identity, never a tenant one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from timeward import clock
from timeward.acting import Acting
from timeward.audit.log import AuditEntry, AuditLog
from timeward.auth.service import tenant_of
from timeward.config import Settings
from timeward.db.session import Database, Scope
from timeward.errors import Conflict, DomainError, NotFound
from timeward.identity.links import LinkMail, issue_link, link_url, mail_link, open_link
from timeward.identity.models import (
    PENDING,
    AccountLink,
    LinkPurpose,
    Membership,
    PlatformStaff,
    Realm,
    Tenant,
    TenantRole,
    User,
    UserStatus,
)
from timeward.identity.password_policy import check_new_password
from timeward.identity.passwords import hash_password, verify_password
from timeward.identity.service import NewTenant, create_tenant, find_or_create_user
from timeward.paging import PageRequest
from timeward.translations import N_, phrase

PLATFORM_NAME = "Timeward platform staff"


class WrongPassword(DomainError):
    """The invitee's identity has a password and this is not it."""

    status_code = 403

    def __init__(self) -> None:
        super().__init__("This is not the current password of the account the link is for.")


@dataclass(frozen=True)
class InvitationView:
    id: UUID
    tenant: str  # the tenant's slug, or "platform"
    organisation: str
    role: str
    email: str
    expires_at: datetime
    sets_password: bool  # True: choose a password; False: confirm the current one


def _lifetime(settings: Settings) -> timedelta:
    return timedelta(hours=settings.invitation_hours)


INVITED = N_(
    "You have been invited to %(organisation)s on Timeward as %(role)s. To accept, open this link:"
)
# The roles in words; the same texts the pages show (docs/web.md, "Languages").
ROLE_WORDS = {
    "employee": N_("employee"),
    "client_manager": N_("client manager"),
    "client_admin": N_("client admin"),
}


def _mail(email: str, organisation: str, role: str) -> LinkMail:
    return LinkMail(
        to=email,
        subject=phrase(N_("Your Timeward invitation")),
        intro=lambda t: t(INVITED, organisation=organisation, role=t(ROLE_WORDS.get(role, role))),
    )


@dataclass(frozen=True)
class Invitee:
    email: str
    role: str


async def invite_member(
    database: Database,
    settings: Settings,
    audit: AuditLog,
    session: AsyncSession,
    tenant_id: UUID,
    invitee: Invitee,
    by: Acting,
) -> None:
    """A pending membership in the tenant's session, its e-mailed link and its audit event.

    Inviting a pending member again re-sends the invitation (the older link stops
    working); an active or disabled member is a conflict.
    """
    email, role = invitee.email, invitee.role
    async with database.transaction(Scope.AUTH) as auth:
        user_id = (await find_or_create_user(auth, email, None)).id
    membership = await session.get(Membership, (tenant_id, user_id))
    if membership is not None and membership.status != PENDING:
        raise Conflict("This person already has an account in this tenant.")
    if membership is None:
        session.add(Membership(tenant_id=tenant_id, user_id=user_id, role=role, status=PENDING))
    else:
        membership.role = role
    await session.flush()
    tenant = await session.get(Tenant, tenant_id)
    assert tenant is not None
    async with database.transaction(Scope.AUTH) as auth:
        token, expires_at = await issue_link(
            auth, user_id, LinkPurpose.INVITATION, tenant_id, _lifetime(settings)
        )
    url = link_url(settings.public_url, LinkPurpose.INVITATION, token)
    mail = _mail(email, tenant.name, role)
    await mail_link(database, tenant_id, mail, url, expires_at, user_id=user_id, session=session)
    invited = AuditEntry("user.invited", by.user_id, by.role, details={"role": role})
    await audit.append(session, tenant_id, invited)


async def onboard_tenant(
    database: Database,
    settings: Settings,
    audit: AuditLog,
    spec: NewTenant,
    admin_email: str,
    by: Acting,
) -> UUID:
    """A tenant and the invitation of its first client admin, audited in both chains."""
    tenant_id = await create_tenant(database, spec)
    admin = Invitee(admin_email, TenantRole.CLIENT_ADMIN)
    async with database.transaction(Scope.TENANT, tenant_id) as session:
        await invite_member(database, settings, audit, session, tenant_id, admin, by)
    created = AuditEntry("tenant.created", by.user_id, by.role, "tenant", tenant_id)
    await audit.record(database, None, created)
    return tenant_id


async def invite_staff(
    database: Database, settings: Settings, audit: AuditLog, invitee: Invitee, by: Acting
) -> UUID:
    """A platform identity of its own (never a tenant one) with the role, its link, and the
    audit event in the platform's chain."""
    email, role = invitee.email, invitee.role
    async with database.transaction(Scope.AUTH) as auth:
        user = await find_or_create_user(auth, email, None, Realm.PLATFORM)
        if await auth.get(PlatformStaff, user.id):
            raise Conflict("This person is already platform staff.")
        auth.add(PlatformStaff(user_id=user.id, role=role))
        token, expires_at = await issue_link(
            auth, user.id, LinkPurpose.INVITATION, None, _lifetime(settings)
        )
    url = link_url(settings.public_url, LinkPurpose.INVITATION, token)
    await mail_link(
        database, None, _mail(email, PLATFORM_NAME, role), url, expires_at, user_id=user.id
    )
    created = AuditEntry(
        "staff.created", by.user_id, by.role, "user", user.id, details={"role": role}
    )
    await audit.record(database, None, created)
    return user.id


async def _view(database: Database, link: AccountLink, user: User) -> InvitationView:
    """What the invitation is for; 404 when its membership is no longer pending."""
    tenant_id = tenant_of(link.domain)
    if tenant_id is None:
        async with database.transaction(Scope.PLATFORM) as session:
            staff = await session.get(PlatformStaff, user.id)
        if staff is None:
            raise NotFound("Invitation")
        slug, organisation, role = "platform", PLATFORM_NAME, staff.role
    else:
        async with database.transaction(Scope.TENANT, tenant_id) as session:
            membership = await session.get(Membership, (tenant_id, user.id))
            tenant = await session.get(Tenant, tenant_id)
        if membership is None or membership.status != PENDING or tenant is None:
            raise NotFound("Invitation")
        slug, organisation, role = tenant.slug, tenant.name, membership.role
    return InvitationView(
        link.id, slug, organisation, role, user.email, link.expires_at, user.password_hash is None
    )


async def _user(session: AsyncSession, link: AccountLink) -> User:
    user = await session.get(User, link.user_id)
    if user is None or user.status != UserStatus.ACTIVE:
        raise NotFound("Invitation")
    return user


async def describe(database: Database, token: str) -> InvitationView:
    async with database.transaction(Scope.AUTH) as auth:
        link = await open_link(auth, token, LinkPurpose.INVITATION)
        return await _view(database, link, await _user(auth, link))


async def _activate(
    database: Database, audit: AuditLog, link: AccountLink, view: InvitationView
) -> None:
    """Spend the link and make the membership active; the person's id enters the chain now."""
    link.used_at = clock.now()
    tenant_id = tenant_of(link.domain)
    joined = AuditEntry(
        "user.joined", link.user_id, view.role, "user", link.user_id, details={"role": view.role}
    )
    if tenant_id is None:
        await audit.record(database, None, joined)
        return
    async with database.transaction(Scope.TENANT, tenant_id) as session:
        await audit.append(session, tenant_id, joined)
        await session.execute(
            update(Membership)
            .where(
                Membership.tenant_id == tenant_id,
                Membership.user_id == link.user_id,
                Membership.status == PENDING,
            )
            .values(status=UserStatus.ACTIVE)
        )


async def accept_by_link(
    database: Database, audit: AuditLog, token: str, password: str
) -> InvitationView:
    """Set the first password, or prove the current one, and activate the membership."""
    async with database.transaction(Scope.AUTH) as auth:
        link = await open_link(auth, token, LinkPurpose.INVITATION)
        user = await _user(auth, link)
        view = await _view(database, link, user)
        if user.password_hash is None:
            check_new_password(password, user.email, view.tenant)
            user.password_hash = await hash_password(password)
        elif not await verify_password(user.password_hash, password):
            raise WrongPassword()
        await _activate(database, audit, link, view)
    return view


async def _mine(session: AsyncSession, user_id: UUID) -> list[AccountLink]:
    rows = await session.scalars(
        select(AccountLink)
        .where(
            AccountLink.user_id == user_id,
            AccountLink.purpose == LinkPurpose.INVITATION,
            AccountLink.used_at.is_(None),
            AccountLink.expires_at > clock.now(),
        )
        .order_by(AccountLink.created_at)
        .with_for_update()
    )
    return list(rows.all())


async def list_mine(database: Database, user_id: UUID, page: PageRequest) -> list[InvitationView]:
    """The signed-in person's open invitations (pending memberships elsewhere), up to
    ``page.fetch`` of them from ``page.offset``: few per person, so they are paged here
    after the links whose membership is no longer pending have been left out."""
    views = []
    async with database.transaction(Scope.AUTH) as auth:
        user = await auth.get(User, user_id)
        if user is None:
            return []
        for link in await _mine(auth, user_id):
            try:
                views.append(await _view(database, link, user))
            except NotFound:
                continue
    return views[page.offset : page.offset + page.fetch]


async def accept_signed_in(
    database: Database, audit: AuditLog, user_id: UUID, link_id: UUID
) -> InvitationView:
    """Accept one of the caller's own invitations; anyone else's id is a 404."""
    async with database.transaction(Scope.AUTH) as auth:
        link = next((link for link in await _mine(auth, user_id) if link.id == link_id), None)
        if link is None:
            raise NotFound("Invitation")
        view = await _view(database, link, await _user(auth, link))
        await _activate(database, audit, link, view)
    return view
