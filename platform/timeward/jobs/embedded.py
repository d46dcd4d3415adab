"""The embedded default: with no BROKER_URL the API process runs the jobs itself.

An in-memory ``StubBroker``, a Dramatiq ``Worker`` on background threads (its
async actors run on their own event loop, not the API's) and the periodic-job
scheduler, for the lifetime of the app. Messages held in memory are lost on
restart; the outbox rows are not, and the reconciler enqueues them again.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC

import dramatiq
import structlog
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from timeward.config import Settings
from timeward.jobs import runtime
from timeward.jobs import worker as _actors  # noqa: F401 - declares every actor
from timeward.jobs.broker import build_broker
from timeward.jobs.registry import use_broker
from timeward.jobs.schedule import add_periodic_jobs

log = structlog.get_logger("timeward.jobs")


def start_worker(broker: dramatiq.Broker, *, threads: int = 2) -> dramatiq.Worker:
    """Start consuming every declared queue on background threads; returns at once."""
    worker = dramatiq.Worker(broker, worker_threads=threads, worker_timeout=100)
    worker.start()
    return worker


def stop_worker(worker: dramatiq.Worker, *, timeout_ms: int = 30_000) -> None:
    """Let running jobs finish (up to the timeout), then stop every thread."""
    worker.stop(timeout=timeout_ms)


@asynccontextmanager
async def embedded_jobs(settings: Settings) -> AsyncIterator[None]:
    """Worker and scheduler inside this process, for an app lifespan."""
    runtime.configure(settings)
    worker = await asyncio.to_thread(start_worker, use_broker(build_broker(None)))
    scheduler = AsyncIOScheduler(timezone=UTC)
    log.info("jobs.embedded_started", periodic=add_periodic_jobs(scheduler))
    scheduler.start()
    try:
        yield
    finally:
        scheduler.shutdown(wait=False)
        await asyncio.to_thread(stop_worker, worker)
        log.info("jobs.embedded_stopped")
