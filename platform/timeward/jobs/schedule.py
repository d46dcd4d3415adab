"""Periodic jobs: the one table of what is enqueued when.

Dramatiq schedules nothing itself. Exactly one scheduler enqueues these: the
``timeward scheduler`` process (one replica) with a real broker, or the API
process itself in the embedded default. A periodic actor takes no arguments and,
like every actor, may run twice.
"""

from __future__ import annotations

from datetime import UTC
from typing import Any, NamedTuple

import dramatiq
import structlog
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from tenants.locations.jobs import reduce_expired_locations
from tenants.privacy_requests.jobs import (
    flag_overdue_privacy_requests,
    purge_expired_privacy_exports,
    reconcile_privacy_requests,
)
from timeward.instructions.jobs import escalate_instructions, reconcile_instructions
from timeward.mail.jobs import reconcile_outbound_emails
from timeward.notices.jobs import reconcile_processor_notices
from timeward.retention.jobs import purge_expired_data

log = structlog.get_logger("timeward.scheduler")


class PeriodicJob(NamedTuple):
    actor: dramatiq.Actor[[], Any]
    trigger: BaseTrigger


def periodic_jobs() -> list[PeriodicJob]:
    """Add one line per periodic job. Fresh triggers on each call (they hold start times)."""
    return [
        PeriodicJob(reconcile_outbound_emails, IntervalTrigger(minutes=5)),
        PeriodicJob(reconcile_processor_notices, IntervalTrigger(minutes=5)),
        PeriodicJob(reduce_expired_locations, IntervalTrigger(hours=1)),
        PeriodicJob(reconcile_instructions, IntervalTrigger(minutes=1)),
        PeriodicJob(escalate_instructions, CronTrigger(minute=7)),  # hourly, UTC
        PeriodicJob(purge_expired_data, CronTrigger(hour=3, minute=15)),  # daily, UTC
        PeriodicJob(reconcile_privacy_requests, IntervalTrigger(minutes=5)),
        PeriodicJob(purge_expired_privacy_exports, IntervalTrigger(hours=1)),
        PeriodicJob(flag_overdue_privacy_requests, CronTrigger(hour=6, minute=0)),  # UTC
    ]


def enqueue(actor: dramatiq.Actor[[], Any]) -> None:
    actor.send()
    log.info("scheduler.enqueued", actor_name=actor.actor_name)


def add_periodic_jobs(scheduler: BaseScheduler) -> list[str]:
    """Register the table on a scheduler; returns the job ids (the actor names)."""
    for periodic in periodic_jobs():
        scheduler.add_job(
            enqueue,
            periodic.trigger,
            args=(periodic.actor,),
            id=periodic.actor.actor_name,
            name=periodic.actor.actor_name,
            replace_existing=True,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=60,
        )
    return [scheduled.id for scheduled in scheduler.get_jobs()]


def run_scheduler() -> None:
    """Block, enqueueing periodic jobs on the configured broker, until interrupted."""
    scheduler = BlockingScheduler(timezone=UTC)
    log.info("scheduler.started", jobs=add_periodic_jobs(scheduler))
    scheduler.start()
