"""The sub-processor registry over HTTP: public and versioned, every change announced to
every active client by e-mail and in the app, objections within the window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.accountability.support import audit_events
from tests.accounts import Accounts, log_in_all
from tests.clients import add_admin, notification_kinds, seed_client
from tests.fixtures.clock import FixedClock
from tests.fixtures.jobs import Jobs
from tests.jobs.smtp_server import SmtpServer, body, recipients
from timeward.config import Settings
from timeward.db.session import Database

REGISTRY = "/api/v1/sub-processors"
MANAGE = "/api/v1/platform/sub-processors"


def mailer(**overrides: Any) -> dict[str, Any]:
    return {
        "name": "PostHaste Mail",
        "purpose": "Delivery of service e-mail",
        "location": "Dublin, Ireland",
        "data_categories": ["e-mail addresses", "message text"],
        **overrides,
    }


async def add(client: httpx.AsyncClient, staff: Accounts, **overrides: Any) -> dict[str, Any]:
    response = await client.post(
        MANAGE, json=mailer(**overrides), headers=staff.auth("platform_admin")
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def change(
    client: httpx.AsyncClient, staff: Accounts, sub_processor_id: str, **fields: Any
) -> dict[str, Any]:
    response = await client.patch(
        f"{MANAGE}/{sub_processor_id}", json=fields, headers=staff.auth("platform_admin")
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


async def object_to(
    client: httpx.AsyncClient, accounts: Accounts, change_id: str, reason: str = "Not in the US."
) -> httpx.Response:
    return await client.post(
        f"{REGISTRY}/changes/{change_id}/objections",
        json={"reason": reason},
        headers=accounts.auth("client_admin"),
    )


async def test_registry_is_public_and_versioned(
    client: httpx.AsyncClient, db: Database, staff: Accounts
) -> None:
    empty = await client.get(REGISTRY)  # no token at all
    assert empty.status_code == 200
    assert empty.json() == {
        "version": 0,
        "published_at": None,
        "sub_processors": [],
        "changes": [],
    }

    first = await add(client, staff)
    second = await add(
        client,
        staff,
        name="Nimbus Compute",
        purpose="Hosting",
        location="Virginia, USA",
        data_categories=["all service data"],
        transfer_safeguard="EU-US Data Privacy Framework; SCCs 2021/914 module 3",
    )
    moved = await change(client, staff, first["sub_processor_id"], location="Frankfurt, Germany")
    removed = await change(client, staff, second["sub_processor_id"], status="removed")
    assert [first["version"], second["version"], moved["version"], removed["version"]] == [
        1,
        2,
        3,
        4,
    ]
    assert (moved["kind"], removed["kind"]) == ("changed", "removed")
    assert moved["previous"]["location"] == "Dublin, Ireland"
    assert moved["entry"]["location"] == "Frankfurt, Germany"

    now = (await client.get(REGISTRY)).json()
    assert now["version"] == 4
    assert [(s["name"], s["location"], s["since_version"]) for s in now["sub_processors"]] == [
        ("PostHaste Mail", "Frankfurt, Germany", 3)
    ]
    assert [c["version"] for c in now["changes"]] == [4, 3, 2, 1]
    assert all(c["objection_open"] for c in now["changes"])

    then = (await client.get(REGISTRY, params={"version": 2})).json()
    assert then["version"] == 2
    assert [(s["name"], s["location"]) for s in then["sub_processors"]] == [
        ("Nimbus Compute", "Virginia, USA"),
        ("PostHaste Mail", "Dublin, Ireland"),
    ]
    assert [c["version"] for c in then["changes"]] == [2, 1]

    assert (await client.get(REGISTRY, params={"version": 5})).status_code == 404
    assert (await client.get(REGISTRY, params={"version": 0})).json()["sub_processors"] == []
    assert (await client.get(REGISTRY, params={"version": -1})).status_code == 400
    assert (await client.get(REGISTRY, params={"version": "latest"})).status_code == 400

    [event] = await audit_events(client, staff.auth("platform_staff"), "sub_processor.changed")
    assert event["subject_id"] == first["sub_processor_id"]
    assert event["details"]["version"] == 3


async def test_change_notifies_every_client_admin_of_every_active_tenant(
    client: httpx.AsyncClient,
    db: Database,
    staff: Accounts,
    jobs: Jobs,
    smtp_server: SmtpServer,
    settings: Settings,
) -> None:
    alpha = await seed_client(db, "alpha")
    await add_admin(db, alpha, "deputy")
    bravo = await seed_client(db, "bravo", "FR")
    paused = await seed_client(db, "paused-co")
    suspended = await client.patch(
        f"/api/v1/platform/tenants/{paused.tenant_id}",
        json={"status": "suspended"},
        headers=staff.auth("platform_admin"),
    )
    assert suspended.status_code == 200

    added = await add(client, staff, objection_days=14)
    await jobs.drain()

    assert added["announced_to_tenants"] == 2
    told = [alpha.email("client_admin"), alpha.email("deputy"), bravo.email("client_admin")]
    # the employee notices list the recipients: their new versions are mailed too
    # (docs/accountability.md, "Notice versions"); this test reads the registry's mails
    received = [m for m in smtp_server.received if "privacy notice" not in m["Subject"]]
    assert recipients(received) == sorted(told)
    message = received[0]
    assert "PostHaste Mail" in str(message["Subject"])
    text = body(message)
    registry = f"{settings.public_url}/api/v1/sub-processors"
    assert f"POST {registry}/changes/{added['id']}/objections" in text
    assert f"The full registry: {registry}\n" in text
    deadline = datetime.fromisoformat(added["objection_deadline"])
    assert deadline - datetime.fromisoformat(added["announced_at"]) == timedelta(days=14)
    assert f"You may object to this change until {deadline:%Y-%m-%d %H:%M} UTC" in text

    for accounts, role in ((alpha, "client_admin"), (alpha, "deputy"), (bravo, "client_admin")):
        kinds = await notification_kinds(db, accounts.tenant_id, accounts.user_id(role))
        assert kinds == ["subprocessor.changed"]
    for accounts, role in (
        (alpha, "employee"),
        (bravo, "client_manager"),
        (paused, "client_admin"),
    ):
        assert await notification_kinds(db, accounts.tenant_id, accounts.user_id(role)) == []

    renamed = await change(client, staff, added["sub_processor_id"], name="PostHaste Mail EU")
    await jobs.drain()
    assert renamed["announced_to_tenants"] == 2
    received = [m for m in smtp_server.received if "privacy notice" not in m["Subject"]]
    assert len(received) == 6  # every change is announced again
    latest = body(received[-1])
    assert "Name: PostHaste Mail EU (was: PostHaste Mail)" in latest


async def test_objection_is_recorded_and_visible_to_platform_staff(
    client: httpx.AsyncClient, db: Database, staff: Accounts
) -> None:
    alpha = await log_in_all(client, await seed_client(db, "alpha"))
    bravo = await log_in_all(client, await seed_client(db, "bravo"))
    first = await add(client, staff)
    second = await change(client, staff, first["sub_processor_id"], location="Ohio, USA")

    objection = await object_to(client, alpha, second["id"], "We promised our staff EU hosting.")
    assert objection.status_code == 201, objection.text
    assert objection.json()["version"] == 2
    again = await object_to(client, alpha, second["id"])
    assert again.status_code == 409
    assert (await object_to(client, bravo, first["id"])).status_code == 201

    listed = await client.get(
        "/api/v1/platform/sub-processors/objections", headers=staff.auth("platform_staff")
    )
    assert listed.status_code == 200
    rows = {(o["tenant_slug"], o["version"]): o for o in listed.json()["items"]}
    assert set(rows) == {("alpha", 2), ("bravo", 1)}
    assert rows[("alpha", 2)]["reason"] == "We promised our staff EU hosting."
    assert rows[("alpha", 2)]["sub_processor"] == "PostHaste Mail"
    assert rows[("alpha", 2)]["objected_by"] == str(alpha.user_id("client_admin"))
    only = await client.get(
        "/api/v1/platform/sub-processors/objections",
        params={"change_id": second["id"]},
        headers=staff.auth("platform_admin"),
    )
    assert [o["tenant_slug"] for o in only.json()["items"]] == ["alpha"]

    [event] = await audit_events(client, alpha.auth("client_admin"), "sub_processor.objected")
    assert (event["subject_id"], event["details"]["version"]) == (second["id"], 2)


async def test_objection_after_the_window_closes_is_a_conflict(
    client: httpx.AsyncClient, db: Database, staff: Accounts, fixed_clock: FixedClock
) -> None:
    fixed_clock.set(datetime(2027, 3, 1, 12, 0, tzinfo=UTC))
    alpha = await log_in_all(client, await seed_client(db, "alpha"))
    default_window = await add(client, staff)
    short_window = await add(client, staff, name="Quick Fax", objection_days=1)
    assert default_window["objection_deadline"].startswith("2027-03-31T12:00:00")  # 30 days
    assert short_window["objection_deadline"].startswith("2027-03-02T12:00:00")

    fixed_clock.set(datetime(2027, 3, 2, 12, 0, tzinfo=UTC))  # the exact end of the window
    late = await object_to(client, alpha, short_window["id"])
    assert late.status_code == 409
    assert late.json()["objection_deadline"].startswith("2027-03-02T12:00:00")
    in_time = await object_to(client, alpha, default_window["id"])
    assert in_time.status_code == 201
    registry = (await client.get(REGISTRY)).json()
    assert {c["id"]: c["objection_open"] for c in registry["changes"]} == {
        default_window["id"]: True,
        short_window["id"]: False,
    }

    unknown = await object_to(client, alpha, "00000000-0000-4000-8000-000000000000")
    assert unknown.status_code == 404


@pytest.mark.parametrize(
    ("overrides", "status"),
    [
        ({"name": ""}, 400),
        ({"name": "Two\nlines"}, 400),
        ({"data_categories": []}, 400),
        ({"data_categories": "e-mail"}, 400),
        ({"objection_days": 0}, 400),
        ({"objection_days": 1000}, 400),
        ({"transfer_safeguard": ""}, 400),
        ({"purpose": None}, 400),
        ({"owner": "someone"}, 400),
    ],
    ids=[
        "empty-name",
        "newline-name",
        "no-categories",
        "categories-not-a-list",
        "zero-window",
        "huge-window",
        "blank-safeguard",
        "missing-purpose",
        "unknown-field",
    ],
)
async def test_bad_registry_input_is_a_client_error(
    client: httpx.AsyncClient,
    db: Database,
    staff: Accounts,
    overrides: dict[str, Any],
    status: int,
) -> None:
    body_ = {**mailer(), **overrides}
    if body_.get("purpose") is None:
        body_.pop("purpose")
    response = await client.post(MANAGE, json=body_, headers=staff.auth("platform_admin"))
    assert response.status_code == status, response.text


async def test_registry_conflicts_and_no_op_changes(
    client: httpx.AsyncClient, db: Database, staff: Accounts
) -> None:
    alpha = await log_in_all(client, await seed_client(db, "alpha"))
    first = await add(client, staff)
    other = await add(client, staff, name="Nimbus Compute")
    admin = staff.auth("platform_admin")
    duplicate = await client.post(MANAGE, json=mailer(name="posthaste MAIL"), headers=admin)
    renamed_onto = await client.patch(
        f"{MANAGE}/{other['sub_processor_id']}", json={"name": "PostHaste Mail"}, headers=admin
    )
    no_op = await client.patch(
        f"{MANAGE}/{first['sub_processor_id']}", json={"location": "Dublin, Ireland"}, headers=admin
    )
    unknown = await client.patch(
        f"{MANAGE}/00000000-0000-4000-8000-000000000000", json={"purpose": "x"}, headers=admin
    )
    bad_status = await client.patch(
        f"{MANAGE}/{first['sub_processor_id']}", json={"status": "paused"}, headers=admin
    )
    short_reason = await object_to(client, alpha, first["id"], "no")
    assert [
        r.status_code for r in (duplicate, renamed_onto, no_op, unknown, bad_status, short_reason)
    ] == [409, 409, 422, 404, 400, 400]
    assert (await client.get(REGISTRY)).json()["version"] == 2  # nothing half-written
