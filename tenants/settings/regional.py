"""The tenant's time zone and languages, and the language a member chose.

Unchosen values are derived (docs/web.md, "Time zone and languages"): the zone from the
tenant's holiday-calendar country when that country keeps one civil time for nearly
everyone, else UTC; both languages offered; English the default. A person's own choice
counts only among the languages the tenant offers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from uuid import UUID
from zoneinfo import available_timezones

from babel.core import get_global
from sqlalchemy import ColumnElement, and_, false, select
from sqlalchemy.ext.asyncio import AsyncSession

from tenants.employees.models import Employee
from tenants.settings.models import TenantSettings
from timeward import clock
from timeward.acting import Acting
from timeward.audit.log import AuditEntry, AuditLog
from timeward.errors import InvalidInput, NotFound
from timeward.identity.models import Membership, Tenant
from timeward.translations import DEFAULT_LANGUAGE, LANGUAGES

# Countries with several zones in the tz database where one of them is the civil time of
# nearly everyone (the others are exclaves or islands); other multi-zone countries (the
# US, Canada...) get UTC until their admin chooses.
MAIN_ZONES = {
    "DE": "Europe/Berlin",
    "ES": "Europe/Madrid",
    "PT": "Europe/Lisbon",
    "DK": "Europe/Copenhagen",
    "NZ": "Pacific/Auckland",
}
FALLBACK_ZONE = "UTC"


@cache
def known_time_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def default_time_zone(country: str) -> str:
    if country in MAIN_ZONES:
        return MAIN_ZONES[country]
    zones = get_global("territory_zones").get(country, ())
    return zones[0] if len(zones) == 1 else FALLBACK_ZONE


@dataclass(frozen=True)
class Regional:
    time_zone: str
    languages: tuple[str, ...]
    default_language: str
    time_zone_chosen: bool = False  # False: derived from the country
    updated_at: datetime | None = None

    def language_for(self, chosen: str | None) -> str:
        """A person's language: their choice when the tenant offers it, else the default."""
        return chosen if chosen in self.languages else self.default_language


@dataclass(frozen=True)
class MemberLocale:
    tenant_name: str
    regional: Regional
    language: str | None  # the member's own choice, if they made one
    employee_name: str = ""  # the name on the member's employee record, blank without one


def _regional(country: str, row: TenantSettings | None) -> Regional:
    if row is None:
        return Regional(default_time_zone(country), tuple(LANGUAGES), DEFAULT_LANGUAGE)
    return Regional(
        row.time_zone or default_time_zone(country),
        tuple(row.languages or LANGUAGES),
        row.default_language or DEFAULT_LANGUAGE,
        row.time_zone is not None,
        row.updated_at,
    )


def _is_member(user_id: UUID | None) -> ColumnElement[bool]:
    """The member's employee record; none without a member (``== None`` would match every
    record without an account)."""
    if user_id is None:
        return false()
    return Employee.user_id == user_id


async def member_locale(
    session: AsyncSession, tenant_id: UUID, user_id: UUID | None
) -> MemberLocale:
    """The tenant's name and regional settings, the member's own language and the name on
    their employee record, in one query (every signed-in page asks)."""
    found = (
        await session.execute(
            select(Tenant.name, Tenant.country, TenantSettings, Membership.language, Employee.name)
            .outerjoin(TenantSettings, TenantSettings.tenant_id == Tenant.id)
            .outerjoin(
                Membership,
                and_(Membership.tenant_id == Tenant.id, Membership.user_id == user_id),
            )
            .outerjoin(Employee, and_(Employee.tenant_id == Tenant.id, _is_member(user_id)))
            .where(Tenant.id == tenant_id)
        )
    ).one_or_none()
    if found is None:
        raise NotFound("Tenant")
    name, country, row, language, employee_name = found
    return MemberLocale(name, _regional(country, row), language, employee_name or "")


async def regional_settings(session: AsyncSession, tenant_id: UUID) -> Regional:
    return (await member_locale(session, tenant_id, None)).regional


async def recipient_language(session: AsyncSession, tenant_id: UUID, user_id: UUID | None) -> str:
    """The language to write to someone in: their stored choice, else the tenant's default
    (a requester without an account, an invitee who has not chosen yet)."""
    locale = await member_locale(session, tenant_id, user_id)
    return locale.regional.language_for(locale.language)


async def remember_language(
    session: AsyncSession, tenant_id: UUID, user_id: UUID, language: str
) -> None:
    """The person chose a language with the switch while signed in."""
    if language not in LANGUAGES:
        raise InvalidInput.on_field("language", f"must be one of {', '.join(LANGUAGES)}")
    membership = await session.get(Membership, (tenant_id, user_id))
    if membership is None:
        raise NotFound("Membership")
    membership.language = language
    await session.flush()


@dataclass(frozen=True)
class RegionalChange:
    """What the admin sends; None keeps the current value."""

    time_zone: str | None = None
    languages: Sequence[str] | None = None
    default_language: str | None = None


def _checked_languages(languages: Sequence[str]) -> list[str]:
    unknown = sorted(set(languages) - set(LANGUAGES))
    if unknown:
        raise InvalidInput.on_field(
            "languages", f"unknown {', '.join(unknown)}; offer some of {', '.join(LANGUAGES)}"
        )
    if not languages:
        raise InvalidInput.on_field("languages", "offer at least one language")
    return list(dict.fromkeys(languages))


async def change_regional(
    session: AsyncSession, audit: AuditLog, tenant_id: UUID, change: RegionalChange, by: Acting
) -> Regional:
    """Set the tenant's zone and languages (unknown zone or language: 422), audited."""
    if change.time_zone is not None and change.time_zone not in known_time_zones():
        raise InvalidInput.on_field("time_zone", f"unknown time zone '{change.time_zone[:64]}'")
    current = await regional_settings(session, tenant_id)
    languages = (
        _checked_languages(change.languages)
        if change.languages is not None
        else list(current.languages)
    )
    default = change.default_language or current.default_language
    if default not in languages:
        if change.default_language is not None:
            raise InvalidInput.on_field(
                "default_language", f"'{default[:8]}' is not among the languages offered"
            )
        default = languages[0]
    row = await session.scalar(
        select(TenantSettings).where(TenantSettings.tenant_id == tenant_id).with_for_update()
    )
    if row is None:
        row = TenantSettings(tenant_id=tenant_id)
        session.add(row)
    if change.time_zone is not None:
        row.time_zone = change.time_zone
    row.languages, row.default_language = languages, default
    row.updated_at, row.updated_by = clock.now(), by.user_id
    await session.flush()
    details = {"time_zone": row.time_zone, "languages": languages, "default_language": default}
    entry = AuditEntry(
        "settings.regional_changed", by.user_id, by.role, "tenant", tenant_id, details=details
    )
    await audit.append(session, tenant_id, entry)
    return await regional_settings(session, tenant_id)
