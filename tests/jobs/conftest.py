"""Jobs fixtures: a real SMTP server, a StubBroker and an in-process Worker.

The worker runs the real actors on its own event loop with its own ``Database``
(the application role), exactly as in production; only the broker is in memory.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from uuid import UUID

import dramatiq
import pytest
from dramatiq.brokers.stub import StubBroker

from tests.conftest import TenantFactory
from tests.jobs.smtp_server import HOST, SmtpServer, running_smtp_server
from timeward.config import Settings, SmtpSettings
from timeward.db.session import Database, Scope
from timeward.jobs import runtime
from timeward.jobs import worker as _actors  # noqa: F401 - declares every actor
from timeward.jobs.broker import build_broker
from timeward.jobs.embedded import start_worker, stop_worker
from timeward.jobs.registry import use_broker
from timeward.mail.models import OutboundEmail
from timeward.mail.service import queue_email


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    with running_smtp_server() as server:
        yield server


@pytest.fixture
def job_settings(settings: Settings, smtp_server: SmtpServer) -> Settings:
    return replace(settings, smtp=SmtpSettings(host=HOST, port=smtp_server.port))


@dataclass
class Jobs:
    """A stub broker holding every actor, and the worker consuming it once started."""

    broker: StubBroker
    worker: dramatiq.Worker | None = None

    def start(self, threads: int = 2) -> None:
        self.worker = start_worker(self.broker, threads=threads)

    def stop(self) -> None:
        if self.worker is not None:
            stop_worker(self.worker)
            self.worker = None

    def _drain(self, timeout_s: float) -> None:
        assert self.worker is not None, "start the worker first"
        deadline = time.monotonic() + timeout_s
        while True:
            for queue in self.broker.get_declared_queues():
                self.broker.join(queue, timeout=int(timeout_s * 1000), fail_fast=False)
            self.worker.join()
            if not any(q.unfinished_tasks for q in self.broker.queues.values()):
                return
            assert time.monotonic() < deadline, "jobs did not drain"

    async def drain(self, timeout_s: float = 10.0) -> None:
        """Wait until every queue is empty and no message is being processed."""
        await asyncio.to_thread(self._drain, timeout_s)


@pytest.fixture
def idle_jobs(job_settings: Settings, db: Database) -> Iterator[Jobs]:
    """Actors on a fresh stub broker; the worker is not started yet."""
    runtime.configure(job_settings)
    stub = use_broker(build_broker(None))
    assert isinstance(stub, StubBroker)
    jobs = Jobs(stub)
    yield jobs
    jobs.stop()


@pytest.fixture
def jobs(idle_jobs: Jobs) -> Jobs:
    idle_jobs.start()
    return idle_jobs


@pytest.fixture
async def tenant(make_tenant: TenantFactory) -> UUID:
    return await make_tenant("alpha")


async def queue_one(db: Database, tenant_id: UUID, to: str = "ada@example.test") -> UUID:
    async with db.transaction(Scope.TENANT, tenant_id) as session:
        return await queue_email(session, tenant_id, to, "Your timesheet", "Hello Ada,\nall good.")


async def load_email(db: Database, tenant_id: UUID, email_id: UUID) -> OutboundEmail:
    async with db.transaction(Scope.TENANT, tenant_id) as session:
        email = await session.get(OutboundEmail, (tenant_id, email_id))
    assert email is not None
    return email


def queued_messages(broker: StubBroker) -> int:
    return sum(queue.qsize() for queue in broker.queues.values())
