"""Choose the Dramatiq broker from a URL: RabbitMQ (amqp://) or Redis (redis://)."""

from __future__ import annotations

import dramatiq
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware import AsyncIO


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
    broker.add_middleware(AsyncIO())
    return broker
