"""The embedded default: with no BROKER_URL the API process runs the jobs itself.

An in-memory ``StubBroker``, a Dramatiq ``Worker`` on background threads (its
async actors run on their own event loop, not the API's) and the periodic-job
scheduler, for the lifetime of the app. Messages held in memory are lost on
restart; the outbox rows are not, and the reconciler enqueues them again.

Idle, the worker's threads block on their queues' condition variables: a message
wakes them at once, and the timeout (:data:`IDLE_WAKE_MS`) only bounds how late a
delayed retry or a shutdown is noticed. Dramatiq's default of 100 ms woke every
thread ten times a second for nothing (docs/performance.md, "API request path").

With ``timeward serve --workers N`` each process runs a worker for the messages it
enqueues itself, and only the process holding a PostgreSQL advisory lock runs the
scheduler, so periodic jobs are enqueued once.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC

import asyncpg
import dramatiq
import structlog
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from timeward.config import Settings
from timeward.db.session import Database
from timeward.db.urls import asyncpg_dsn
from timeward.jobs import runtime
from timeward.jobs import worker as _actors  # noqa: F401 - declares every actor
from timeward.jobs.broker import build_broker
from timeward.jobs.registry import use_broker
from timeward.jobs.schedule import add_periodic_jobs

log = structlog.get_logger("timeward.jobs")

IDLE_WAKE_MS = 2_000
SCHEDULER_LOCK = "select pg_try_advisory_lock(hashtext('timeward.embedded_scheduler'))"


def start_worker(
    broker: dramatiq.Broker, *, threads: int = 2, idle_wake_ms: int = 100
) -> dramatiq.Worker:
    """Start consuming every declared queue on background threads; returns at once."""
    worker = dramatiq.Worker(broker, worker_threads=threads, worker_timeout=idle_wake_ms)
    worker.start()
    return worker


def stop_worker(worker: dramatiq.Worker, *, timeout_ms: int = 30_000) -> None:
    """Let running jobs finish (up to the timeout), then stop every thread."""
    worker.stop(timeout=timeout_ms)


@asynccontextmanager
async def embedded_jobs(settings: Settings, database: Database) -> AsyncIterator[None]:
    """Worker (and, in one process of several, the scheduler) for an app lifespan."""
    runtime.configure(settings)
    broker = use_broker(build_broker(None))
    worker = await asyncio.to_thread(start_worker, broker, idle_wake_ms=IDLE_WAKE_MS)
    scheduler = AsyncIOScheduler(timezone=UTC)
    lock = await asyncpg.connect(asyncpg_dsn(database.engine.url))
    try:
        if await lock.fetchval(SCHEDULER_LOCK):
            log.info("jobs.embedded_started", periodic=add_periodic_jobs(scheduler))
            scheduler.start()
        else:
            log.info("jobs.embedded_started", periodic=[], scheduler="another process")
            await lock.close()
        yield
    finally:
        if scheduler.running:
            scheduler.shutdown(wait=False)
        if not lock.is_closed():
            await lock.close()
        await asyncio.to_thread(stop_worker, worker)
        log.info("jobs.embedded_stopped")
