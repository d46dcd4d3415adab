"""Portability to another organisation over HTTP, with a real SMTP server
(docs/privacy-requests.md, "Portability to another organisation"): the employee names the
recipient when filing; the employer builds the export as for any portability request;
nothing reaches the recipient until the employee confirms; the recipient's mail holds
only who sent it and an expiring link, which downloads the subject's export and nothing
else, is recorded on the timeline, and answers 410 once expired."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx

from tests.fixtures.clock import FixedClock
from tests.fixtures.jobs import Jobs
from tests.jobs.smtp_server import SmtpServer, body
from tests.privacy.companies import Company, act, admin_view, my_view, seed_company, to
from tests.privacy.test_export import unzip
from timeward.db.session import Database

MINE = "/api/v1/me/privacy-requests"
NEWCO = {"name": "Newco Ltd", "email": "dpo@newco.example"}


async def file_with_recipient(
    client: httpx.AsyncClient, company: Company, recipient: dict[str, str] = NEWCO
) -> dict[str, Any]:
    filed = await client.post(
        MINE,
        json={"request_type": "portability", "recipient": recipient},
        headers=company.employee,
    )
    assert filed.status_code == 201, filed.text
    result: dict[str, Any] = filed.json()
    return result


async def build_export(
    client: httpx.AsyncClient, company: Company, jobs: Jobs, request_id: str
) -> None:
    await act(client, company, request_id, "export", expect=202)
    await jobs.drain()


def transfer_link(smtp_server: SmtpServer, address: str) -> tuple[str, str]:
    """The recipient's mail (its body) and the path of the link in it."""
    [mail] = to(smtp_server.received, address)
    text = body(mail)
    [url] = re.findall(r"https?://\S+/privacy-transfers/\S+", text)
    parts = urlsplit(url)
    return f"{mail['Subject']}\n{text}", f"{parts.path}?{parts.query}"


async def test_the_export_goes_to_the_named_organisation_only_after_the_employee_confirms(
    client: httpx.AsyncClient,
    db: Database,
    jobs: Jobs,
    smtp_server: SmtpServer,
    fixed_clock: FixedClock,
) -> None:
    acme = await seed_company(db, client, "acme")
    globex = await seed_company(db, client, "globex")
    wrong_type = await client.post(
        MINE, json={"request_type": "access", "recipient": NEWCO}, headers=acme.employee
    )
    assert wrong_type.status_code == 422
    bad_address = await client.post(
        MINE,
        json={"request_type": "portability", "recipient": {"name": "X", "email": "nope"}},
        headers=acme.employee,
    )
    assert bad_address.status_code == 400

    filed = await file_with_recipient(client, acme)
    assert filed["transfer"] == {
        "recipient_name": "Newco Ltd",
        "recipient_email": "dpo@newco.example",
        "state": None,
        "confirmed_at": None,
    }
    assert (await admin_view(client, acme, filed["id"]))["transfer"]["recipient_email"] == (
        "dpo@newco.example"
    )
    early = await client.post(f"{MINE}/{filed['id']}/transfer/confirmation", headers=acme.employee)
    assert early.status_code == 409  # nothing built yet, nothing to confirm

    await build_export(client, acme, jobs, filed["id"])
    mine = await my_view(client, acme, filed["id"])
    assert mine["transfer"]["state"] == "awaiting"
    assert any("Nothing is sent until you confirm" in m["text"] for m in mine["messages"])
    asked = [
        body(m)
        for m in to(smtp_server.received, acme.people["employee"].email)
        if "confirm the transfer" in str(m["Subject"])
    ]
    assert len(asked) == 1 and "dpo@newco.example" in asked[0]
    assert to(smtp_server.received, "dpo@newco.example") == []  # not before confirming

    # Nobody but the requester confirms: a colleague, the admin, another tenant get 404.
    confirm = f"{MINE}/{filed['id']}/transfer/confirmation"
    assert (await client.post(confirm, headers=acme.auth("client_manager"))).status_code == 404
    assert (await client.post(confirm, headers=acme.admin)).status_code == 404
    assert (await client.post(confirm, headers=globex.employee)).status_code == 404

    confirmed = await client.post(confirm, headers=acme.employee)
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["transfer"]["state"] == "sent"
    assert (await client.post(confirm, headers=acme.employee)).status_code == 409  # once
    await jobs.drain()

    mail, path = transfer_link(smtp_server, "dpo@newco.example")
    person = acme.people["employee"]
    assert person.name in mail and "acme GmbH" in mail
    for value in (person.email, person.phone, person.address, person.number):
        assert value not in mail  # who sent it and the link, nothing else

    landing = await client.get(path)
    assert landing.status_code == 200
    assert person.name in landing.text and "text/html" in landing.headers["content-type"]
    tenant_part = str(acme.tenant_id)
    assert (await client.get(path.replace("token=", "token=0"))).status_code == 404
    forged = path.replace(tenant_part, str(globex.tenant_id))
    assert (await client.get(forged)).status_code == 404

    download = path.replace("?token=", "/download?token=")
    got = await client.get(download)
    assert got.status_code == 200, got.text
    assert got.headers["content-type"] == "application/zip"
    document, _tables = unzip(got.content)
    [employee] = document["tables"]["employees"]["rows"]
    assert employee["name"] == person.name
    assert acme.people["client_manager"].name not in got.text  # the subject's data only
    admin_copy = await client.get(
        f"/api/v1/privacy-requests/{filed['id']}/export", headers=acme.admin
    )
    assert admin_copy.content == got.content  # the one export, not a second one

    timeline = [m["text"] for m in (await my_view(client, acme, filed["id"]))["messages"]]
    assert any("Newco Ltd (dpo@newco.example) was sent a download link" in t for t in timeline)
    assert "Newco Ltd downloaded your data." in timeline

    fixed_clock.set(fixed_clock.now() + timedelta(days=7, seconds=1))
    for expired in (path, download):
        gone = await client.get(expired)
        assert gone.status_code == 410
        assert "text/html" in gone.headers["content-type"]  # a page for the person
        assert "This download link has expired" in gone.text


