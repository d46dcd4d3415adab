"""Breaches over HTTP: recording, notices by e-mail and in the app to every affected
client admin (and nobody else), deadlines in each tenant's real calendar, acknowledgement."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import asyncpg
import httpx
import pytest

from tests.accountability.support import audit_events
from tests.accounts import Accounts, log_in_all
from tests.clients import add_admin, notification_kinds, seed_client
from tests.fixtures.clock import FixedClock
from tests.fixtures.jobs import Jobs
from tests.jobs.smtp_server import SmtpServer, body, recipients
from timeward.breaches.jobs import send_breach_notice
from timeward.config import Settings
from timeward.db.session import Database
from timeward.notices.jobs import reconcile_processor_notices

DISCOVERED = "2026-12-23T10:00:00Z"  # a Wednesday, two days before Christmas
AFTER_CHRISTMAS = datetime(2026, 12, 28, 9, 0, tzinfo=UTC)  # the Monday after


@pytest.fixture(autouse=True)
def _after_discovery(fixed_clock: FixedClock) -> None:
    """Every test here runs on Monday 28 December 2026 unless it moves the clock."""
    fixed_clock.set(AFTER_CHRISTMAS)


def report(**overrides: Any) -> dict[str, Any]:
    return {
        "title": "Backup bucket readable from the internet",
        "discovered_at": DISCOVERED,
        "description": "A storage bucket holding nightly backups was publicly readable.",
        "data_categories": ["names", "clock-in times"],
        "subject_categories": ["employees"],
        "approx_subjects": 1200,
        "approx_records": 48000,
        "likely_consequences": "Exposure of working hours; no credentials were stored.",
        "measures_taken": "Public access removed; access logs under review.",
        "measures_proposed": "Automated checks of bucket policies.",
        **overrides,
    }


async def record(client: httpx.AsyncClient, staff: Accounts, **overrides: Any) -> dict[str, Any]:
    response = await client.post(
        "/api/v1/platform/breaches", json=report(**overrides), headers=staff.auth("platform_staff")
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def by_slug(incident: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {t["tenant_slug"]: t for t in incident["tenants"]}


async def test_notices_reach_every_affected_client_admin_and_no_other_tenant(
    client: httpx.AsyncClient,
    db: Database,
    staff: Accounts,
    jobs: Jobs,
    smtp_server: SmtpServer,
    fixed_clock: FixedClock,
    settings: Settings,
) -> None:
    berlin = await log_in_all(client, await seed_client(db, "berlin", "DE", "BE"))
    await add_admin(db, berlin, "deputy")  # a second client admin: told too
    london = await seed_client(db, "london", "GB", "ENG")
    bystander = await log_in_all(client, await seed_client(db, "bystander", "DE", "BY"))

    incident = await record(
        client, staff, affected={"tenant_ids": [str(berlin.tenant_id), str(london.tenant_id)]}
    )
    await jobs.drain()

    told = [berlin.email("client_admin"), berlin.email("deputy"), london.email("client_admin")]
    assert recipients(smtp_server.received) == sorted(told)
    for message in smtp_server.received:
        assert "Personal data breach notice" in str(message["Subject"])
        text = body(message)
        assert "Backup bucket readable" in text
        link = f"{settings.public_url}/api/v1/breaches/{incident['id']}"
        assert f"The full record: {link}\n" in text  # a link, not an HTTP method and path
        assert f"POST {link}/acknowledge" in text
    for accounts, role in ((berlin, "client_admin"), (berlin, "deputy"), (london, "client_admin")):
        kinds = await notification_kinds(db, accounts.tenant_id, accounts.user_id(role))
        assert kinds == ["breach.reported"]
    for accounts in (berlin, london, bystander):
        for role in ("client_manager", "employee"):
            assert await notification_kinds(db, accounts.tenant_id, accounts.user_id(role)) == []
    assert (
        await notification_kinds(db, bystander.tenant_id, bystander.user_id("client_admin")) == []
    )

    detail = await client.get(
        f"/api/v1/platform/breaches/{incident['id']}", headers=staff.auth("platform_staff")
    )
    tenants = by_slug(detail.json())
    assert set(tenants) == {"berlin", "london"}
    assert (tenants["berlin"]["recipients"], tenants["london"]["recipients"]) == (2, 1)
    assert all(t["notified_at"] and t["notified_in_time"] for t in tenants.values())
    assert detail.json()["unnotified_count"] == 0

    bystander_view = await client.get("/api/v1/breaches", headers=bystander.auth("client_admin"))
    assert bystander_view.json() == {"items": [], "limit": 50, "offset": 0, "next_offset": None}
    events = await client.get(
        "/api/v1/audit-events",
        params={"action": "breach.notified"},
        headers=berlin.auth("client_admin"),
    )
    [event] = events.json()["items"]  # the notice is on the tenant's own chain
    assert (event["subject_id"], event["details"]) == (incident["id"], {"recipients": 2})


async def test_lost_notice_is_sent_by_the_reconciler_and_only_once(
    client: httpx.AsyncClient,
    db: Database,
    owner: asyncpg.Pool,
    staff: Accounts,
    idle_jobs: Jobs,
    smtp_server: SmtpServer,
) -> None:
    acme = await seed_client(db, "acme")
    await record(client, staff, affected={"tenant_ids": [str(acme.tenant_id)]})
    idle_jobs.broker.flush_all()  # the message is lost; the row is not
    async with owner.acquire() as conn, conn.transaction():
        await conn.execute("select set_config('app.scope', 'platform', true)")
        notice_id = await conn.fetchval(
            "update breach_notices set enqueued_at = now() - interval '1 hour' returning id"
        )

    reconcile_processor_notices.send()
    idle_jobs.start()
    await idle_jobs.drain()
    assert recipients(smtp_server.received) == [acme.email("client_admin")]

    send_breach_notice.send(str(acme.tenant_id), str(notice_id))  # a duplicate message
    reconcile_processor_notices.send()  # and a reconciler run: nothing is waiting now
    await idle_jobs.drain()
    assert len(smtp_server.received) == 1


async def test_incident_view_flags_unnotified_tenants_with_working_days_left(
    client: httpx.AsyncClient,
    db: Database,
    staff: Accounts,
    idle_jobs: Jobs,
    fixed_clock: FixedClock,
) -> None:
    assert fixed_clock.now() == AFTER_CHRISTMAS
    berlin = await seed_client(db, "berlin", "DE", "BE")
    london = await seed_client(db, "london", "GB", "ENG")
    # No client admin: nobody can be told, so the notice stays open.
    texas = await seed_client(db, "texas", "US", "TX", roles=("employee",))
    ids = [str(a.tenant_id) for a in (berlin, london, texas)]

    incident = await record(client, staff, affected={"tenant_ids": ids})

    # Discovered Wed 23 Dec 2026; the day of discovery is not counted.
    # Berlin: Dec 24, 28-31, Jan 4-5 -> due Tue 5 Jan; left after Mon 28 Dec: 29-31, 4-5 = 5.
    # England: Dec 28 is Boxing Day observed and Jan 1 a holiday -> due Wed 6 Jan; left 6.
    # Texas: Dec 24 is a state holiday -> due Wed 6 Jan; left after Dec 28: 29-31, 4-6 = 6.
    expected = {
        "berlin": ("2027-01-05", 5, "DE-BE"),
        "london": ("2027-01-06", 6, "GB-ENG"),
        "texas": ("2027-01-06", 6, "US-TX"),
    }
    tenants = by_slug(incident)
    assert {
        slug: (t["due_date"], t["working_days_left"], t["calendar"]) for slug, t in tenants.items()
    } == expected
    assert all(t["unnotified"] and not t["overdue"] for t in tenants.values())
    assert (incident["unnotified_count"], incident["earliest_due"]) == (3, "2027-01-05")
    assert incident["fewest_working_days_left"] == 5

    idle_jobs.start()
    await idle_jobs.drain()
    detail = await client.get(
        f"/api/v1/platform/breaches/{incident['id']}", headers=staff.auth("platform_staff")
    )
    tenants = by_slug(detail.json())
    assert [slug for slug, t in tenants.items() if t["unnotified"]] == ["texas"]
    assert tenants["berlin"]["working_days_left"] is None
    assert tenants["berlin"]["notified_in_time"] is True
    assert tenants["texas"]["working_days_left"] == 6

    fixed_clock.set(datetime(2027, 1, 6, 20, 0, tzinfo=UTC))  # the due day itself
    listed = await client.get("/api/v1/platform/breaches", headers=staff.auth("platform_admin"))
    [summary] = listed.json()["items"]
    assert [
        (t["tenant_slug"], t["working_days_left"], t["overdue"]) for t in summary["unnotified"]
    ] == [("texas", 0, False)]

    fixed_clock.set(datetime(2027, 1, 7, 0, 0, tzinfo=UTC))  # the day after: overdue
    listed = await client.get("/api/v1/platform/breaches", headers=staff.auth("platform_staff"))
    [summary] = listed.json()["items"]
    assert [
        (t["tenant_slug"], t["working_days_left"], t["overdue"]) for t in summary["unnotified"]
    ] == [("texas", -1, True)]
    assert (summary["tenant_count"], summary["unnotified_count"]) == (3, 1)


async def test_client_admin_sees_art_33_3_fields_and_acknowledges(
    client: httpx.AsyncClient, db: Database, staff: Accounts, idle_jobs: Jobs
) -> None:
    acme = await log_in_all(client, await seed_client(db, "acme", "DE", "BY"))
    incident = await record(client, staff, affected={"tenant_ids": [str(acme.tenant_id)]})
    admin = acme.auth("client_admin")

    [listed] = (await client.get("/api/v1/breaches", headers=admin)).json()["items"]
    view = (await client.get(f"/api/v1/breaches/{incident['id']}", headers=admin)).json()
    assert listed == view
    assert view["id"] == incident["id"]
    assert view["nature"] == report()["description"]
    for field in (
        "data_categories",
        "subject_categories",
        "approx_subjects",
        "approx_records",
        "likely_consequences",
        "measures_taken",
        "measures_proposed",
    ):
        assert view[field] == report()[field], field
    assert view["contact_point"]  # the processor's configured contact by default
    assert view["notice_due_date"] == "2027-01-05"
    assert view["acknowledged_at"] is None

    first = await client.post(f"/api/v1/breaches/{incident['id']}/acknowledge", headers=admin)
    again = await client.post(f"/api/v1/breaches/{incident['id']}/acknowledge", headers=admin)
    assert (first.status_code, again.status_code) == (200, 200)
    assert first.json()["acknowledged_at"] is not None
    assert again.json()["acknowledged_at"] == first.json()["acknowledged_at"]
    assert first.json()["acknowledged_by"] == str(acme.user_id("client_admin"))

    detail = await client.get(
        f"/api/v1/platform/breaches/{incident['id']}", headers=staff.auth("platform_staff")
    )
    [notice] = detail.json()["tenants"]
    assert notice["acknowledged_at"] == first.json()["acknowledged_at"]
    assert detail.json()["acknowledged_count"] == 1

    [event] = await audit_events(client, admin, "breach.acknowledged")
    assert (event["subject_id"], event["actor_role"]) == (incident["id"], "client_admin")
    [recorded] = await audit_events(client, staff.auth("platform_admin"), "breach.recorded")
    assert recorded["subject_id"] == incident["id"]
    assert recorded["details"]["tenants"] == 1


async def test_another_tenants_breach_is_not_found(
    client: httpx.AsyncClient, db: Database, staff: Accounts, idle_jobs: Jobs
) -> None:
    acme = await seed_client(db, "acme")
    globex = await log_in_all(client, await seed_client(db, "globex"))
    incident = await record(client, staff, affected={"tenant_ids": [str(acme.tenant_id)]})
    admin = globex.auth("client_admin")

    read = await client.get(f"/api/v1/breaches/{incident['id']}", headers=admin)
    ack = await client.post(f"/api/v1/breaches/{incident['id']}/acknowledge", headers=admin)
    unknown = await client.get(
        "/api/v1/platform/breaches/00000000-0000-4000-8000-000000000000",
        headers=staff.auth("platform_staff"),
    )
    assert (read.status_code, ack.status_code, unknown.status_code) == (404, 404, 404)
    assert (await client.get("/api/v1/breaches", headers=admin)).json()["items"] == []


async def test_affected_tenants_from_sub_processor_all_tenants_and_names(
    client: httpx.AsyncClient, db: Database, staff: Accounts, idle_jobs: Jobs
) -> None:
    acme = await log_in_all(client, await seed_client(db, "acme"))
    await seed_client(db, "globex", "FR")
    gone = await seed_client(db, "gone-co")
    paused = await seed_client(db, "paused-co", "AT")
    for accounts, status in ((gone, "deleted"), (paused, "suspended")):
        changed = await client.patch(
            f"/api/v1/platform/tenants/{accounts.tenant_id}",
            json={"status": status},
            headers=staff.auth("platform_admin"),
        )
        assert changed.status_code == 200
    added = await client.post(
        "/api/v1/platform/sub-processors",
        json={
            "name": "CloudStore",
            "purpose": "Backups",
            "location": "Frankfurt, Germany",
            "data_categories": ["all tenant data"],
        },
        headers=staff.auth("platform_admin"),
    )
    sub_processor_id = added.json()["sub_processor_id"]

    via_registry = await record(
        client,
        staff,
        affected={"sub_processor_ids": [sub_processor_id], "tenant_ids": [str(acme.tenant_id)]},
    )
    bases = {t["tenant_slug"]: t["basis"] for t in via_registry["tenants"]}
    # Every tenant not deleted uses every sub-processor; a tenant named outright says so.
    assert bases == {"acme": "named", "globex": "sub_processor", "paused-co": "sub_processor"}
    view = await client.get(
        f"/api/v1/breaches/{via_registry['id']}", headers=acme.auth("client_admin")
    )
    assert view.json()["affected_components"] == ["CloudStore"]

    everyone = await record(client, staff, affected={"all_tenants": True})
    assert {t["tenant_slug"]: t["basis"] for t in everyone["tenants"]} == {
        "acme": "all_tenants",
        "globex": "all_tenants",
        "paused-co": "all_tenants",
    }
    assert everyone["affected"] == {
        "all_tenants": True,
        "tenant_ids": [],
        "sub_processor_ids": [],
    }
    # France: Wed 23 Dec 2026 + 7 working days (Christmas Day and New Year's Day closed).
    assert by_slug(everyone)["globex"]["due_date"] == "2027-01-05"


@pytest.mark.parametrize(
    ("overrides", "status"),
    [
        ({"affected": {}}, 422),
        ({"affected": {"tenant_ids": ["00000000-0000-4000-8000-000000000000"]}}, 422),
        ({"affected": {"sub_processor_ids": ["00000000-0000-4000-8000-000000000000"]}}, 422),
        ({"affected": {"tenant_ids": ["not-a-uuid"]}}, 400),
        ({"affected": {"everyone": True}}, 400),
        ({"discovered_at": "2026-12-23T10:00:00"}, 400),
        ({"discovered_at": "2999-01-01T00:00:00Z"}, 422),
        ({"discovered_at": "yesterday"}, 400),
        ({"data_categories": []}, 400),
        ({"data_categories": ["  "]}, 400),
        ({"title": "Line one\nBcc: someone@example.test"}, 400),
        ({"title": ""}, 400),
        ({"approx_subjects": -1}, 400),
        ({"approx_records": 10**12}, 400),
        ({"measures_taken": None}, 400),
        ({"severity": "high"}, 400),
    ],
    ids=[
        "nothing-affected",
        "unknown-tenant",
        "unknown-sub-processor",
        "bad-uuid",
        "unknown-affected-key",
        "naive-time",
        "future",
        "not-a-time",
        "no-categories",
        "blank-category",
        "title-newline",
        "empty-title",
        "negative-count",
        "huge-count",
        "missing-measures",
        "unknown-field",
    ],
)
async def test_bad_breach_input_is_a_client_error(
    client: httpx.AsyncClient,
    db: Database,
    staff: Accounts,
    overrides: dict[str, Any],
    status: int,
) -> None:
    acme = await seed_client(db, "acme")
    body_ = report(affected={"tenant_ids": [str(acme.tenant_id)]})
    body_.update(overrides)
    if body_.get("measures_taken") is None:
        body_.pop("measures_taken")
    response = await client.post(
        "/api/v1/platform/breaches", json=body_, headers=staff.auth("platform_staff")
    )
    assert response.status_code == status, response.text
    assert response.json()["status"] == status


async def test_malformed_json_is_a_client_error(
    client: httpx.AsyncClient, db: Database, staff: Accounts
) -> None:
    response = await client.post(
        "/api/v1/platform/breaches",
        content=b"{not json",
        headers={**staff.auth("platform_staff"), "Content-Type": "application/json"},
    )
    assert response.status_code == 400
