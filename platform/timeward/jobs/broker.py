"""Choose the Dramatiq broker from a URL: RabbitMQ (amqp://) or Redis (redis://)."""

from __future__ import annotations

import dramatiq
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware import AsyncIO

from timeward.jobs.log_context import LogContext
from timeward.jobs.runtime import JobRuntime


def build_broker(url: str | None) -> dramatiq.Broker:
    """No URL means in-process (embedded default): a stub broker run by a local worker."""
    broker: dramatiq.Broker
    if not url:
        broker = StubBroker()
    elif url.startswith(("amqp://", "amqps://")):
        from dramatiq.brokers.rabbitmq import RabbitmqBroker

        broker = RabbitmqBroker(url=url)
    elif url.startswith(("redis://", "rediss://")):
        from dramatiq.brokers.redis import RedisBroker

        broker = RedisBroker(url=url)  # type: ignore[no-untyped-call]
    else:
        raise ValueError("BROKER_URL must start with amqp:// or redis://")
    # Order matters: "after" hooks run in reverse, so JobRuntime disposes its
    # database before AsyncIO stops the event loop it lives on.
    broker.add_middleware(AsyncIO())
    broker.add_middleware(JobRuntime())
    broker.add_middleware(LogContext())
    return broker
