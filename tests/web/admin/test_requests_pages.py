"""The privacy-request console over HTTP (a browser-like client with cookies and CSRF
tokens): the queue's order, lights, counts and filters (shared with the API), the
counts on the admin's home, the permission of every page (a manager and an employee get
403 pages), another tenant's ids (404 pages, nothing changed), rectification prefilled
and audited, the flags of an objection, and bad input answered with a 4xx page."""

from __future__ import annotations

import re

import httpx

from tests.privacy.companies import Company, admin_view, file_request, seed_company
from tests.web.admin.requests_helpers import BASE, demo_queue, queue_items, request_id_of
from tests.web.pages import csrf_token, page_client, sign_in, submit
from timeward.db.session import Database

ROW = re.compile(r'data-testid="queue-row" data-light="(\w+)"')


async def test_requests_queue_shows_lights_nearest_first_with_counts_and_filters(
    live_server: str, db: Database, client: httpx.AsyncClient
) -> None:
    acme = await seed_company(db, client, "acme")
    assert await demo_queue(db, client, acme) == 6
    async with page_client(live_server) as browser:
        await sign_in(browser, acme.accounts.email("client_admin"), "acme")
        queue = await browser.get(BASE)
        assert queue.status_code == 200
        # overdue first and red, then the rest by due date: red, amber, green
        assert ROW.findall(queue.text) == ["red", "red", "amber", "amber", "green", "green"]
        first = queue.text.split('data-testid="queue-row"')[1]
        assert "overdue" in first and "erasure" in first and "Aylin Demir" in first
        assert "6 open, of which 1 overdue." in queue.text
        overdue = await browser.get(BASE, params={"overdue": "true"})
        assert ROW.findall(overdue.text) == ["red"] and "Aylin Demir" in overdue.text
        access = await browser.get(BASE, params={"type": "access"})
        assert ROW.findall(access.text) == ["red"] and "Jonas Becker" in access.text
        pending = await browser.get(BASE, params={"status": "identity_pending"})
        assert len(ROW.findall(pending.text)) == 4 and "Jonas Becker" not in pending.text
        # the API's list answers the same filter (one service for both)
        assert [i["request_type"] for i in await queue_items(client, acme, type="access")] == [
            "access"
        ]
        bad = await browser.get(BASE, params={"type": "gossip"})
        assert bad.status_code == 400 and "text/html" in bad.headers["content-type"]
        home = await browser.get("/home")
        counts = home.text.split('data-testid="privacy-queue-counts"')[1]
        assert "6 open, of which 1 overdue." in counts
        assert 'href="/admin/privacy-requests"' in home.text  # in the navigation too


async def test_requests_a_manager_or_employee_gets_403_pages(
    live_server: str, db: Database, client: httpx.AsyncClient
) -> None:
    acme = await seed_company(db, client, "acme")
    filed = await file_request(client, acme, "access")
    detail = f"{BASE}/{filed['id']}"
    for role in ("client_manager", "employee"):
        async with page_client(live_server) as browser:
            await sign_in(browser, acme.accounts.email(role), "acme")
            home = await browser.get("/home")
            assert "privacy-queue-counts" not in home.text
            assert 'href="/admin/privacy-requests"' not in home.text
            for path in (BASE, detail, f"{detail}?preview=export"):
                refused = await browser.get(path)
                assert refused.status_code == 403, path
                assert "Not allowed" in refused.text
            token = csrf_token(home.text)
            posted = await browser.post(
                f"{detail}/refusal", data={"_csrf_token": token, "reason": "no"}
            )
            assert posted.status_code == 403 and "Not allowed" in posted.text
    assert (await admin_view(client, acme, filed["id"]))["status"] == "received"


async def test_requests_another_tenants_id_is_a_404_page_and_changes_nothing(
    live_server: str, db: Database, client: httpx.AsyncClient
) -> None:
    acme = await seed_company(db, client, "acme")
    globex = await seed_company(db, client, "globex")
    theirs = await file_request(client, globex, "erasure")
    before = await admin_view(client, globex, theirs["id"])
    async with page_client(live_server) as browser:
        await sign_in(browser, acme.accounts.email("client_admin"), "acme")
        detail = f"{BASE}/{theirs['id']}"
        for path in (detail, f"{detail}?preview=erasure", f"{detail}/export"):
            missing = await browser.get(path)
            assert missing.status_code == 404, path
            assert "Not found" in missing.text
        token = csrf_token((await browser.get(BASE)).text)
        for step, fields in (
            ("refusal", {"reason": "x"}),
            ("extension", {"due_date": "2099-01-01", "reason": "x"}),
            ("identity", {"method": "other"}),
            ("erasure", {"confirm": "yes"}),
            ("flags", {}),
            ("restriction-lift", {"reason": "x"}),
        ):
            posted = await browser.post(f"{detail}/{step}", data={"_csrf_token": token, **fields})
            assert posted.status_code == 404, step
    assert await admin_view(client, globex, theirs["id"]) == before


async def _admin(browser: httpx.AsyncClient, company: Company) -> None:
    await sign_in(browser, company.accounts.email("client_admin"), company.accounts.slug)


