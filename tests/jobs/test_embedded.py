"""The embedded default: without a broker, the API process runs the jobs itself."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from uuid import UUID

import pytest
from dramatiq.asyncio import get_event_loop_thread

from tests.fixtures.jobs import load_email, queue_one
from tests.jobs.smtp_server import SmtpServer
from tests.live_server import serve_in_background
from timeward.app import create_app
from timeward.config import Settings
from timeward.db.session import Database
from timeward.mail.models import EmailStatus


async def test_app_without_broker_delivers_mail_in_process(
    db: Database, job_settings: Settings, smtp_server: SmtpServer, tenant: UUID
) -> None:
    app = create_app(replace(job_settings, environment="development"), database=db)
    async with serve_in_background(app):
        assert get_event_loop_thread() is not None  # the embedded worker's loop
        email_id = await queue_one(db, tenant)
        for _ in range(200):
            if smtp_server.received:
                break
            await asyncio.sleep(0.02)
    assert get_event_loop_thread() is None  # stopped with the app
    assert len(smtp_server.received) == 1
    assert (await load_email(db, tenant, email_id)).status == EmailStatus.SENT


@pytest.mark.parametrize(
    ("environment", "broker_url"),
    [("test", None), ("development", "amqp://guest:guest@127.0.0.1:5672/%2F")],
)
async def test_app_runs_no_worker_in_tests_or_with_a_broker(
    db: Database, settings: Settings, environment: str, broker_url: str | None
) -> None:
    app = create_app(replace(settings, environment=environment, broker_url=broker_url), database=db)
    async with serve_in_background(app):
        assert get_event_loop_thread() is None
