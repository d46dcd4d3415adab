"""What async actors run with: the worker's :class:`~timeward.services.Services`.

The same services the API has, from the same builder (``timeward.services``). Their
``Database`` (its asyncpg pool) is bound to an event loop, so they are built lazily on
the worker's event loop thread (started by Dramatiq's AsyncIO middleware) at the first
:func:`job_services` call, and the database is disposed there when the worker shuts
down. Settings come from the environment unless :func:`configure` was called (the
embedded worker passes the API's resolved settings; tests pass theirs).

``job_settings``, ``job_database`` and ``job_audit`` are short accessors for actors.
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
from timeward.services import Services, build_services, open_database


@dataclass
class _Runtime:
    settings: Settings | None = None
    services: Services | None = None


_runtime = _Runtime()


def configure(settings: Settings) -> None:
    """Use these settings for the next worker (call before it starts)."""
    if _runtime.services is not None:
        raise RuntimeError("a job database is live; stop the worker before reconfiguring")
    _runtime.settings = settings
    use_public_url(settings.public_url)


def job_settings() -> Settings:
    if _runtime.settings is None:
        _runtime.settings = load_settings()
        use_public_url(_runtime.settings.public_url)
    return _runtime.settings


def job_services() -> Services:
    """The worker's services; call it only from an actor (on the worker's loop)."""
    loop_thread = get_event_loop_thread()
    if loop_thread is None or asyncio.get_running_loop() is not loop_thread.loop:
        raise RuntimeError("job services are for actors running on the worker's event loop")
    if _runtime.services is None:
        settings = job_settings()
        _runtime.services = build_services(settings, open_database(settings))
    return _runtime.services


def job_database() -> Database:
    return job_services().database


def job_audit() -> AuditLog:
    """The audit log with the same identity key as the API (derived from the master key)."""
    return job_services().audit


class JobRuntime(Middleware):
    """Disposes the worker's database on its own loop before that loop stops."""

    def after_worker_shutdown(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        services, _runtime.services = _runtime.services, None
        loop_thread = get_event_loop_thread()
        if services is not None and loop_thread is not None:
            loop_thread.run_coroutine(services.database.dispose())
