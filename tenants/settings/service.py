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
from timeward.translations import ENGLISH, N_, Translator


@dataclass(frozen=True)
class LocationPolicy:
    mode: LocationMode
    precise_days: int
    updated_at: datetime | None = None


DEFAULT_POLICY = LocationPolicy(DEFAULT_LOCATION_MODE, DEFAULT_PRECISE_DAYS)


async def location_policy(session: AsyncSession, tenant_id: UUID) -> LocationPolicy:
    row = await session.scalar(select(TenantSettings).where(TenantSettings.tenant_id == tenant_id))
    if row is None:
        return DEFAULT_POLICY
    return LocationPolicy(
        LocationMode(row.location_mode), row.precise_location_days, row.updated_at
    )


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
