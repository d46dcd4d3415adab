"""The periodic-job table and the processes that run it."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from click.testing import CliRunner

from tests.fixtures.jobs import Jobs, queued_messages
from timeward.cli import main
from timeward.jobs.schedule import add_periodic_jobs, periodic_jobs
from timeward.mail.jobs import reconcile_outbound_emails


def test_every_periodic_job_is_registered_once() -> None:
    scheduler = BackgroundScheduler(timezone=UTC)
    ids = add_periodic_jobs(scheduler)
    assert ids == [job.actor.actor_name for job in periodic_jobs()]
    assert reconcile_outbound_emails.actor_name in ids
    assert {"reconcile_instructions", "escalate_instructions", "purge_expired_data"} <= set(ids)
    assert len(set(ids)) == len(ids)


def test_the_periodic_table_comes_from_the_domains_unchanged() -> None:
    """Each domain declares its periodic jobs (timeward.domains); the table they make is
    the one the scheduler always ran, trigger for trigger."""
    table = [(job.actor.actor_name, str(job.trigger)) for job in periodic_jobs()]
    assert table == [
        ("fold_staff_reads", "interval[0:01:00]"),
        ("sweep_authority_requests", "interval[0:05:00]"),
        ("reconcile_outbound_emails", "interval[0:05:00]"),
        ("send_weekly_digests", "cron[hour='6', minute='30']"),
        ("reconcile_processor_notices", "interval[0:05:00]"),
        ("reduce_expired_locations", "interval[1:00:00]"),
        ("reconcile_instructions", "interval[0:01:00]"),
        ("escalate_instructions", "cron[minute='7']"),
        ("purge_expired_data", "cron[hour='3', minute='15']"),
        ("reconcile_privacy_requests", "interval[0:05:00]"),
        ("purge_expired_privacy_exports", "interval[1:00:00]"),
        ("flag_overdue_privacy_requests", "cron[hour='6', minute='0']"),
        ("refresh_all_privacy_notices", "interval[1:00:00]"),
        ("warn_expiring_clients", "cron[hour='6', minute='5']"),
        ("reconcile_webhooks", "interval[0:05:00]"),
    ]
    first, second = periodic_jobs()[0].trigger, periodic_jobs()[0].trigger
    assert first is not second  # fresh triggers on each call: they hold start times


async def test_scheduler_enqueues_due_jobs_on_the_broker(idle_jobs: Jobs) -> None:
    scheduler = AsyncIOScheduler(timezone=UTC)
    add_periodic_jobs(scheduler)
    scheduler.start()
    try:
        for job in scheduler.get_jobs():
            job.modify(next_run_time=datetime.now(UTC))
        for _ in range(100):
            if queued_messages(idle_jobs.broker) == len(periodic_jobs()):
                break
            await asyncio.sleep(0.02)
    finally:
        scheduler.shutdown(wait=False)
    enqueued = sorted(
        json.loads(message)["actor_name"]
        for queue in idle_jobs.broker.queues.values()
        for message in list(queue.queue)
    )
    assert enqueued == sorted(job.actor.actor_name for job in periodic_jobs())


def test_scheduler_command_needs_a_broker() -> None:
    result = CliRunner().invoke(main, ["scheduler"], env={"BROKER_URL": ""})
    assert result.exit_code != 0
    assert "BROKER_URL is not set" in result.output


def test_times_of_day_are_utc_whatever_the_machine_s_zone() -> None:
    """The docs promise 'hourly at :07, UTC': a cron trigger left to APScheduler's default
    would follow the machine's local zone."""
    cron = [job.trigger for job in periodic_jobs() if isinstance(job.trigger, CronTrigger)]
    assert cron, "the table has times of day"
    assert all(str(trigger.timezone) == "UTC" for trigger in cron)
