"""The JSON API twins the console needed: the export preview agrees with the export the
job builds, the erasure preview with the erasure the job runs (and changes nothing),
lifting a restriction tells the person first and is refused when nothing is restricted,
the queue filters by type, and the identity note reaches the requester's timeline; the
demo seeds the queue in every colour, once."""

from __future__ import annotations

from typing import Any

import httpx

from tests.accounts import token_pair
from tests.fixtures.jobs import Jobs
from tests.privacy.companies import (
    act,
    admin_view,
    file_request,
    my_view,
    notification_titles,
    seed_company,
    working_life,
)
from tests.web.admin.requests_helpers import queue_items
from timeward.db.session import Database
from timeward.demo import seed_demo
from timeward.identity.service import tenant_by_slug
from timeward.services import Services

# The step that starts the job adds its own timeline entry, audit event, mail and
# notification after the preview was taken: those tables grow by it, the others agree.
GROW_BY_THE_STEP = {"audit_events", "privacy_request_events", "outbound_emails", "notifications"}


def _settled(tables: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in tables.items() if name not in GROW_BY_THE_STEP}


async def test_requests_the_export_preview_is_what_the_export_holds(
    client: httpx.AsyncClient, db: Database, jobs: Jobs
) -> None:
    acme = await seed_company(db, client, "acme")
    await working_life(client, acme)
    filed = await file_request(client, acme, "portability")
    path = f"/api/v1/privacy-requests/{filed['id']}/export-preview"
    preview = (await client.get(path, headers=acme.admin)).json()
    counts = {t["table"]: t["rows"] for t in preview["tables"]}
    assert counts["employees"] == 1 and counts["clock_events"] == 2 and counts["time_entries"] == 1
    assert preview["total_rows"] == sum(counts.values())
    await act(client, acme, filed["id"], "export", expect=202)
    await jobs.drain()
    built = (await admin_view(client, acme, filed["id"]))["fulfilment"]["report"]["tables"]
    assert _settled(built) == _settled(counts)
    wrong = await client.get(
        f"/api/v1/privacy-requests/{(await file_request(client, acme, 'erasure'))['id']}"
        "/export-preview",
        headers=acme.admin,
    )
    assert (wrong.status_code, wrong.json()["reason"]) == (409, "wrong_request_type")


async def test_requests_the_erasure_preview_is_what_the_erasure_does_and_changes_nothing(
    client: httpx.AsyncClient, db: Database, jobs: Jobs
) -> None:
    acme = await seed_company(db, client, "acme")
    await working_life(client, acme)
    filed = await file_request(client, acme, "erasure")
    path = f"/api/v1/privacy-requests/{filed['id']}/erasure-preview"
    first = (await client.get(path, headers=acme.admin)).json()["report"]
    second = (await client.get(path, headers=acme.admin)).json()["report"]
    assert first == second  # nothing was changed by looking
    employee = await client.get(
        f"/api/v1/employees/{acme.employees['employee']}", headers=acme.admin
    )
    assert employee.json()["name"] == acme.people["employee"].name
    tables = {t["table"]: t for t in first["tables"]}
    assert tables["employees"]["anonymised"] == 1 and tables["memberships"]["removed"] == 1
    assert tables["time_entries"]["retained"] == 1 and tables["time_entries"]["basis"]
    assert first["locations_destroyed"] == 2 and first["login_account"] != "none"
    await act(client, acme, filed["id"], "erasure", expect=202)
    await jobs.drain()
    report = (await admin_view(client, acme, filed["id"]))["fulfilment"]["report"]
    done = {t["table"]: t for t in report["tables"]}
    assert _settled(done) == _settled(tables) and report["bases"] == first["bases"]
    again = await client.get(path, headers=acme.admin)
    assert (again.status_code, again.json()["reason"]) == (409, "already_fulfilled")


async def test_requests_lifting_a_restriction_tells_the_person_first(
    client: httpx.AsyncClient, db: Database
) -> None:
    acme = await seed_company(db, client, "acme")
    filed = await file_request(client, acme, "restriction")
    lift = f"/api/v1/privacy-requests/{filed['id']}/restriction-lift"
    early = await client.post(lift, json={"reason": "done"}, headers=acme.admin)
    assert (early.status_code, early.json()["reason"]) == (409, "not_restricted")
    await act(client, acme, filed["id"], "flags")
    await act(client, acme, filed["id"], "completion", {})
    blank = await client.post(lift, json={"reason": " "}, headers=acme.admin)
    assert blank.status_code == 400
    lifted = await client.post(lift, json={"reason": "Checked."}, headers=acme.admin)
    assert lifted.status_code == 200, lifted.text
    view = lifted.json()
    assert view["status"] == "completed"
    assert [e["action"] for e in view["events"]][-1] == "restriction_lifted"
    record = await client.get(f"/api/v1/employees/{acme.employees['employee']}", headers=acme.admin)
    assert record.json()["processing_restricted"] is False
    mine = await my_view(client, acme, filed["id"])
    assert mine["messages"][-1]["text"] == "The restriction is lifted. The reason: Checked."
    titles = await notification_titles(db, acme.tenant_id, acme.accounts.user_id("employee"))
    assert any("the restriction is being lifted" in t for t in titles)
    twice = await client.post(lift, json={"reason": "again"}, headers=acme.admin)
    assert (twice.status_code, twice.json()["reason"]) == (409, "not_restricted")


async def test_requests_the_identity_note_reaches_the_timeline(
    client: httpx.AsyncClient, db: Database, jobs: Jobs
) -> None:
    acme = await seed_company(db, client, "acme")
    response = await client.post(
        "/api/v1/public/privacy-requests",
        json={"email": acme.people["employee"].email, "text": "Who holds what?"},
    )
    assert response.status_code == 202
    await jobs.drain()  # the intake is matched to the employer by a job
    [item] = await queue_items(client, acme, type="access")
    assert item["status"] == "identity_pending"
    verified = await act(
        client,
        acme,
        item["id"],
        "identity",
        {"method": "id_document", "note": "Passport seen at the front desk."},
    )
    assert verified["events"][-1]["message"] == (
        "Your identity was confirmed (id document). Passport seen at the front desk."
    )
    assert await queue_items(client, acme, type="erasure") == []


async def test_requests_the_demo_queue_shows_every_colour_once(
    client: httpx.AsyncClient, db: Database, services: Services
) -> None:
    await seed_demo(db, "demo-password-for-tests", data_keys=services.data_keys)
    await seed_demo(db, "demo-password-for-tests", data_keys=services.data_keys)
    tenant = await tenant_by_slug(db, "demo")
    assert tenant is not None
    token = await token_pair(client, "admin@demo.timeward.test", "demo", "demo-password-for-tests")
    assert token.status_code == 200, token.text
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    queue = await client.get("/api/v1/privacy-requests?open=true", headers=headers)
    items = queue.json()["items"]
    lights = [i["deadline"]["traffic_light"] for i in items]
    assert lights == ["red", "red", "amber", "amber", "green", "green"]
    assert items[0]["deadline"]["overdue"] is True
    assert {i["channel"] for i in items} == {"app", "public"}
