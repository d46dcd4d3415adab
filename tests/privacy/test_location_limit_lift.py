"""Lifting the location limit an upheld objection set (docs/privacy-requests.md,
"Objections"): a client admin lifts it with a reason, over the API or from the employee's
page; it is audited, the person is told (mail, app, the objection's timeline, their home
page) and clocks under the tenant's mode again."""

from __future__ import annotations

import httpx

from tests.accounts import Accounts
from tests.fixtures.jobs import Jobs
from tests.jobs.smtp_server import SmtpServer, body
from tests.privacy.companies import to
from tests.privacy.test_objections import clock_in_at_hq, decide, employee, object_to
from tests.web.pages import page_client, sign_in, submit
from tests.workforce.seed import Workforce, seed_workforce, set_location_mode

REASON = "You withdrew your objection on 3 December."


def lift_path(workforce: Workforce) -> str:
    return f"/api/v1/employees/{workforce.employees['employee']}/location-limit-lift"


async def limited(client: httpx.AsyncClient, ours: Workforce) -> str:
    """The employee's upheld objection to location (precise mode: geofence only now)."""
    await set_location_mode(client, ours, "precise", 7)
    filed = await object_to(client, ours, "location")
    await decide(client, ours, filed["id"], "flags")
    assert (await employee(client, ours))["location_limit"] == "geofence"
    return str(filed["id"])


async def test_an_admin_lifts_the_limit_and_the_employee_is_told(
    client: httpx.AsyncClient,
    acme: Accounts,
    bravo: Accounts,
    live_server: str,
    jobs: Jobs,
    smtp_server: SmtpServer,
) -> None:
    ours = await seed_workforce(client, acme)
    theirs = await seed_workforce(client, bravo)
    nothing = await client.post(lift_path(ours), json={"reason": REASON}, headers=ours.admin)
    assert nothing.status_code == 409 and nothing.json()["reason"] == "no_location_limit"
    request_id = await limited(client, ours)

    assert (
        await client.post(lift_path(ours), json={"reason": REASON}, headers=ours.manager)
    ).status_code == 403
    assert (
        await client.post(lift_path(ours), json={"reason": REASON}, headers=theirs.admin)
    ).status_code == 404
    blank = await client.post(lift_path(ours), json={"reason": "  "}, headers=ours.admin)
    assert blank.status_code == 400
    assert (await employee(client, ours))["location_limit"] == "geofence"  # nothing changed

    lifted = await client.post(lift_path(ours), json={"reason": REASON}, headers=ours.admin)
    assert lifted.status_code == 200, lifted.text
    assert lifted.json()["location_limit"] is None
    assert lifted.json()["location_limit_lifted_at"] is not None
    again = await client.post(lift_path(ours), json={"reason": REASON}, headers=ours.admin)
    assert again.status_code == 409

    located = await clock_in_at_hq(client, ours, "employee")
    assert located["status"] == "precise"  # the tenant's mode applies to them again

    audit = await client.get(
        "/api/v1/audit-events",
        params={"subject_id": str(ours.employees["employee"])},
        headers=ours.admin,
    )
    [entry] = [e for e in audit.json()["items"] if e["action"] == "employee.location_limit_lifted"]
    assert entry["details"] == {"from": "geofence"}  # no free text in the audit log
    timeline = await client.get(f"/api/v1/me/privacy-requests/{request_id}", headers=ours.employee)
    assert any(REASON in m["text"] for m in timeline.json()["messages"])

    await jobs.drain()
    mails = [
        body(m)
        for m in to(smtp_server.received, acme.email("employee"))
        if "the limit on your location is lifted" in str(m["Subject"])
    ]
    assert len(mails) == 1 and REASON in mails[0]
    async with page_client(live_server) as browser:
        await sign_in(browser, acme.email("employee"), "acme")
        home = await browser.get("/home")
        assert 'data-testid="location-limit-lifted"' in home.text
        assert 'data-testid="location-objection"' not in home.text


async def test_the_admin_lifts_it_from_the_employee_page(
    client: httpx.AsyncClient, acme: Accounts, live_server: str
) -> None:
    ours = await seed_workforce(client, acme)
    await limited(client, ours)
    page = f"/admin/employees/{ours.employees['employee']}"
    async with page_client(live_server) as browser:
        await sign_in(browser, acme.email("client_admin"), "acme")
        shown = await browser.get(page)
        assert 'data-testid="location-limit"' in shown.text
        empty = await submit(browser, page, f"{page}/location-limit-lift", {"reason": ""})
        assert empty.status_code == 400 and "text/html" in empty.headers["content-type"]
        done = await submit(browser, page, f"{page}/location-limit-lift", {"reason": REASON})
        assert done.status_code == 303, done.text
        after = await browser.get(page)
        assert 'data-testid="location-limit"' not in after.text
    assert (await employee(client, ours))["location_limit"] is None
