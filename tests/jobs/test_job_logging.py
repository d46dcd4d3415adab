"""Every line a job logs carries its message id and tenant, and never the e-mail."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from uuid import UUID

import pytest
import structlog
from structlog.testing import LogCapture

from tests.fixtures.jobs import Jobs, queue_one
from timeward.db.session import Database
from timeward.mail.jobs import reconcile_outbound_emails


@pytest.fixture
def captured_logs() -> Iterator[list[dict[str, Any]]]:
    previous = structlog.get_config()
    capture = LogCapture()
    structlog.configure(processors=[structlog.contextvars.merge_contextvars, capture])
    try:
        yield capture.entries
    finally:
        structlog.configure(**previous)


def _events(entries: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    return [entry for entry in entries if entry["event"] == name]


async def test_job_log_lines_carry_message_id_and_tenant(
    db: Database, idle_jobs: Jobs, tenant: UUID, captured_logs: list[dict[str, Any]]
) -> None:
    idle_jobs.start(threads=1)  # one thread: the second job reuses the first one's context
    await queue_one(db, tenant)
    await idle_jobs.drain()
    reconcile_outbound_emails.send()
    await idle_jobs.drain()

    [sent] = _events(captured_logs, "email.sent")
    [sent_done, reconcile_done] = _events(captured_logs, "job.done")
    [reconciled] = _events(captured_logs, "email.reconciled")
    assert sent["tenant_id"] == str(tenant)
    assert sent["actor_name"] == "send_email"
    assert sent["message_id"] == sent_done["message_id"]
    assert sent_done["tenant_id"] == str(tenant)
    # The next message on the same thread starts from a clean context.
    assert reconciled["message_id"] == reconcile_done["message_id"] != sent["message_id"]
    assert reconciled["actor_name"] == "reconcile_outbound_emails"
    assert "tenant_id" not in reconciled
    assert "ada@example.test" not in repr(captured_logs)
    assert "Hello Ada" not in repr(captured_logs)
