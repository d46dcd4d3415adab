"""Changing the tenant's location mode: the new policy, the stored coordinates it no
longer allows dropped at once, and the audit event.

Apart from `tenants.settings.service` because it reduces locations, and
`tenants.locations.service` reads the policy from that module.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from tenants.locations.service import reduce_locations
from tenants.settings.models import LocationMode
from tenants.settings.service import LocationPolicy, set_location_policy
from timeward import clock
from timeward.acting import Acting
from timeward.audit.log import AuditEntry, AuditLog
from timeward.jobs.after_commit import start_after_commit


@dataclass(frozen=True)
class LocationChange:
    policy: LocationPolicy
    coordinates_reduced: int


async def change_location_policy(
    session: AsyncSession,
    audit: AuditLog,
    tenant_id: UUID,
    mode: LocationMode,
    precise_days: int | None,
    by: Acting,
) -> LocationChange:
    now = clock.now()
    policy = await set_location_policy(session, tenant_id, mode, precise_days, by.user_id, now)
    reduced = await reduce_locations(session, tenant_id, now)
    details = {
        "location_mode": str(policy.mode),
        "precise_location_days": policy.precise_days,
        "coordinates_reduced": reduced,
    }
    entry = AuditEntry(
        "settings.location_changed", by.user_id, by.role, "tenant", tenant_id, details=details
    )
    await audit.append(session, tenant_id, entry)
    # the employee notice says what is recorded (docs/accountability.md, "Notice versions")
    start_after_commit(session, "refresh_privacy_notice", str(tenant_id))
    return LocationChange(policy, reduced)
