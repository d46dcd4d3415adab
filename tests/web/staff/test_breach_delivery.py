"""The staff breach page shows how each tenant's notice fared: its e-mails sent or failed
(a real SMTP server accepting or refusing them) and its in-app notification read by the
client admin, in counts only: no address or name of a client's people on the page."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import httpx
import pytest

from tests.accounts import Accounts
from tests.fixtures.jobs import Jobs, refuse_every_mail
from tests.jobs.smtp_server import SmtpServer, recipients
from tests.web.pages import page_client, submit
from tests.web.staff.console import staff_sign_in
from timeward import clock


def notice_row(html: str, slug: str) -> str:
    found = re.search(rf'<tr data-testid="notice" data-tenant="{slug}".*?</tr>', html, re.S)
    assert found, f"no notice row for {slug}"
    return found.group(0)


def cell(row: str, testid: str) -> str:
    found = re.search(rf'<td data-testid="{testid}"[^>]*>(.*?)</td>', row, re.S)
    assert found, f"no {testid} cell"
    return " ".join(re.sub(r"<[^>]+>", "", found.group(1)).split())


async def record_on_the_page(browser: httpx.AsyncClient, tenant: Accounts) -> str:
    """Record a breach for one tenant with the staff form; returns the breach page's path."""
    discovered = (clock.now() - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    fields: dict[str, Any] = {
        "title": "Backup bucket readable",
        "discovered_at": discovered,
        "description": "A storage bucket with backups was publicly readable.",
        "data_categories": "names",
        "subject_categories": "employees",
        "measures_taken": "Access closed.",
        "tenant_ids": str(tenant.tenant_id),
    }
    recorded = await submit(browser, "/staff/breaches", "/staff/breaches", fields)
    assert recorded.status_code == 303, recorded.text
    return str(recorded.headers["location"])


async def test_the_page_shows_the_mail_sent_and_the_notification_read_by_the_admin(
    live_server: str,
    client: httpx.AsyncClient,
    jobs: Jobs,
    smtp_server: SmtpServer,
    acme: Accounts,
    staff: Accounts,
) -> None:
    async with page_client(live_server) as browser:
        await staff_sign_in(browser, staff.email("platform_staff"))
        breach_page = await record_on_the_page(browser, acme)
        before = notice_row((await browser.get(breach_page)).text, "acme")
        assert cell(before, "mail") == "none queued"
        assert cell(before, "in-app") == "none delivered"

        await jobs.drain()
        assert recipients(smtp_server.received) == [acme.email("client_admin")]
        sent = (await browser.get(breach_page)).text
        row = notice_row(sent, "acme")
        assert cell(row, "mail") == "sent: 1"
        assert 'data-state="sent"' in row
        assert cell(row, "in-app") == "delivered to 1 admins, read by 0"
        assert acme.email("client_admin") not in sent  # counts only, no address

        admin = acme.auth("client_admin")
        mine = await client.get("/api/v1/me/notifications", headers=admin)
        [notice] = [n for n in mine.json()["items"] if n["kind"] == "breach.reported"]
        read = await client.post(f"/api/v1/me/notifications/{notice['id']}/read", headers=admin)
        assert read.status_code == 204, read.text

        row = notice_row((await browser.get(breach_page)).text, "acme")
        assert cell(row, "in-app").startswith("delivered to 1 admins, read by 1 · first read ")
        assert cell(row, "acknowledged") == "not yet"


async def test_the_page_shows_a_refused_mail_as_failed(
    live_server: str,
    jobs: Jobs,
    smtp_server: SmtpServer,
    acme: Accounts,
    staff: Accounts,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    refuse_every_mail(smtp_server, monkeypatch)
    async with page_client(live_server) as browser:
        await staff_sign_in(browser, staff.email("platform_staff"))
        breach_page = await record_on_the_page(browser, acme)
        await jobs.drain()
        assert smtp_server.received == []

        html = (await browser.get(breach_page)).text
        row = notice_row(html, "acme")
        assert cell(row, "mail") == "failed: 1 of 1"
        assert 'data-state="failed"' in row
        # the in-app notice still reached the admin, whatever became of the mail
        assert cell(row, "in-app") == "delivered to 1 admins, read by 0"
        assert acme.email("client_admin") not in html
