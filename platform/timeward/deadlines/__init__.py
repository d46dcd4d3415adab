"""Deadline rules of both request flows: pure, typed, no database and no web code.

Every deadline is a local calendar day in the tenant's timezone, met until that day
ends; the day of receipt is never counted. The numbers live in
``policies/deadlines.toml``; docs/deadlines.md explains each rule.
"""

from timeward.deadlines.business_days import (
    add_business_days,
    business_days_between,
    business_days_left,
    is_business_day,
    last_business_day_on_or_before,
)
from timeward.deadlines.errors import (
    DeadlineError,
    ExtensionRefusal,
    ExtensionRefused,
    PolicyError,
    UnsupportedCalendar,
)
from timeward.deadlines.moments import due_moment, local_date
from timeward.deadlines.tenant_calendar import TenantCalendar

__all__ = [
    "DeadlineError",
    "ExtensionRefusal",
    "ExtensionRefused",
    "PolicyError",
    "TenantCalendar",
    "UnsupportedCalendar",
    "add_business_days",
    "business_days_between",
    "business_days_left",
    "due_moment",
    "is_business_day",
    "last_business_day_on_or_before",
    "local_date",
]
