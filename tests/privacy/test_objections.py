"""Objections with effect over HTTP, with a real SMTP server and the pages
(docs/privacy-requests.md, "Objections"): an objection names what it is against; upheld,
it switches exactly that (location: the employee clocks with less location from then on,
told by mail and on their home page); continued on compelling grounds, the person is
told the grounds."""

from __future__ import annotations

from typing import Any

import httpx

from tests.accounts import Accounts
from tests.fixtures.jobs import Jobs
from tests.jobs.smtp_server import SmtpServer, body
from tests.privacy.companies import to
from tests.web.pages import page_client, sign_in
from tests.workforce.seed import AT_HQ, Workforce, seed_workforce, set_location_mode

MINE = "/api/v1/me/privacy-requests"


async def object_to(
    client: httpx.AsyncClient, workforce: Workforce, target: str, expect: int = 201
) -> dict[str, Any]:
    filed = await client.post(
        MINE,
        json={"request_type": "objection", "objection_target": target},
        headers=workforce.employee,
    )
    assert filed.status_code == expect, filed.text
    result: dict[str, Any] = filed.json()
    return result


async def decide(
    client: httpx.AsyncClient, workforce: Workforce, request_id: str, action: str, **json: Any
) -> dict[str, Any]:
    response = await client.post(
        f"/api/v1/privacy-requests/{request_id}/{action}", json=json, headers=workforce.admin
    )
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def clock_in_at_hq(client: httpx.AsyncClient, workforce: Workforce, role: str) -> Any:
    body_ = {"site_id": str(workforce.sites["hq"]), "location": AT_HQ}
    response = await client.post("/api/v1/clock/in", json=body_, headers=workforce.auth(role))
    assert response.status_code == 201, response.text
    return response.json()["location"]


async def employee(client: httpx.AsyncClient, workforce: Workforce) -> Any:
    response = await client.get(
        f"/api/v1/employees/{workforce.employees['employee']}", headers=workforce.admin
    )
    return response.json()


async def test_an_upheld_objection_to_location_limits_that_employee_only(
    client: httpx.AsyncClient,
    acme: Accounts,
    live_server: str,
    jobs: Jobs,
    smtp_server: SmtpServer,
) -> None:
    ours = await seed_workforce(client, acme)
    await set_location_mode(client, ours, "precise", 7)
    wrong = await client.post(
        MINE,
        json={"request_type": "access", "objection_target": "location"},
        headers=ours.employee,
    )
    assert wrong.status_code == 422
    unknown = await client.post(
        MINE,
        json={"request_type": "objection", "objection_target": "weather"},
        headers=ours.employee,
    )
    assert unknown.status_code == 400
    earlier = await clock_in_at_hq(client, ours, "employee")
    assert earlier["status"] == "precise"
    out = await client.post("/api/v1/clock/out", json={"location": AT_HQ}, headers=ours.employee)
    assert out.status_code == 201, out.text
    filed = await object_to(client, ours, "location")
    assert filed["objection_target"] == "location"
    admin_view = await client.get(f"/api/v1/privacy-requests/{filed['id']}", headers=ours.admin)
    assert admin_view.json()["objection_target"] == "location"

    upheld = await decide(client, ours, filed["id"], "flags")
    assert upheld["fulfilment"]["report"] == {"flags": {"location_limit": "geofence"}}
    record = await employee(client, ours)
    assert record["directory_excluded"] is False  # only what the objection named
    kept = await client.get("/api/v1/me/clock-events", headers=ours.employee)
    assert {e["location"]["status"] for e in kept.json()["items"]} == {"reduced"}

    mine = await clock_in_at_hq(client, ours, "employee")
    assert mine["status"] == "geofence" and mine["on_site"] is True
    assert mine.get("coordinates") is None
    colleague = await clock_in_at_hq(client, ours, "client_manager")
    assert colleague["status"] == "precise"  # the tenant's mode for everyone else

    await jobs.drain()
    mails = [body(m) for m in to(smtp_server.received, acme.email("employee"))]
    assert any("Your location is no longer kept when you clock in or out" in m for m in mails)
    async with page_client(live_server) as browser:
        await sign_in(browser, acme.email("employee"), "acme")
        home = await browser.get("/home")
        assert 'data-testid="location-objection"' in home.text
        assert "only that yes/no answer" in home.text  # the geofence text, not precise
        request_page = await browser.get("/my/privacy-requests")
        assert 'name="objection_target"' in request_page.text
    async with page_client(live_server, "127.0.0.2") as browser:
        await sign_in(browser, acme.email("client_manager"), "acme")
        home = await browser.get("/home")
        assert 'data-testid="location-objection"' not in home.text
        assert "for at most 7 days" in home.text

    # Under the geofence mode, an upheld objection leaves no location at all.
    await decide(client, ours, filed["id"], "completion")
    await set_location_mode(client, ours, "geofence")
    again = await object_to(client, ours, "location")
    assert again["id"] != filed["id"]
    stricter = await decide(client, ours, again["id"], "flags")
    assert stricter["fulfilment"]["report"] == {"flags": {"location_limit": "off"}}
    out = await client.post("/api/v1/clock/out", json={"location": AT_HQ}, headers=ours.employee)
    assert out.status_code == 201, out.text
    assert out.json()["location"]["status"] == "not_collected"


async def test_a_targeted_objection_and_one_continued_on_compelling_grounds(
    client: httpx.AsyncClient, acme: Accounts, jobs: Jobs, smtp_server: SmtpServer
) -> None:
    ours = await seed_workforce(client, acme)
    opted_in = await client.patch(
        f"/api/v1/employees/{ours.employees['employee']}",
        json={"marketing_opt_in": True},
        headers=ours.admin,
    )
    assert opted_in.status_code == 200
    directory = await object_to(client, ours, "directory")
    marketing = await object_to(client, ours, "marketing")  # another target: its own request
    assert marketing["id"] != directory["id"]
    repeat = await object_to(client, ours, "directory", expect=200)  # the same: joins
    assert repeat["id"] == directory["id"]

    await decide(client, ours, directory["id"], "flags")
    record = await employee(client, ours)
    assert (record["directory_excluded"], record["marketing_opt_in"]) == (True, True)

    grounds = "Payroll law requires the newsletter about pension changes."
    refused = await decide(client, ours, marketing["id"], "refusal", reason=grounds)
    assert refused["status"] == "refused"
    assert (await employee(client, ours))["marketing_opt_in"] is True
    mine = await client.get(f"{MINE}/{marketing['id']}", headers=ours.employee)
    assert any(
        "continues the processing you objected to" in m["text"] and grounds in m["text"]
        for m in mine.json()["messages"]
    )
    await jobs.drain()
    told = [
        body(m)
        for m in to(smtp_server.received, acme.email("employee"))
        if "refused" in str(m["Subject"])
    ]
    assert len(told) == 1
    assert "compelling" in told[0] and grounds in told[0] and "GDPR Art. 21(1)" in told[0]
    assert "You are hidden from the company directory." in "".join(
        body(m) for m in to(smtp_server.received, acme.email("employee"))
    )
