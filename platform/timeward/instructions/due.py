"""The calendar an instruction's due date is counted in."""

from __future__ import annotations

from functools import cache

from timeward.deadlines import TenantCalendar, UnsupportedCalendar
from timeward.errors import Conflict
from timeward.identity.models import Tenant


def tenant_calendar(tenant: Tenant) -> TenantCalendar:
    """The tenant's country and subdivision (public holidays). Tenants have no timezone
    yet, so local days are UTC days; when tenants get one, pass it here.

    A stored calendar the holidays library no longer supports is a 409 staff can act on
    (correct the tenant's country or subdivision), never a 500."""
    try:
        return _calendar(tenant.country, tenant.subdivision)
    except UnsupportedCalendar as error:
        raise Conflict(
            f"This tenant's calendar ({error.field}) is not supported, so no deadline can be "
            f"counted: {error.message} Platform staff must correct the tenant's {error.field}."
        ) from error


@cache  # a handful of jurisdictions; a queue of every tenant asks for each many times
def _calendar(country: str, subdivision: str | None) -> TenantCalendar:
    return TenantCalendar(country, subdivision)
