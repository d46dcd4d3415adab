"""Periodic jobs: the one table of what is enqueued when.

The table is every domain's ``periodic`` (``timeward.domains.DOMAINS``).
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

from timeward.domain_shape import At, Every, Periodic, resolve
from timeward.domains import periodic_declarations

log = structlog.get_logger("timeward.scheduler")


class PeriodicJob(NamedTuple):
    actor: dramatiq.Actor[[], Any]
    trigger: BaseTrigger


def periodic_jobs() -> list[PeriodicJob]:
    """Every domain's periodic jobs (``DOMAINS``). Fresh triggers on each call (they hold
    start times)."""
    return [
        PeriodicJob(_actor(periodic), _trigger(periodic.when))
        for periodic in periodic_declarations()
    ]


def _actor(periodic: Periodic) -> dramatiq.Actor[[], Any]:
    actor = resolve(periodic.actor)
    if not isinstance(actor, dramatiq.Actor):
        raise TypeError(f"{periodic.actor} is not an actor")
    return actor


def _trigger(when: Every | At) -> BaseTrigger:
    if isinstance(when, Every):
        return IntervalTrigger(hours=when.hours, minutes=when.minutes)
    return CronTrigger(hour=when.hour, minute=when.minute, timezone=UTC)


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
