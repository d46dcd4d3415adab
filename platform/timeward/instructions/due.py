"""The calendar an instruction's due date is counted in."""

from __future__ import annotations

from timeward.deadlines import TenantCalendar
from timeward.identity.models import Tenant


def tenant_calendar(tenant: Tenant) -> TenantCalendar:
    """The tenant's country and subdivision (public holidays). Tenants have no timezone
    yet, so local days are UTC days; when tenants get one, pass it here."""
    return TenantCalendar(tenant.country, tenant.subdivision)
