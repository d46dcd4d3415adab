"""E-mailed single-use links: invitations and password resets.

A link proves control of an address. Its secret is in the e-mail only; the database
keeps its SHA-256 digest (``account_links``, auth scope). A link is used once and
expires; issuing a new one for the same account, purpose and tenant retires the older
ones. The platform's own mail (staff) goes through the outbox under the nil tenant id.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tenants.settings.regional import recipient_language
from timeward import clock
from timeward.audit.log import PLATFORM_CHAIN
from timeward.auth.opaque import digest, new_secret
from timeward.auth.service import domain_of
from timeward.db.session import Database, Scope
from timeward.errors import NotFound
from timeward.identity.models import AccountLink, LinkPurpose
from timeward.mail.categories import Essential
from timeward.mail.service import queue_email
from timeward.translations import N_, Translator, translator

LINK_PREFIX = {LinkPurpose.INVITATION: "iv_", LinkPurpose.RESET: "pr_"}
LINK_PATH = {LinkPurpose.INVITATION: "invitations", LinkPurpose.RESET: "password-reset"}


@dataclass(frozen=True)
class LinkMail:
    """One link e-mail: where it goes and what it says around the link, said in the
    recipient's language when it is queued."""

    to: str
    subject: Callable[[Translator], str]
    intro: Callable[[Translator], str]


HELLO = N_("Hello,")
EXPIRY = N_("The link works once and expires on %(until)s.")
IGNORE = N_("If you did not expect this e-mail, ignore it: nothing changes until the link is used.")


async def issue_link(
    session: AsyncSession,
    user_id: UUID,
    purpose: LinkPurpose,
    tenant_id: UUID | None,
    lifetime: timedelta,
) -> tuple[str, datetime]:
    """A new link (auth-scope session); earlier unused ones of the same kind stop working."""
    now = clock.now()
    domain = domain_of(tenant_id)
    await session.execute(
        update(AccountLink)
        .where(
            AccountLink.user_id == user_id,
            AccountLink.purpose == purpose,
            AccountLink.domain == domain,
            AccountLink.used_at.is_(None),
        )
        .values(expires_at=now)
    )
    token = new_secret(LINK_PREFIX[purpose])
    expires_at = now + lifetime
    session.add(
        AccountLink(
            user_id=user_id,
            purpose=purpose,
            domain=domain,
            token_hash=digest(token),
            expires_at=expires_at,
        )
    )
    await session.flush()
    return token, expires_at


async def open_link(session: AsyncSession, token: str, purpose: LinkPurpose) -> AccountLink:
    """The live link for ``token``, locked; unknown, used and expired ones are all 404."""
    link = await session.scalar(
        select(AccountLink)
        .where(AccountLink.token_hash == digest(token), AccountLink.purpose == purpose)
        .with_for_update()
    )
    if link is None or link.used_at is not None or link.expires_at <= clock.now():
        raise NotFound("Link")
    return link


def link_url(public_url: str, purpose: LinkPurpose, token: str) -> str:
    return f"{public_url.rstrip('/')}/{LINK_PATH[purpose]}/{token}"


def _body(mail: LinkMail, url: str, expires_at: datetime, t: Translator) -> str:
    return (
        f"{t(HELLO)}\n\n{mail.intro(t)}\n\n{url}\n\n"
        f"{t(EXPIRY, until=t.utc_moment(expires_at))}\n{t(IGNORE)}\n"
    )


async def _queue(
    session: AsyncSession,
    outbox: UUID,
    user_id: UUID | None,
    mail: LinkMail,
    url: str,
    expires_at: datetime,
) -> None:
    """In the recipient's language in a tenant (their choice, else the tenant's default);
    the platform's own mail is English."""
    language = None
    if outbox != PLATFORM_CHAIN:
        language = await recipient_language(session, outbox, user_id)
    t = translator(language)
    await queue_email(
        session,
        outbox,
        mail.to,
        mail.subject(t),
        _body(mail, url, expires_at, t),
        category=Essential.ACCOUNT,
        t=t,
    )


async def mail_link(
    database: Database,
    tenant_id: UUID | None,
    mail: LinkMail,
    url: str,
    expires_at: datetime,
    *,
    user_id: UUID | None,
    session: AsyncSession | None = None,
) -> None:
    """Queue the e-mail in the tenant's outbox (the given tenant session) or the platform's."""
    if session is not None and tenant_id is not None:
        await _queue(session, tenant_id, user_id, mail, url, expires_at)
        return
    outbox = tenant_id or PLATFORM_CHAIN
    async with database.transaction(Scope.TENANT, outbox) as own:
        await _queue(own, outbox, user_id, mail, url, expires_at)