async def test_requests_rectification_is_prefilled_and_audited(
    live_server: str, db: Database, client: httpx.AsyncClient
) -> None:
    acme = await seed_company(db, client, "acme")
    person = acme.people["employee"]
    filed = await file_request(client, acme, "rectification", details="My phone is wrong")
    detail = f"{BASE}/{filed['id']}"
    async with page_client(live_server) as browser:
        await _admin(browser, acme)
        page = await browser.get(detail)
        assert f'name="phone" value="{person.phone}"' in page.text
        assert f'name="name" value="{person.name}"' in page.text
        fields = {
            "name": person.name,
            "work_email": person.email,
            "phone": "+49 30 1234567",
            "postal_address": person.address,
            "job_title": "",  # emptied: cleared
            "employee_number": person.number,
            "hire_date": "2024-03-01",
        }
        done = await submit(browser, detail, f"{detail}/rectification", fields)
        assert done.status_code == 303
        after = await browser.get(detail)
        assert "The details are corrected (audited); the requester is told." in after.text
        assert "Corrected fields: job_title, phone" in after.text
        bad = await submit(browser, detail, f"{detail}/rectification", {"name": "", **{}})
        assert bad.status_code == 422 and "text/html" in bad.headers["content-type"]
    record = await client.get(f"/api/v1/employees/{acme.employees['employee']}", headers=acme.admin)
    assert record.json()["contact"]["phone"] == "+49 30 1234567"
    assert record.json()["job_title"] is None
    events = await client.get(
        "/api/v1/audit-events",
        params={"subject_id": str(acme.employees["employee"])},
        headers=acme.admin,
    )
    updated = [e for e in events.json()["items"] if e["action"] == "employee.updated"]
    assert updated and updated[0]["details"]["fields"] == ["job_title", "phone"]
    assert "+49 30 1234567" not in events.text


async def test_requests_objection_flags_say_what_they_switch_off(
    live_server: str, db: Database, client: httpx.AsyncClient
) -> None:
    acme = await seed_company(db, client, "acme")
    filed = await file_request(client, acme, "objection")
    detail = f"{BASE}/{filed['id']}"
    async with page_client(live_server) as browser:
        await _admin(browser, acme)
        page = await browser.get(detail)
        assert "marketing off" in page.text and "directory off" in page.text
        done = await submit(browser, detail, f"{detail}/flags", {})
        assert done.status_code == 303
        after = await browser.get(detail)
        assert "The flags are set; the requester is told." in after.text
        flags = after.text.split('data-testid="flags">')[1].split("</dd>")[0]
        assert "marketing: no" in flags and "in the directory: no" in flags
        assert "Set the flags" not in after.text  # not offered twice
        # an extension asked for beyond the rules is a 4xx page naming the problem
        too_late = await browser.get(
            detail, params={"preview": "extension", "due_date": "2099-01-01", "reason": "busy"}
        )
        assert too_late.status_code == 422 and "That did not work" in too_late.text
    record = await client.get(f"/api/v1/employees/{acme.employees['employee']}", headers=acme.admin)
    assert record.json()["marketing_opt_in"] is False
    assert record.json()["directory_excluded"] is True


async def test_requests_identity_verified_through_the_form_markup_shown_as_text_and_csrf(
    live_server: str, db: Database, client: httpx.AsyncClient
) -> None:
    acme = await seed_company(db, client, "acme")
    await demo_queue(db, client, acme)
    public = request_id_of(await queue_items(client, acme, type="erasure"), "erasure")
    markup = await file_request(client, acme, "erasure", details="<script>alert(1)</script>")
    detail = f"{BASE}/{public}"
    async with page_client(live_server) as browser:
        await _admin(browser, acme)
        shown = await browser.get(f"{BASE}/{markup['id']}")
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown.text
        assert "<script>alert(1)" not in shown.text
        page = await browser.get(detail)
        assert "Record the identity as verified" in page.text
        assert "See what the erasure will remove" not in page.text  # not before verifying
        forged = await browser.post(f"{detail}/identity", data={"method": "in_person"})
        assert forged.status_code == 403  # no CSRF token
        fields = {"method": "id_document", "note": "Passport checked."}
        done = await submit(browser, detail, f"{detail}/identity", fields)
        assert done.status_code == 303
        after = await browser.get(detail)
        identity = after.text.split('data-testid="identity">')[1].split("</dd>")[0]
        assert identity.startswith("verified through an identity document")
        assert "Record the identity as verified" not in after.text
        assert "See what the erasure will remove" in after.text
        unconfirmed = await submit(browser, detail, f"{detail}/erasure", {})
        assert unconfirmed.status_code == 422 and "Tick the box" in unconfirmed.text
        german = await browser.get(BASE, headers={"accept-language": "de"})
        assert "Datenschutzanfragen" in german.text and "davon 1 überfällig" in german.text
    view = await admin_view(client, acme, str(public))
    assert view["fulfilment"]["state"] == "none"  # the unconfirmed erasure did not start
    assert view["events"][-1]["message"] == (
        "Your identity was confirmed (id document). Passport checked."
    )
