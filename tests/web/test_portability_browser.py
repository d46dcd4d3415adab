"""Portability to another organisation in a real browser (Chromium through Playwright),
with the real job worker and SMTP server: the employee names the recipient on the request
form, the admin builds the export from the console, nothing is sent until the employee
confirms on their request's page, then the recipient's link (opened without signing in)
downloads the subject's export, the download shows on the employee's timeline, and the
expired link is a 410 page (docs/privacy-requests.md, "Portability to another
organisation")."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx

from tests.fixtures.clock import FixedClock
from tests.fixtures.jobs import Jobs
from tests.jobs.smtp_server import SmtpServer, body
from tests.privacy.companies import seed_company, to
from tests.web.test_browser import signed_in
from timeward.db.session import Database

RECIPIENT = "dpo@newco.example"


async def test_an_employee_sends_their_data_to_another_organisation(
    open_browser: Any,
    client: httpx.AsyncClient,
    db: Database,
    jobs: Jobs,
    smtp_server: SmtpServer,
    fixed_clock: FixedClock,
) -> None:
    acme = await seed_company(db, client, "acme")
    person = acme.people["employee"]
    employee = await signed_in(await open_browser(), acme.accounts.email("employee"))
    await employee.click("nav >> text=My privacy requests")
    await employee.check("#type-portability")
    await employee.fill("#recipient-name", "Newco Ltd")
    await employee.fill("#recipient-email", RECIPIENT)
    await employee.click("button:has-text('Send to my employer')")
    await employee.wait_for_selector("[data-testid=transfer]")
    assert "has not prepared the file yet" in await employee.text_content(
        "[data-testid=transfer-state]"
    )
    mine = employee.url
    request_id = mine.rstrip("/").rsplit("/", 1)[-1]

    admin = await signed_in(await open_browser(), acme.accounts.email("client_admin"))
    await admin.goto(f"/admin/privacy-requests/{request_id}")
    assert RECIPIENT in await admin.text_content("[data-testid=transfer-recipient]")
    await admin.click("[data-testid=preview-export]")
    await admin.click("button:has-text('Build the export and deliver it')")
    await admin.wait_for_selector("text=The export is being built")
    await jobs.drain()
    assert to(smtp_server.received, RECIPIENT) == []  # built, not sent: not confirmed yet

    await employee.goto(mine)
    await employee.click("[data-testid=confirm-transfer]")
    await employee.wait_for_selector("text=Confirmed: the organisation you named")
    assert "Sent at your confirmation" in await employee.text_content(
        "[data-testid=transfer-state]"
    )
    await jobs.drain()
    [mail] = to(smtp_server.received, RECIPIENT)
    [url] = re.findall(r"https?://\S+/privacy-transfers/\S+", body(mail))
    link = f"{urlsplit(url).path}?{urlsplit(url).query}"

    recipient = await (await open_browser()).context.new_page()  # nobody signed in
    await recipient.goto(link)
    assert person.name in await recipient.text_content("[data-testid=transfer-sender]")
    async with recipient.expect_download() as download:
        await recipient.click("[data-testid=transfer-download]")
    path = await (await download.value).path()
    with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as archive:
        document = json.loads(archive.read("export.json"))
    [record] = document["tables"]["employees"]["rows"]
    assert record["name"] == person.name
    assert acme.people["client_manager"].name not in json.dumps(document)

    await employee.reload()
    assert "Newco Ltd downloaded your data." in await employee.content()

    fixed_clock.set(fixed_clock.now() + timedelta(days=7, seconds=1))
    gone = await recipient.goto(link)
    assert gone is not None and gone.status == 410
    assert "This download link has expired" in await recipient.content()
