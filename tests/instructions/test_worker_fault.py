"""Fault injection: a real worker process is SIGKILLed in the middle of an offboarding
deletion; a new one finishes it. Nothing of the tenant remains, nothing is counted twice,
and every other tenant's rows are bit-for-bit unchanged.

Real RabbitMQ (TEST_RABBITMQ_URL, the default broker of the suite; .ci/run starts it),
real PostgreSQL as the application role, real SMTP. The worker is the `dramatiq` CLI on
`timeward.jobs.worker`, exactly as `timeward worker` runs it, under a unique queue
namespace.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from uuid import UUID, uuid4

import asyncpg
import pika
import pytest
from dramatiq.brokers.rabbitmq import RabbitmqBroker
from dramatiq.common import dq_name, xq_name
from sqlalchemy import func, select

from tests.accounts import Accounts, seed_tenant
from tests.conftest import TEST_MASTER_KEY
from tests.database import REPO_ROOT
from tests.instructions.support import bulk_fill, checksums, counts
from tests.jobs.smtp_server import HOST, SmtpServer
from timeward.acting import Acting
from timeward.config import Settings
from timeward.db.bootstrap import DatabaseUrls
from timeward.db.session import Database, Scope
from timeward.instructions import maintenance
from timeward.instructions.jobs import execute_instruction
from timeward.instructions.models import Instruction, InstructionProgress
from timeward.instructions.service import NewInstruction, create_instruction
from timeward.instructions.states import Kind
from timeward.jobs import runtime
from timeward.jobs.broker import build_broker
from timeward.jobs.registry import use_broker
from timeward.services import Services

# Upper bounds only: a lost job never finishes, however long we wait; a slow, shared
# machine must not fail a run that loses nothing.
PHASE_SECONDS = 180
RABBITMQ_URL = os.environ.get("TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/%2F")
ROWS_PER_TABLE = 60_000  # notifications and sent e-mails each: a few seconds of batches
BATCH = 400
PROCESSOR_RECORDS = {
    "audit_events",
    "audit_chain_heads",
    "instructions",
    "instruction_events",
    "instruction_progress",
    "legal_holds",
    "deletion_certificates",
    "data_exports",
}


@dataclass
class WorkerProcesses:
    env: dict[str, str]
    log_dir: Path
    started: list[subprocess.Popen[bytes]]

    def start(self) -> subprocess.Popen[bytes]:
        log = (self.log_dir / f"worker-{len(self.started)}.log").open("wb")
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "dramatiq",
                "timeward.jobs.worker",
                "--processes",
                "1",
                "--threads",
                "2",
            ],
            cwd=REPO_ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: killpg reaches its children
        )
        self.started.append(process)
        return process

    @staticmethod
    def kill(process: subprocess.Popen[bytes]) -> None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def stop_all(self) -> None:
        for process in self.started:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


@pytest.fixture
def rabbit(settings: Settings, smtp_server: SmtpServer) -> Iterator[tuple[RabbitmqBroker, str]]:
    pika.BlockingConnection(pika.URLParameters(RABBITMQ_URL)).close()  # unreachable: fail here
    runtime.configure(settings)
    namespace = f"timeward-fault-{uuid4().hex}"
    broker = use_broker(build_broker(RABBITMQ_URL), namespace=namespace)
    assert isinstance(broker, RabbitmqBroker)
    try:
        yield broker, namespace
    finally:
        channel = broker.channel
        for queue in list(broker.queues):
            for name in (queue, dq_name(queue), xq_name(queue)):
                channel.queue_delete(name)
        broker.close()
        use_broker(build_broker(None))


@pytest.fixture
def workers(
    rabbit: tuple[RabbitmqBroker, str],
    database_urls: DatabaseUrls,
    smtp_server: SmtpServer,
    tmp_path: Path,
) -> Iterator[WorkerProcesses]:
    _, namespace = rabbit
    env = {
        **os.environ,
        "DATABASE_URL": database_urls.app_url,
        "BROKER_URL": RABBITMQ_URL,
        "TIMEWARD_QUEUE_NAMESPACE": namespace,
        "TIMEWARD_MASTER_KEY": TEST_MASTER_KEY,
        "TIMEWARD_DATA_DIR": str(tmp_path / "data"),
        "TIMEWARD_INSTRUCTION_BATCH_SIZE": str(BATCH),
        "TIMEWARD_INSTRUCTION_SLICE_SECONDS": "5",
        "SMTP_HOST": HOST,
        "SMTP_PORT": str(smtp_server.port),
    }
    processes = WorkerProcesses(env, tmp_path, [])
    yield processes
    processes.stop_all()


@pytest.fixture
async def tenants(db: Database, owner: asyncpg.Pool) -> AsyncIterator[tuple[Accounts, Accounts]]:
    acme, bravo = await seed_tenant(db, "acme"), await seed_tenant(db, "bravo")
    assert acme.tenant_id and bravo.tenant_id
    await bulk_fill(owner, acme.tenant_id, acme.user_id("employee"), ROWS_PER_TABLE)
    await bulk_fill(owner, bravo.tenant_id, bravo.user_id("employee"), 500)
    yield acme, bravo


State = tuple[str, str | None, int]


async def _state(db: Database, instruction_id: UUID) -> State:
    async with db.transaction(Scope.PLATFORM, read_only=True) as session:
        status, phase = (
            await session.execute(
                select(Instruction.status, Instruction.phase).where(
                    Instruction.id == instruction_id
                )
            )
        ).one()
        removed = await session.scalar(
            select(func.coalesce(func.sum(InstructionProgress.removed), 0)).where(
                InstructionProgress.instruction_id == instruction_id
            )
        )
    return str(status), phase, int(removed or 0)


async def _wait(
    db: Database, instruction_id: UUID, done: Callable[[State], bool], seconds: float
) -> State:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while True:
        state = await _state(db, instruction_id)
        if done(state):
            return state
        assert loop.time() < deadline, f"timed out in state {state}"
        await asyncio.sleep(0.05)


@pytest.mark.slow
async def test_killed_worker_mid_deletion_loses_nothing_and_touches_no_other_tenant(
    db: Database,
    owner: asyncpg.Pool,
    services: Services,
    workers: WorkerProcesses,
    tenants: tuple[Accounts, Accounts],
    smtp_server: SmtpServer,
) -> None:
    acme, bravo = tenants
    assert acme.tenant_id and bravo.tenant_id
    bravo_before = await checksums(owner, bravo.tenant_id)
    acme_before = await counts(owner, acme.tenant_id)

    async with db.transaction(Scope.TENANT, acme.tenant_id) as session:
        instruction = await create_instruction(
            session,
            acme.tenant_id,
            NewInstruction(Kind.OFFBOARD_TENANT, confirm_slug=acme.slug),
            Acting(acme.user_id("client_admin"), "client_admin"),
            audit=services.audit,
            offboarding_grace=timedelta(0),
        )
    first = workers.start()

    # Let it export, deliver, and get well into the deletion; then kill it outright.
    await _wait(
        db, instruction.id, lambda s: s[1] == "delete" and s[2] >= 20 * BATCH, PHASE_SECONDS
    )
    workers.kill(first)
    status, phase, removed_at_kill = await _state(db, instruction.id)
    assert (status, phase) == ("in_processing", "delete")
    total = acme_before["notifications"] + acme_before["outbound_emails"]
    assert 0 < removed_at_kill < total, "kill the worker mid-way, not before or after"
    print(f"killed after {removed_at_kill} of {total} rows")

    # No live job holds it any more (the server dropped the dead worker's connection and
    # its lock): the reconciler re-enqueues it. RabbitMQ also redelivers the message the
    # dead worker never acknowledged; of the two copies one runs, the other finds it busy.
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 10
    while not await maintenance.reconcile(db, execute_instruction, older_than=timedelta(0)):
        assert loop.time() < deadline, "the dead worker's lock was never released"
        await asyncio.sleep(0.1)
    workers.start()
    status, _, _ = await _wait(db, instruction.id, lambda s: s[0] != "in_processing", PHASE_SECONDS)
    assert status == "completed"

    left = {table: n for table, n in (await counts(owner, acme.tenant_id)).items() if n}
    assert set(left) <= PROCESSOR_RECORDS, left
    assert await checksums(owner, bravo.tenant_id) == bravo_before

    async with db.transaction(Scope.PLATFORM, read_only=True) as session:
        progress = {
            row.table_name: row
            for row in (
                await session.scalars(
                    select(InstructionProgress).where(
                        InstructionProgress.instruction_id == instruction.id
                    )
                )
            ).all()
        }
        job_ids = await session.scalar(
            select(Instruction.job_ids).where(Instruction.id == instruction.id)
        )
    # exactly what was there (plus the delivery notice and its e-mail), nothing twice
    assert progress["notifications"].removed == acme_before["notifications"] + 1
    assert progress["outbound_emails"].removed == acme_before["outbound_emails"] + 1
    assert progress["notifications"].exported == acme_before["notifications"]
    # Which copy finished it (RabbitMQ's redelivery, same message id, or the reconciler's
    # new message) is a race: the record names the job(s) either way.
    assert job_ids
    assert len(smtp_server.received) == 1  # the notice that the data is ready
