"""Integration: the real RabbitMQ broker carries a job end to end.

CI starts RabbitMQ; if it is unreachable this test fails (it never skips).
Queues live under a unique namespace so parallel runs do not steal each other's
messages, and are deleted afterwards.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from dataclasses import replace
from uuid import UUID, uuid4

import dramatiq
import pika
import pytest
from dramatiq.brokers.rabbitmq import RabbitmqBroker
from dramatiq.common import dq_name, xq_name

from tests.fixtures.jobs import load_email, queue_one
from tests.jobs.smtp_server import HOST, SmtpServer
from timeward.config import Settings, SmtpSettings
from timeward.db.session import Database
from timeward.jobs import runtime
from timeward.jobs.broker import build_broker
from timeward.jobs.embedded import start_worker, stop_worker
from timeward.jobs.registry import use_broker
from timeward.mail.models import EmailStatus

RABBITMQ_URL = os.environ.get("TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/%2F")


def _delete_queues(broker: RabbitmqBroker) -> None:
    channel = broker.channel
    for queue in list(broker.queues):
        for name in (queue, dq_name(queue), xq_name(queue)):
            channel.queue_delete(name)


@pytest.fixture
def rabbitmq_broker(settings: Settings, smtp_server: SmtpServer) -> Iterator[RabbitmqBroker]:
    pika.BlockingConnection(pika.URLParameters(RABBITMQ_URL)).close()  # unreachable: fail here
    runtime.configure(replace(settings, smtp=SmtpSettings(host=HOST, port=smtp_server.port)))
    broker = use_broker(build_broker(RABBITMQ_URL), namespace=f"timeward-test-{uuid4().hex}")
    assert isinstance(broker, RabbitmqBroker)
    try:
        yield broker
    finally:
        _delete_queues(broker)
        broker.close()
        use_broker(build_broker(None))


async def test_email_goes_through_rabbitmq(
    db: Database, rabbitmq_broker: RabbitmqBroker, smtp_server: SmtpServer, tenant: UUID
) -> None:
    worker: dramatiq.Worker = await asyncio.to_thread(start_worker, rabbitmq_broker)
    try:
        email_id = await queue_one(db, tenant)
        for _ in range(200):
            if (await load_email(db, tenant, email_id)).status == EmailStatus.SENT:
                break
            await asyncio.sleep(0.05)
    finally:
        await asyncio.to_thread(stop_worker, worker)

    assert (await load_email(db, tenant, email_id)).status == EmailStatus.SENT
    assert [message["Message-ID"] for message in smtp_server.received] == [
        f"<{email_id}@timeward.localhost>"
    ]
    assert all(queue.startswith("timeward-test-") for queue in rabbitmq_broker.queues)
