"""Reading and changing a tenant's settings; absent rows mean the defaults."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tenants.settings.models import (
    DEFAULT_LOCATION_MODE,
    DEFAULT_PRECISE_DAYS,
    LocationMode,
    TenantSettings,
)
from timeward.acting import Acting
from timeward.audit.log import AuditEntry, AuditLog
from timeward.translations import ENGLISH, N_, Translator


@dataclass(frozen=True)
class LocationPolicy:
    mode: LocationMode
    precise_days: int
    updated_at: datetime | None = None


DEFAULT_POLICY = LocationPolicy(DEFAULT_LOCATION_MODE, DEFAULT_PRECISE_DAYS)


def policy_of(
    mode: str | None, precise_days: int | None, updated_at: datetime | None
) -> LocationPolicy:
    """The policy a settings row's columns hold; without a row (every column null), the
    defaults."""
    if mode is None or precise_days is None:
        return DEFAULT_POLICY
    return LocationPolicy(LocationMode(mode), precise_days, updated_at)


async def location_policy(session: AsyncSession, tenant_id: UUID) -> LocationPolicy:
    row = await session.scalar(select(TenantSettings).where(TenantSettings.tenant_id == tenant_id))
    if row is None:
        return DEFAULT_POLICY
    return policy_of(row.location_mode, row.precise_location_days, row.updated_at)


async def set_location_policy(
    session: AsyncSession,
    tenant_id: UUID,
    mode: LocationMode,
    precise_days: int | None,
    by_user: UUID | None,
    now: datetime,
) -> LocationPolicy:
    row = await session.scalar(
        select(TenantSettings).where(TenantSettings.tenant_id == tenant_id).with_for_update()
    )
    if row is None:
        row = TenantSettings(tenant_id=tenant_id, precise_location_days=DEFAULT_PRECISE_DAYS)
        session.add(row)
    row.location_mode = mode
    if precise_days is not None:
        row.precise_location_days = precise_days
    row.updated_at = now
    row.updated_by = by_user
    await session.flush()
    return LocationPolicy(mode, row.precise_location_days, now)


_LOCATION_ORDER = {LocationMode.OFF: 0, LocationMode.GEOFENCE: 1, LocationMode.PRECISE: 2}


def within_limit(policy: LocationPolicy, limit: str | None) -> LocationPolicy:
    """The tenant's policy for one employee: never more location than their own limit
    (set by an upheld objection, docs/privacy-requests.md "Objections")."""
    if limit is None or _LOCATION_ORDER[LocationMode(limit)] >= _LOCATION_ORDER[policy.mode]:
        return policy
    return LocationPolicy(LocationMode(limit), policy.precise_days, policy.updated_at)


def limit_after_objection(policy: LocationPolicy) -> LocationMode:
    """What an upheld objection to location leaves of the tenant's mode: from precise, the
    on-site check alone (attendance at a site is what the basis covers, without
    coordinates); from geofence or off, no location at all."""
    return LocationMode.GEOFENCE if policy.mode is LocationMode.PRECISE else LocationMode.OFF


async def employee_location_policy(
    session: AsyncSession, tenant_id: UUID, limit: str | None
) -> LocationPolicy:
    return within_limit(await location_policy(session, tenant_id), limit)


PRECISE_WORDS = N_(
    "Your employer keeps the location your device reports when you clock in and when you "
    "clock out (once each, never in between), encrypted, for at most %(days)s days; after "
    "that only whether you were on site and which site is kept."
)
GEOFENCE_WORDS = N_(
    "When you clock in and when you clock out, the location your device reports is used once "
    "to check whether you are at a job site; only that yes/no answer and the site are stored, "
    "the coordinates are discarded at once."
)
OFF_WORDS = N_(
    "Your employer does not use your location: none is collected when you clock in or out."
)


def describe(policy: LocationPolicy, t: Translator = ENGLISH) -> str:
    """What an employee is told before clocking in, in words, in the reader's language."""
    if policy.mode is LocationMode.PRECISE:
        return t(PRECISE_WORDS, days=policy.precise_days)
    if policy.mode is LocationMode.GEOFENCE:
        return t(GEOFENCE_WORDS)
    return t(OFF_WORDS)


@dataclass(frozen=True)
class DirectorySetting:
    enabled: bool
    updated_at: datetime | None = None


async def directory_setting(session: AsyncSession, tenant_id: UUID) -> DirectorySetting:
    """Whether the tenant runs the colleague directory (off without a row: opt-in)."""
    row = await session.scalar(select(TenantSettings).where(TenantSettings.tenant_id == tenant_id))
    if row is None:
        return DirectorySetting(False)
    return DirectorySetting(row.directory_enabled, row.updated_at)


async def set_directory_enabled(
    session: AsyncSession,
    audit: AuditLog,
    tenant_id: UUID,
    enabled: bool,
    by: Acting,
    now: datetime,
) -> DirectorySetting:
    """Switch the directory on or off; audited when it changes, a no-op otherwise."""
    row = await session.scalar(
        select(TenantSettings).where(TenantSettings.tenant_id == tenant_id).with_for_update()
    )
    if row is None and not enabled:
        return DirectorySetting(False)  # the default already
    if row is None:
        row = TenantSettings(
            tenant_id=tenant_id,
            location_mode=DEFAULT_LOCATION_MODE,
            precise_location_days=DEFAULT_PRECISE_DAYS,
            directory_enabled=not enabled,
        )
        session.add(row)
    if row.directory_enabled != enabled:
        row.directory_enabled, row.updated_at, row.updated_by = enabled, now, by.user_id
        entry = AuditEntry(
            "settings.directory_changed",
            by.user_id,
            by.role,
            "tenant",
            tenant_id,
            details={"directory_enabled": enabled},
        )
        await audit.append(session, tenant_id, entry)
        await session.flush()
    return DirectorySetting(row.directory_enabled, row.updated_at)
