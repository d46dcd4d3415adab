"""How each breach notice fared, over the platform API: its e-mails by outbox status and
its in-app notifications read, in counts only. The outbox and notification rows stay
closed to the platform scope; only ``breach_notice_delivery`` counts them, and only there."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, text

from tests.accountability.test_breaches import by_slug, record
from tests.accounts import Accounts, log_in_all
from tests.clients import add_admin, seed_client
from tests.fixtures.jobs import Jobs, refuse_every_mail
from tests.jobs.smtp_server import SmtpServer, recipients
from tests.workforce.test_schema import schema_drift
from timeward import clock
from timeward.db.bootstrap import DatabaseUrls
from timeward.db.session import Database, Scope
from timeward.mail.models import OutboundEmail
from timeward.notifications.models import Notification


async def detail(client: httpx.AsyncClient, staff: Accounts, breach_id: str) -> httpx.Response:
    return await client.get(
        f"/api/v1/platform/breaches/{breach_id}", headers=staff.auth("platform_staff")
    )


def discovered() -> str:
    return (clock.now() - timedelta(hours=2)).isoformat()


async def read_breach_notification(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    mine = await client.get("/api/v1/me/notifications", headers=auth)
    [notice] = [n for n in mine.json()["items"] if n["kind"] == "breach.reported"]
    read = await client.post(f"/api/v1/me/notifications/{notice['id']}/read", headers=auth)
    assert read.status_code == 204, read.text


async def test_the_incident_shows_mail_sent_and_notifications_read_per_tenant(
    client: httpx.AsyncClient,
    db: Database,
    staff: Accounts,
    jobs: Jobs,
    smtp_server: SmtpServer,
) -> None:
    berlin = await log_in_all(client, await seed_client(db, "berlin", "DE", "BE"))
    await add_admin(db, berlin, "deputy")
    london = await log_in_all(client, await seed_client(db, "london", "GB", "ENG"))
    tenant_ids = [str(berlin.tenant_id), str(london.tenant_id)]
    incident = await record(
        client, staff, discovered_at=discovered(), affected={"tenant_ids": tenant_ids}
    )
    nothing_yet = {
        "mail": None,
        "mail_queued": 0,
        "mail_sent": 0,
        "mail_failed": 0,
        "in_app": 0,
        "in_app_read": 0,
        "first_read_at": None,
    }
    assert by_slug(incident)["berlin"]["delivery"] == nothing_yet  # the job has not run

    await jobs.drain()
    assert len(recipients(smtp_server.received)) == 3
    await read_breach_notification(client, berlin.auth("client_admin"))

    response = await detail(client, staff, incident["id"])
    tenants = by_slug(response.json())
    berlin_delivery: dict[str, Any] = tenants["berlin"]["delivery"]
    assert berlin_delivery["first_read_at"] is not None
    assert {**berlin_delivery, "first_read_at": None} == {
        **nothing_yet,
        "mail": "sent",
        "mail_sent": 2,
        "in_app": 2,
        "in_app_read": 1,
    }
    assert tenants["london"]["delivery"] == {
        **nothing_yet,
        "mail": "sent",
        "mail_sent": 1,
        "in_app": 1,
    }
    for address in (
        berlin.email("client_admin"),
        berlin.email("deputy"),
        london.email("client_admin"),
    ):
        assert address not in response.text  # counts and states only


async def test_a_refused_mail_is_failed_and_the_rows_stay_closed_to_the_platform(
    client: httpx.AsyncClient,
    db: Database,
    staff: Accounts,
    jobs: Jobs,
    smtp_server: SmtpServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    refuse_every_mail(smtp_server, monkeypatch)
    berlin = await log_in_all(client, await seed_client(db, "berlin", "DE", "BE"))
    incident = await record(
        client,
        staff,
        discovered_at=discovered(),
        affected={"tenant_ids": [str(berlin.tenant_id)]},
    )
    await jobs.drain()

    delivery = by_slug((await detail(client, staff, incident["id"])).json())["berlin"]["delivery"]
    assert (delivery["mail"], delivery["mail_failed"], delivery["mail_sent"]) == ("failed", 1, 0)
    assert (delivery["in_app"], delivery["in_app_read"]) == (1, 0)

    forbidden = await client.get(
        f"/api/v1/platform/breaches/{incident['id']}", headers=berlin.auth("client_admin")
    )
    assert forbidden.status_code == 403, forbidden.text  # a client admin: not this route
    query = text("SELECT count(*) FROM breach_notice_delivery(ARRAY[CAST(:id AS uuid)])")
    async with db.transaction(Scope.PLATFORM) as session:
        assert await session.scalar(select(func.count()).select_from(OutboundEmail)) == 0
        assert await session.scalar(select(func.count()).select_from(Notification)) == 0
        assert await session.scalar(query, {"id": incident["id"]}) == 1
    async with db.transaction(Scope.TENANT, berlin.tenant_id) as session:
        assert await session.scalar(query, {"id": incident["id"]}) == 0  # platform scope only


async def test_breach_notices_match_migration_0019(database_urls: DatabaseUrls) -> None:
    assert await schema_drift(database_urls, ("breach_notices",)) == []
