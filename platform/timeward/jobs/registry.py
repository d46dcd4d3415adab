"""The process's broker and the actors declared on it.

Actors are declared with :func:`job` on the current broker when their module is
imported; the first use builds that broker from ``BROKER_URL``. :func:`use_broker`
moves every declared actor to another broker, so the embedded worker and the tests
choose theirs without re-importing actor modules. A ``namespace`` prefixes every
queue name, which keeps parallel test runs on one RabbitMQ apart.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, ParamSpec

import dramatiq

from timeward.config import load_settings
from timeward.domains import declare_jobs
from timeward.jobs.broker import build_broker

P = ParamSpec("P")


@dataclass
class _Current:
    broker: dramatiq.Broker | None = None
    namespace: str | None = None


_current = _Current()
_actors: dict[str, tuple[dramatiq.Actor[Any, Any], str]] = {}


def _queue_name(queue: str, namespace: str | None) -> str:
    return f"{namespace}.{queue}" if namespace else queue


def current_broker() -> dramatiq.Broker:
    if _current.broker is None:
        settings = load_settings()
        return use_broker(build_broker(settings.broker_url), namespace=settings.queue_namespace)
    return _current.broker


def use_broker(broker: dramatiq.Broker, *, namespace: str | None = None) -> dramatiq.Broker:
    """Make ``broker`` the process's broker and declare every known actor on it."""
    _current.broker, _current.namespace = broker, namespace
    dramatiq.set_broker(broker)
    for actor, queue in _actors.values():
        actor.broker = broker
        actor.queue_name = _queue_name(queue, namespace)
        broker.declare_actor(actor)
    return broker


def job(
    *, queue: str = "default", **options: Any
) -> Callable[[Callable[P, Awaitable[None]]], dramatiq.Actor[P, None]]:
    """Declare an async actor. Arguments must be ids and plain values; it may run twice."""

    def declare(fn: Callable[P, Awaitable[None]]) -> dramatiq.Actor[P, None]:
        if fn.__name__ in _actors:
            raise ValueError(f"an actor named {fn.__name__!r} is already declared")
        broker = current_broker()
        declare_on_broker = dramatiq.actor(
            broker=broker,
            actor_name=fn.__name__,
            queue_name=_queue_name(queue, _current.namespace),
            **options,
        )
        actor: dramatiq.Actor[P, None] = declare_on_broker(fn)
        _actors[fn.__name__] = (actor, queue)
        return actor

    return declare


def declared_actor(name: str) -> dramatiq.Actor[Any, Any]:
    """The actor registered as ``name``. A process that has not loaded the job modules yet
    (the command line, a script) loads every domain's now: services start jobs by name."""
    if name not in _actors:
        declare_jobs()
    return _actors[name][0]
