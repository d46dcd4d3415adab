"""What async actors run with: the settings and one ``Database`` per worker.

The ``Database`` (its asyncpg pool) is bound to an event loop, so it is created
lazily on the worker's event loop thread (started by Dramatiq's AsyncIO
middleware) at the first :func:`job_database` call, and disposed there when the
worker shuts down. Settings come from the environment unless :func:`configure`
was called (the embedded worker passes the API's resolved settings; tests pass
theirs).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import dramatiq
from dramatiq.asyncio import get_event_loop_thread
from dramatiq.middleware import Middleware

from timeward.audit.log import AuditLog
from timeward.config import Settings, load_settings
from timeward.db.session import Database
from timeward.links import use_public_url


@dataclass
class _Runtime:
    settings: Settings | None = None
    database: Database | None = None
    audit: AuditLog | None = None


_runtime = _Runtime()


def configure(settings: Settings) -> None:
    """Use these settings for the next worker (call before it starts)."""
    if _runtime.database is not None:
        raise RuntimeError("a job database is live; stop the worker before reconfiguring")
    _runtime.settings = settings
    _runtime.audit = None
    use_public_url(settings.public_url)


def job_settings() -> Settings:
    if _runtime.settings is None:
        _runtime.settings = load_settings()
        use_public_url(_runtime.settings.public_url)
    return _runtime.settings


def job_database() -> Database:
    """The worker's database; call it only from an actor (on the worker's loop)."""
    loop_thread = get_event_loop_thread()
    if loop_thread is None or asyncio.get_running_loop() is not loop_thread.loop:
        raise RuntimeError("job_database() is for actors running on the worker's event loop")
    if _runtime.database is None:
        settings = job_settings()
        if not settings.database_url:
            raise RuntimeError("DATABASE_URL is not set for the worker")
        _runtime.database = Database(settings.database_url, pool_size=settings.db_pool_size)
    return _runtime.database


def job_audit() -> AuditLog:
    """The audit log with the same identity key as the API (derived from the master key)."""
    if _runtime.audit is None:
        _runtime.audit = AuditLog.from_master_key(job_settings().resolve_master_key())
    return _runtime.audit


class JobRuntime(Middleware):
    """Disposes the worker's database on its own loop before that loop stops."""

    def after_worker_shutdown(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        database, _runtime.database = _runtime.database, None
        loop_thread = get_event_loop_thread()
        if database is not None and loop_thread is not None:
            loop_thread.run_coroutine(database.dispose())
