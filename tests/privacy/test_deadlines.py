"""Deadlines over HTTP on real dates: the earlier of one calendar month and 30 days (the
jurisdiction's rule from policies/deadlines.toml), extensions with a reason before the
original date and within two further months, the traffic light, and the daily flag of
overdue requests to the client admins."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from tenants.privacy_requests.jobs import flag_overdue_privacy_requests
from tests.fixtures.clock import FixedClock
from tests.fixtures.jobs import Jobs
from tests.jobs.smtp_server import SmtpServer, body
from tests.privacy.companies import (
    act,
    admin_view,
    file_request,
    my_view,
    notification_titles,
    seed_company,
    to,
)
from timeward.db.session import Database

ROLES = ("client_admin", "employee")


@pytest.mark.parametrize(
    ("received", "country", "subdivision", "due"),
    [
        # one month = 15 Feb, 30 days = 14 Feb: the earlier
        ("2027-01-15T09:00:00+00:00", "DE", "BE", "2027-02-14"),
        # 31 Jan + one month = 28 Feb (clamped); 30 days = 2 Mar
        ("2027-01-31T09:00:00+00:00", "DE", "BE", "2027-02-28"),
        # leap year: 29 Feb 2028; 30 days = 1 Mar
        ("2028-01-31T09:00:00+00:00", "DE", None, "2028-02-29"),
        # 1 Feb + one month = 1 Mar; 30 days = 3 Mar
        ("2027-02-01T09:00:00+00:00", "GB", "ENG", "2027-03-01"),
        # the day of receipt is a UTC day (tenants have no timezone yet)
        ("2027-01-31T23:30:00+00:00", "DE", "BY", "2027-02-28"),
        # another law is a data change: California, 45 days (Cal. Civ. Code 1798.130)
        ("2027-01-15T09:00:00+00:00", "US", "CA", "2027-03-01"),
        # a state without a rule of its own falls back to the default (GDPR-like) rule
        ("2027-01-15T09:00:00+00:00", "US", "TX", "2027-02-14"),
    ],
)
async def test_due_dates(
    client: httpx.AsyncClient,
    db: Database,
    idle_jobs: Jobs,
    fixed_clock: FixedClock,
    received: str,
    country: str,
    subdivision: str | None,
    due: str,
) -> None:
    fixed_clock.set(datetime.fromisoformat(received))
    company = await seed_company(db, client, "acme", country, subdivision, roles=ROLES)
    filed = await file_request(client, company, "access")
    assert (filed["due_date"], filed["original_due_date"]) == (due, due)


async def test_extension_rules(
    client: httpx.AsyncClient,
    db: Database,
    jobs: Jobs,
    smtp_server: SmtpServer,
    fixed_clock: FixedClock,
) -> None:
    fixed_clock.set(datetime(2027, 1, 31, 10, 0, tzinfo=UTC))
    acme = await seed_company(db, client, "acme", "DE", "BE", roles=ROLES)
    filed = await file_request(client, acme, "access")
    rid = filed["id"]
    view = await admin_view(client, acme, rid)
    assert view["deadline"]["due_date"] == "2027-02-28"
    assert view["deadline"]["latest_extension_date"] == "2027-04-28"  # two further months

    fixed_clock.set(datetime(2027, 2, 20, 10, 0, tzinfo=UTC))
    for payload in ({"due_date": "2027-03-31"}, {"due_date": "2027-03-31", "reason": "  "}):
        await act(client, acme, rid, "extension", payload, expect=400)
    reason = "Your records are spread over three payroll systems."
    too_long = await act(
        client, acme, rid, "extension", {"due_date": "2027-04-29", "reason": reason}, expect=422
    )
    assert too_long["reason"] == "extension_too_long"
    earlier = await act(
        client, acme, rid, "extension", {"due_date": "2027-02-27", "reason": reason}, expect=422
    )
    assert earlier["reason"] == "not_later_than_current_due"

    extended = await act(
        client, acme, rid, "extension", {"due_date": "2027-03-31", "reason": reason}
    )
    assert extended["status"] == "extended"
    assert (extended["deadline"]["due_date"], extended["extension_reason"]) == (
        "2027-03-31",
        reason,
    )
    assert extended["deadline"]["original_due_date"] == "2027-02-28"
    mine = await my_view(client, acme, rid)
    assert (mine["due_date"], mine["extension_reason"]) == ("2027-03-31", reason)
    assert any(reason in m["text"] and "2027-03-31" in m["text"] for m in mine["messages"])
    await jobs.drain()
    [told] = [
        m
        for m in to(smtp_server.received, acme.people["employee"].email)
        if "more time" in str(m["Subject"])
    ]
    assert reason in body(told) and "31 March 2027" in body(told)

    # A second extension, together still within two further months.
    second = await act(
        client, acme, rid, "extension", {"due_date": "2027-04-28", "reason": "Still collecting."}
    )
    assert second["deadline"]["due_date"] == "2027-04-28"

    # Once the original due date has passed, no more extensions (also not a first one).
    other = await file_request(client, acme, "portability")  # received 20 Feb: due 22 Mar
    fixed_clock.set(datetime(2027, 3, 1, 0, 0, tzinfo=UTC))  # the first instant after 28 Feb
    late = await act(
        client, acme, rid, "extension", {"due_date": "2027-04-27", "reason": reason}, expect=409
    )
    assert late["reason"] == "original_deadline_passed"
    ok = await act(
        client, acme, other["id"], "extension", {"due_date": "2027-04-01", "reason": reason}
    )
    assert ok["deadline"]["due_date"] == "2027-04-01"


async def test_california_allows_45_more_days(
    client: httpx.AsyncClient, db: Database, idle_jobs: Jobs, fixed_clock: FixedClock
) -> None:
    fixed_clock.set(datetime(2027, 1, 15, 9, 0, tzinfo=UTC))
    west = await seed_company(db, client, "west", "US", "CA", roles=ROLES)
    filed = await file_request(client, west, "access")
    view = await admin_view(client, west, filed["id"])
    # due 1 Mar 2027 (45 days); + 45 days = 15 Apr 2027
    assert view["deadline"]["latest_extension_date"] == "2027-04-15"
    await act(
        client,
        west,
        filed["id"],
        "extension",
        {"due_date": "2027-04-16", "reason": "x"},
        expect=422,
    )


async def test_traffic_light_and_the_daily_overdue_flag(
    client: httpx.AsyncClient,
    db: Database,
    jobs: Jobs,
    smtp_server: SmtpServer,
    fixed_clock: FixedClock,
) -> None:
    fixed_clock.set(datetime(2027, 1, 15, 9, 0, tzinfo=UTC))
    acme = await seed_company(db, client, "acme", "DE", "BE")
    filed = await file_request(client, acme, "access")
    answered = await file_request(client, acme, "objection", role="client_manager")
    await act(client, acme, answered["id"], "flags")
    await act(client, acme, answered["id"], "completion", {})
    await jobs.drain()

    expected = [
        (datetime(2027, 1, 20, 12, 0, tzinfo=UTC), "green", 25, False),
        (datetime(2027, 2, 4, 12, 0, tzinfo=UTC), "amber", 10, False),
        (datetime(2027, 2, 11, 12, 0, tzinfo=UTC), "red", 3, False),
        (datetime(2027, 2, 14, 23, 59, tzinfo=UTC), "red", 0, False),
        (datetime(2027, 2, 15, 0, 0, tzinfo=UTC), "red", -1, True),
    ]
    for moment, light, days_left, overdue in expected:
        fixed_clock.set(moment)
        deadline = (await admin_view(client, acme, filed["id"]))["deadline"]
        assert (deadline["traffic_light"], deadline["days_left"], deadline["overdue"]) == (
            light,
            days_left,
            overdue,
        ), moment

    admin_email = acme.accounts.email("client_admin")
    before = len(smtp_server.received)
    flag_overdue_privacy_requests.send()
    flag_overdue_privacy_requests.send()  # twice the same day: told once
    await jobs.drain()
    flagged = smtp_server.received[before:]
    assert [str(m["To"]) for m in flagged] == [admin_email]
    assert "1 privacy request(s) overdue" in str(flagged[0]["Subject"])
    assert filed["id"] in body(flagged[0]) and answered["id"] not in body(flagged[0])
    titles = await notification_titles(db, acme.tenant_id, acme.accounts.user_id("client_admin"))
    assert titles.count("1 privacy request(s) overdue") == 1
    overdue = await client.get(
        "/api/v1/privacy-requests", params={"overdue": "true"}, headers=acme.admin
    )
    assert [r["id"] for r in overdue.json()["items"]] == [filed["id"]]

    fixed_clock.set(datetime(2027, 2, 16, 6, 0, tzinfo=UTC))  # the next day: told again
    flag_overdue_privacy_requests.send()
    await jobs.drain()
    assert [str(m["To"]) for m in smtp_server.received[before:]] == [admin_email, admin_email]
