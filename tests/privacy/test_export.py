"""Access and portability: a job builds one zip (a JSON document with a schema version and
one CSV per table); the requester downloads it through an authenticated link that expires,
and the file is deleted after expiry. Coverage comes from the schema: every table linked
to the employee holds a row for the subject and every row appears in the export."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import select

from tenants.privacy_requests.jobs import purge_expired_privacy_exports
from tenants.privacy_requests.models import PrivacyExport
from tenants.privacy_requests.subject import SubjectRef, load_data_map, subject_rows
from tests.fixtures.clock import FixedClock
from tests.fixtures.jobs import Jobs
from tests.jobs.smtp_server import SmtpServer, body
from tests.privacy.companies import (
    Company,
    act,
    admin_view,
    file_request,
    my_view,
    notification_titles,
    seed_company,
    to,
)
from tests.web.pages import sign_in
from tests.workforce.seed import AT_HQ, HQ
from timeward.crypto.data_keys import destroy_tenant_data_key
from timeward.db.session import Database, Scope
from timeward.services import Services


def unzip(content: bytes) -> tuple[dict[str, Any], dict[str, list[dict[str, str]]]]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        names = archive.namelist()
        document = json.loads(archive.read("export.json"))
        tables = {
            name.removeprefix("csv/").removesuffix(".csv"): list(
                csv.DictReader(io.StringIO(archive.read(name).decode("utf-8")))
            )
            for name in names
            if name.startswith("csv/")
        }
    assert "README.txt" in names
    return document, tables


async def clock_a_shift(client: httpx.AsyncClient, company: Company) -> None:
    await client.put(
        "/api/v1/settings/location",
        json={"location_mode": "precise", "precise_location_days": 30},
        headers=company.admin,
    )
    site = await client.post(
        "/api/v1/sites", json={"name": "HQ", "geofence": HQ}, headers=company.admin
    )
    clock_in = await client.post(
        "/api/v1/clock/in",
        json={"site_id": site.json()["id"], "location": AT_HQ},
        headers=company.employee,
    )
    assert clock_in.status_code == 201, clock_in.text
    out = await client.post("/api/v1/clock/out", json={}, headers=company.employee)
    assert out.status_code == 201, out.text


async def build(
    client: httpx.AsyncClient, company: Company, jobs: Jobs, request_id: str
) -> dict[str, Any]:
    started = await act(client, company, request_id, "export", expect=202)
    assert started["fulfilment"]["state"] == "queued"
    await jobs.drain()
    view = await admin_view(client, company, request_id)
    assert view["fulfilment"]["state"] == "done", view["fulfilment"]
    return view


async def test_access_request_end_to_end_with_expiring_download(
    client: httpx.AsyncClient,
    db: Database,
    jobs: Jobs,
    smtp_server: SmtpServer,
    fixed_clock: FixedClock,
) -> None:
    acme = await seed_company(db, client, "acme")
    await clock_a_shift(client, acme)
    filed = await file_request(client, acme, "access")
    view = await build(client, acme, jobs, filed["id"])
    export = view["export"]
    assert export["available"] and export["schema_version"] == "1"
    assert export["download"] == f"/api/v1/privacy-requests/{filed['id']}/export"

    mine = await my_view(client, acme, filed["id"])
    assert mine["export"]["available"] is True
    link = mine["export"]["download"]
    assert link == f"/api/v1/me/privacy-requests/{filed['id']}/export"
    [ready] = [
        m
        for m in to(smtp_server.received, acme.people["employee"].email)
        if "ready" in str(m["Subject"])
    ]
    assert link in body(ready)
    titles = await notification_titles(db, acme.tenant_id, acme.accounts.user_id("employee"))
    assert "Your privacy request to acme GmbH: your data is ready" in titles

    assert (await client.get(link)).status_code == 401  # authenticated
    downloaded = await client.get(link, headers=acme.employee)
    assert downloaded.status_code == 200
    assert downloaded.headers["content-type"] == "application/zip"
    assert downloaded.headers["cache-control"] == "no-store"
    document, tables = unzip(downloaded.content)
    assert document["schema_version"] == "1"
    assert document["format"] == "timeward.subject-export"
    assert document["controller"]["name"] == "acme GmbH"
    [employee] = document["tables"]["employees"]["rows"]
    assert employee["name"] == acme.people["employee"].name
    assert employee["postal_address"] == acme.people["employee"].address
    clock_events = document["tables"]["clock_events"]["rows"]
    assert [e["kind"] for e in sorted(clock_events, key=lambda e: e["at"])] == ["in", "out"]
    located = next(e["location"] for e in clock_events if e["kind"] == "in")
    assert located["status"] == "precise"
    assert (located["latitude"], located["longitude"]) == (AT_HQ["latitude"], AT_HQ["longitude"])
    assert all("location_sealed" not in e for e in clock_events)
    assert len(document["tables"]["time_entries"]["rows"]) == 1
    [account] = document["tables"]["users"]["rows"]
    assert account["email"] == acme.people["employee"].email
    assert "password_hash" not in account and "argon2" not in json.dumps(document)
    assert tables["employees"][0]["name"] == acme.people["employee"].name
    assert "location" in tables["clock_events"][0]
    # Only the subject's rows: the manager's employee record is not in it.
    assert acme.people["client_manager"].name not in downloaded.text

    admin_copy = await client.get(export["download"], headers=acme.admin)
    assert admin_copy.content == downloaded.content
    for role in ("client_manager",):  # another member: not theirs, not found
        other = await client.get(link, headers=acme.auth(role))
        assert other.status_code == 404

    fixed_clock.set(fixed_clock.now() + timedelta(days=7, seconds=1))
    assert (await client.get(link, headers=acme.employee)).status_code == 410
    assert (await client.get(export["download"], headers=acme.admin)).status_code == 410
    purge_expired_privacy_exports.send()
    await jobs.drain()
    async with db.transaction(Scope.TENANT, acme.tenant_id) as session:
        [row] = (await session.scalars(select(PrivacyExport))).all()
    assert row.content is None and row.deleted_at is not None
    assert (await client.get(link, headers=acme.employee)).status_code == 410
    assert (await my_view(client, acme, filed["id"]))["export"]["available"] is False


async def test_a_destroyed_key_makes_locations_unavailable_in_the_export(
    client: httpx.AsyncClient, db: Database, jobs: Jobs, services: Services
) -> None:
    acme = await seed_company(db, client, "acme")
    await clock_a_shift(client, acme)
    async with db.transaction(Scope.TENANT, acme.tenant_id) as session:
        await destroy_tenant_data_key(session, acme.tenant_id, keys=services.data_keys)
    filed = await file_request(client, acme, "portability")
    await build(client, acme, jobs, filed["id"])
    document, _ = unzip(
        (
            await client.get(
                f"/api/v1/me/privacy-requests/{filed['id']}/export", headers=acme.employee
            )
        ).content
    )
    statuses = {
        e["kind"]: e["location"]["status"] for e in document["tables"]["clock_events"]["rows"]
    }
    assert statuses["in"] == "unavailable"


async def test_every_table_linked_to_the_employee_is_exported(
    client: httpx.AsyncClient, db: Database, jobs: Jobs
) -> None:
    """Rows go into every linked table the catalog knows of (derived here too); a table
    added later without a row here fails this test until it is given one."""
    acme = await seed_company(db, client, "acme")
    await clock_a_shift(client, acme)
    first = await file_request(client, acme, "access")
    await build(client, acme, jobs, first["id"])  # privacy_exports gets a row
    second = await file_request(client, acme, "portability")
    await jobs.drain()
    await sign_in(client, acme.accounts.email("employee"), "acme")  # a browser_sessions row
    chosen = await client.put(  # a mail_preferences row
        "/api/v1/me/mail-preferences/product_news",
        json={"subscribed": False},
        headers=acme.employee,
    )
    assert chosen.status_code == 200, chosen.text
    await answer_a_notice_change(client, acme, jobs)  # a notice_responses row

    subject = SubjectRef(
        acme.tenant_id, acme.employees["employee"], acme.accounts.user_id("employee")
    )
    async with db.transaction(Scope.TENANT, acme.tenant_id) as session:
        data_map = await load_data_map(session)
        expected = {
            table: await subject_rows(session, data_map, subject, table)
            for table in data_map.linked_tables
        }
    assert {"employees", "clock_events", "time_entries", "memberships", "notifications"} <= set(
        expected
    )
    empty = sorted(table for table, rows in expected.items() if not rows)
    assert empty == [], f"give the subject a row in {empty}"

    await build(client, acme, jobs, second["id"])  # rows made meanwhile are extra, not missing

    content = (
        await client.get(
            f"/api/v1/me/privacy-requests/{second['id']}/export", headers=acme.employee
        )
    ).content
    document, csv_tables = unzip(content)
    for table, rows in expected.items():
        keys = data_map.catalog[table].primary_key
        in_json = {tuple(str(r[k]) for k in keys) for r in document["tables"][table]["rows"]}
        in_csv = {tuple(r[k] for k in keys) for r in csv_tables[table]}
        wanted = {tuple(str(r[k]) for k in keys) for r in rows}
        assert wanted <= in_json, table
        assert wanted <= in_csv, table


async def answer_a_notice_change(client: httpx.AsyncClient, acme: Company, jobs: Jobs) -> None:
    """The employee acknowledges a significant change of their employer's notice."""
    notice = await client.get("/api/v1/privacy-notice", headers=acme.employee)
    assert notice.status_code == 200
    changed = await client.put(
        "/api/v1/settings/location",
        json={"location_mode": "precise", "precise_location_days": 7},
        headers=acme.auth("client_admin"),
    )
    assert changed.status_code == 200
    await jobs.drain()
    answered = await client.post(
        "/api/v1/privacy-notice/answers",
        json={"kind": "tenant", "number": 2},
        headers=acme.employee,
    )
    assert answered.status_code == 201, answered.text
