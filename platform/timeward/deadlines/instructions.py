"""Due dates and escalation of client instructions (the processor's duty).

An instruction is due a number of business days after receipt in the tenant's
calendar (30 by default). One that carries out a data-subject request must also
leave the employer time to answer its own deadline: it is due at the latest a
buffer of calendar days before that request's due date, moved back to a business
day. A processor's delay must never make the controller miss its deadline.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum

from timeward.deadlines.rules import DeadlinePolicy, resolve_policy
from timeward.deadlines.tenant_calendar import TenantCalendar


def instruction_due(
    received: datetime | date,
    calendar: TenantCalendar,
    *,
    subject_request_due: date | None = None,
    policy: DeadlinePolicy | None = None,
) -> date:
    """The local due date of an instruction received at ``received``.

    ``subject_request_due`` is the *current* (possibly extended) due date of the
    data-subject request the instruction serves, if any; recompute when it changes.
    When the buffer before it has already begun, the instruction is due on the day
    of receipt: it is urgent, never due before it arrived.
    """
    rule = resolve_policy(policy).instructions
    due = calendar.add_business_days(received, rule.business_days)
    if subject_request_due is None:
        return due
    cap = subject_request_due - timedelta(days=rule.subject_request_buffer_days)
    capped = min(due, calendar.last_business_day_on_or_before(cap))
    return max(capped, calendar.local_date(received))


class Escalation(StrEnum):
    OK = "ok"
    NEARING = "nearing"
    OVERDUE = "overdue"


def instruction_escalation(
    due: date,
    now: datetime,
    calendar: TenantCalendar,
    *,
    threshold_business_days: int | None = None,
    policy: DeadlinePolicy | None = None,
) -> Escalation:
    """``overdue`` once the due day has ended; ``nearing`` when at most the threshold of
    business days is left after today (0 on the due day); ``ok`` otherwise.

    The threshold defaults to the policy's ``escalation_business_days``.
    """
    if threshold_business_days is None:
        threshold_business_days = resolve_policy(policy).instructions.escalation_business_days
    left = calendar.business_days_left(due, now)
    if left < 0:
        return Escalation.OVERDUE
    if left <= threshold_business_days:
        return Escalation.NEARING
    return Escalation.OK
