"""Deadline rules of both request flows: pure, typed, no database and no web code.

Every deadline is a local calendar day in the tenant's timezone, met until that day
ends; the day of receipt is never counted. The numbers live in
``policies/deadlines.toml``; docs/deadlines.md explains each rule.
"""

from timeward.deadlines.breaches import (
    breach_notice_due,
    breach_working_days_left,
    earliest_breach_notice_due,
)
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
from timeward.deadlines.instructions import Escalation, instruction_due, instruction_escalation
from timeward.deadlines.moments import due_moment, local_date
from timeward.deadlines.rules import (
    DeadlinePolicy,
    default_policy,
    load_policy,
    parse_policy,
)
from timeward.deadlines.subject_requests import (
    TrafficLight,
    add_months,
    extend_subject_request,
    is_overdue,
    latest_extended_due,
    subject_request_due,
    traffic_light,
)
from timeward.deadlines.tenant_calendar import TenantCalendar, check_calendar

__all__ = [
    "DeadlineError",
    "DeadlinePolicy",
    "Escalation",
    "ExtensionRefusal",
    "ExtensionRefused",
    "PolicyError",
    "TenantCalendar",
    "TrafficLight",
    "UnsupportedCalendar",
    "add_business_days",
    "add_months",
    "breach_notice_due",
    "breach_working_days_left",
    "business_days_between",
    "business_days_left",
    "check_calendar",
    "default_policy",
    "due_moment",
    "earliest_breach_notice_due",
    "extend_subject_request",
    "instruction_due",
    "instruction_escalation",
    "is_business_day",
    "is_overdue",
    "last_business_day_on_or_before",
    "latest_extended_due",
    "load_policy",
    "local_date",
    "parse_policy",
    "subject_request_due",
    "traffic_light",
]