async def test_without_confirmation_nothing_is_sent_and_the_employee_may_cancel(
    client: httpx.AsyncClient, db: Database, jobs: Jobs, smtp_server: SmtpServer
) -> None:
    acme = await seed_company(db, client, "acme")
    filed = await file_with_recipient(client, acme)
    await build_export(client, acme, jobs, filed["id"])
    cancel = f"{MINE}/{filed['id']}/transfer/cancellation"
    assert (await client.post(cancel, headers=acme.auth("client_manager"))).status_code == 404
    cancelled = await client.post(cancel, headers=acme.employee)
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["transfer"]["state"] == "cancelled"
    confirm = f"{MINE}/{filed['id']}/transfer/confirmation"
    assert (await client.post(confirm, headers=acme.employee)).status_code == 409
    # A new export of the request does not bring a cancelled transfer back.
    await build_export(client, acme, jobs, filed["id"])
    assert (await my_view(client, acme, filed["id"]))["transfer"]["state"] == "cancelled"
    await jobs.drain()
    assert to(smtp_server.received, "dpo@newco.example") == []
    timeline = [m["text"] for m in (await my_view(client, acme, filed["id"]))["messages"]]
    assert "You cancelled sending your data to Newco Ltd: nothing was sent." in timeline

    # Filing again while it is open joins it and does not replace a cancelled transfer.
    again = await client.post(
        MINE,
        json={"request_type": "portability", "recipient": {"name": "O", "email": "o@o.example"}},
        headers=acme.employee,
    )
    assert again.status_code == 200 and again.json()["id"] == filed["id"]
    assert again.json()["transfer"]["recipient_email"] == "dpo@newco.example"
    assert again.json()["transfer"]["state"] == "cancelled"

    # A portability request naming nobody has no transfer.
    plain = await client.post(
        MINE, json={"request_type": "portability"}, headers=acme.auth("client_manager")
    )
    assert plain.status_code == 201 and plain.json()["transfer"] is None


async def test_a_rebuilt_export_kills_the_link_already_sent(
    client: httpx.AsyncClient, db: Database, jobs: Jobs, smtp_server: SmtpServer
) -> None:
    acme = await seed_company(db, client, "acme")
    filed = await file_with_recipient(client, acme)
    await build_export(client, acme, jobs, filed["id"])
    confirm = f"{MINE}/{filed['id']}/transfer/confirmation"
    assert (await client.post(confirm, headers=acme.employee)).status_code == 200
    await jobs.drain()
    _mail, path = transfer_link(smtp_server, "dpo@newco.example")
    await build_export(client, acme, jobs, filed["id"])  # the old file is deleted at once
    assert (await client.get(path)).status_code == 410  # no longer the confirmed export
    assert (await my_view(client, acme, filed["id"]))["transfer"]["state"] == "awaiting"
