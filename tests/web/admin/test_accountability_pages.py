"""The client admin's accountability pages over HTTP against the real app and database:
a breach notice acknowledged (with its working-day deadline), an objection to a
sub-processor change, support access granted, used, seen and revoked, the record of
processing edited and downloaded, a retention period changed, the audit log filtered,
verified (and a tampered one not) and exported; roles, other tenants and bad input."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from typing import Any
from uuid import UUID

import asyncpg
import httpx

from tests.accountability.support import audit_events
from tests.accounts import Accounts
from tests.fixtures.jobs import Jobs
from tests.web.admin.admin_session import signed_in_as
from tests.web.pages import submit
from timeward import clock
from timeward.deadlines import TenantCalendar
from timeward.deadlines.breaches import breach_notice_due


async def record_breach(client: httpx.AsyncClient, staff: Accounts, *tenants: Accounts) -> str:
    discovered = clock.now() - timedelta(hours=2)
    response = await client.post(
        "/api/v1/platform/breaches",
        json={
            "title": "Backup bucket readable from the internet",
            "discovered_at": discovered.isoformat(),
            "description": "A storage bucket holding nightly backups was publicly readable.",
            "data_categories": ["names", "clock-in times"],
            "subject_categories": ["employees"],
            "measures_taken": "Public access removed; access logs under review.",
            "affected": {"tenant_ids": [str(t.tenant_id) for t in tenants]},
        },
        headers=staff.auth("platform_staff"),
    )
    assert response.status_code == 201, response.text
    breach_id: str = response.json()["id"]
    return breach_id


async def add_sub_processor(client: httpx.AsyncClient, staff: Accounts) -> dict[str, Any]:
    response = await client.post(
        "/api/v1/platform/sub-processors",
        json={
            "name": "PostHaste Mail",
            "purpose": "Delivery of service e-mail",
            "location": "Dublin, Ireland",
            "data_categories": ["e-mail addresses"],
            "objection_days": 14,
        },
        headers=staff.auth("platform_admin"),
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def as_support(staff: Accounts, tenant: Accounts) -> dict[str, str]:
    return {**staff.auth("platform_staff"), "X-Support-Tenant": str(tenant.tenant_id)}


async def test_a_breach_notice_is_read_and_acknowledged(
    live_server: str,
    client: httpx.AsyncClient,
    idle_jobs: Jobs,
    acme: Accounts,
    bravo: Accounts,
    staff: Accounts,
) -> None:
    breach_id = await record_breach(client, staff, acme)
    due = breach_notice_due(clock.now() - timedelta(hours=2), TenantCalendar("DE"))
    async with signed_in_as(live_server, acme) as browser:
        listing = await browser.get("/admin/breaches")
        assert "Backup bucket readable from the internet" in listing.text
        assert f'data-testid="notice-due">{due.strftime("%d %b %Y")}<' in listing.text
        assert "at the latest 7 working days after it discovered it" in listing.text
        detail = await browser.get(f"/admin/breaches/{breach_id}")
        assert "7 working days after discovery" in detail.text
        assert "names, clock-in times" in detail.text
        assert "not yet known" in detail.text  # the numbers were not given
        acknowledged = await submit(
            browser,
            f"/admin/breaches/{breach_id}",
            f"/admin/breaches/{breach_id}/acknowledge",
            {},
        )
        assert acknowledged.status_code == 303
        detail = await browser.get(f"/admin/breaches/{breach_id}")
        assert "Receipt of the breach notice is acknowledged." in detail.text
        assert 'data-testid="acknowledge"' not in detail.text
        assert re.search(r'data-testid="acknowledged">\d{2} \w{3} \d{4}, ', detail.text)
    api = await client.get(f"/api/v1/breaches/{breach_id}", headers=acme.auth("client_admin"))
    assert api.json()["acknowledged_by"] == str(acme.user_id("client_admin"))
    assert len(await audit_events(client, acme.auth("client_admin"), "breach.acknowledged")) == 1

    async with signed_in_as(live_server, bravo) as other:
        assert (await other.get(f"/admin/breaches/{breach_id}")).status_code == 404
        refused = await submit(
            other, "/admin/breaches", f"/admin/breaches/{breach_id}/acknowledge", {}
        )
        assert refused.status_code == 404 and "Not found" in refused.text
        assert "No breach concerns your organisation." in (await other.get("/admin/breaches")).text
    async with signed_in_as(live_server, acme, "client_manager") as manager:
        refused = await manager.get("/admin/breaches")
        assert refused.status_code == 403 and "Not allowed" in refused.text


async def test_an_objection_to_a_sub_processor_change(
    live_server: str,
    client: httpx.AsyncClient,
    idle_jobs: Jobs,
    acme: Accounts,
    staff: Accounts,
) -> None:
    change = await add_sub_processor(client, staff)
    async with signed_in_as(live_server, acme) as browser:
        registry = await browser.get("/admin/sub-processors")
        assert "PostHaste Mail" in registry.text and "Dublin, Ireland" in registry.text
        assert 'data-testid="objection-deadline"' in registry.text
        action = f"/admin/sub-processors/changes/{change['id']}/objections"
        assert action in registry.text
        short = await submit(browser, "/admin/sub-processors", action, {"reason": "no"})
        assert short.status_code == 400 and "Invalid reason" in short.text
        objected = await submit(
            browser, "/admin/sub-processors", action, {"reason": "Our works council refuses."}
        )
        assert objected.status_code == 303
        registry = await browser.get("/admin/sub-processors")
        assert "Your objection was sent to the processor." in registry.text
        assert "Our works council refuses." in registry.text
        assert action not in registry.text  # no second objection offered
        again = await submit(browser, "/admin/sub-processors", action, {"reason": "Once more."})
        assert again.status_code == 409 and "already objected" in again.text
        unknown = await submit(
            browser,
            "/admin/sub-processors",
            f"/admin/sub-processors/changes/{UUID(int=7)}/objections",
            {"reason": "Nothing to object to."},
        )
        assert unknown.status_code == 404
    seen = await client.get(
        "/api/v1/platform/sub-processors/objections", headers=staff.auth("platform_staff")
    )
    [objection] = seen.json()["items"]
    assert objection["tenant_slug"] == "acme"
    assert objection["reason"] == "Our works council refuses."


async def test_support_access_granted_used_seen_and_revoked(
    live_server: str, client: httpx.AsyncClient, acme: Accounts, bravo: Accounts, staff: Accounts
) -> None:
    async with signed_in_as(live_server, acme) as browser:
        page = await browser.get("/admin/support")
        assert "You have not granted support access." in page.text
        assert "Support has read nothing." in page.text
        too_long = await submit(
            browser, "/admin/support", "/admin/support", {"reason": "Ticket 4711", "hours": "100"}
        )
        assert too_long.status_code == 400 and "Invalid hours" in too_long.text
        not_a_number = await submit(
            browser, "/admin/support", "/admin/support", {"reason": "Ticket 4711", "hours": "x"}
        )
        assert not_a_number.status_code == 400 and "hours" in not_a_number.text
        granted = await submit(
            browser,
            "/admin/support",
            "/admin/support",
            {"reason": "Ticket 4711: export", "hours": "2", "staff_user_id": ""},
        )
        assert granted.status_code == 303
        page = await browser.get("/admin/support")
        assert "Support access is granted." in page.text
        assert 'data-testid="grant-state">' in page.text and "active" in page.text
        read = await client.get("/api/v1/users", headers=as_support(staff, acme))
        assert read.status_code == 200
        page = await browser.get("/admin/support")
        [row] = re.findall(r'<tr data-testid="support-read">(.*?)</tr>', page.text, re.S)
        assert "GET /api/v1/users" in row and "Ticket 4711: export" in row
        assert str(staff.user_id("platform_staff")) in row
        [grant] = (
            await client.get("/api/v1/support-grants", headers=acme.auth("client_admin"))
        ).json()["items"]

        async with signed_in_as(live_server, bravo) as other:
            foreign = await submit(
                other, "/admin/support", f"/admin/support/{grant['id']}/revoke", {}
            )
            assert foreign.status_code == 404
            assert "Ticket 4711" not in (await other.get("/admin/support")).text

        revoked = await submit(
            browser, "/admin/support", f"/admin/support/{grant['id']}/revoke", {}
        )
        assert revoked.status_code == 303
        page = await browser.get("/admin/support")
        assert "Support access is revoked." in page.text
        assert re.search(r'data-testid="grant-state">\s*revoked', page.text)
        assert 'data-testid="revoke"' not in page.text
    after = await client.get("/api/v1/users", headers=as_support(staff, acme))
    assert after.status_code == 404
    twin = await client.get(  # the page's list is the API's, with the same filter
        "/api/v1/audit-events",
        params={"action": "personal_data.read", "actor_role": "support_reader"},
        headers=acme.auth("client_admin"),
    )
    [event] = twin.json()["items"]
    assert event["details"] == {"route": "GET /api/v1/users", "support_grant_id": grant["id"]}
    actions = [
        e["action"]
        for e in (
            await client.get("/api/v1/audit-events", headers=acme.auth("client_admin"))
        ).json()["items"]
    ]
    assert {"support.granted", "support.revoked"} <= set(actions)


async def test_record_of_processing_edited_and_downloaded(
    live_server: str, client: httpx.AsyncClient, acme: Accounts
) -> None:
    async with signed_in_as(live_server, acme) as browser:
        page = await browser.get("/admin/processing")
        assert 'data-testid="controller-contact">not provided<' in page.text
        empty = await submit(
            browser, "/admin/processing", "/admin/processing/controller", {"contact": "  "}
        )
        assert empty.status_code == 400 and "contact" in empty.text
        saved = await submit(
            browser,
            "/admin/processing",
            "/admin/processing/controller",
            {"contact": "acme GmbH, Hauptstr. 1, Berlin", "dpo": "dpo@acme.example"},
        )
        assert saved.status_code == 303
        page = await browser.get("/admin/processing")
        assert "Your details for the record of processing are saved." in page.text
        assert 'data-testid="controller-contact">acme GmbH, Hauptstr. 1, Berlin<' in page.text
        as_json = await browser.get("/admin/processing/record.json")
        assert as_json.headers["content-type"].startswith("application/json")
        assert "attachment" in as_json.headers["content-disposition"]
        assert as_json.json()["controller"]["dpo"] == "dpo@acme.example"
        as_html = await browser.get("/admin/processing/record.html")
        assert as_html.headers["content-type"].startswith("text/html")
        assert "record-of-processing-acme.html" in as_html.headers["content-disposition"]
        assert "acme GmbH, Hauptstr. 1, Berlin" in as_html.text
        assert as_html.headers["content-security-policy"].startswith("default-src 'none'")
    api = await client.get("/api/v1/processing-records", headers=acme.auth("client_admin"))
    assert api.json()["controller"]["contact"] == "acme GmbH, Hauptstr. 1, Berlin"
    assert await audit_events(
        client, acme.auth("client_admin"), "processing_records.controller_updated"
    )


async def test_a_retention_period_is_changed_within_its_bounds(
    live_server: str, client: httpx.AsyncClient, acme: Accounts
) -> None:
    async with signed_in_as(live_server, acme) as browser:
        page = await browser.get("/admin/retention")
        assert 'data-category="clock_events"' in page.text
        outside = await submit(
            browser, "/admin/retention", "/admin/retention/clock_events", {"days": "10"}
        )
        assert outside.status_code == 422
        unknown = await submit(
            browser, "/admin/retention", "/admin/retention/no_such_category", {"days": "400"}
        )
        assert unknown.status_code == 404
        saved = await submit(
            browser, "/admin/retention", "/admin/retention/clock_events", {"days": "730"}
        )
        assert saved.status_code == 303
        page = await browser.get("/admin/retention")
        assert "The retention period is saved." in page.text
        row = page.text.split('data-category="clock_events"')[1].split("</tr>")[0]
        assert 'data-testid="days">730 (your choice)' in row
    periods = await client.get("/api/v1/retention", headers=acme.auth("client_admin"))
    [clock_events] = [p for p in periods.json()["items"] if p["category"] == "clock_events"]
    assert clock_events["days"] == 730 and clock_events["overridden"] is True


async def test_the_audit_log_filtered_verified_and_exported(
    live_server: str, client: httpx.AsyncClient, owner: asyncpg.Pool, acme: Accounts
) -> None:
    assert acme.tenant_id
    for hours in (2, 3):
        granted = await client.post(
            "/api/v1/support-grants",
            json={"reason": f"Ticket {hours}", "hours": hours},
            headers=acme.auth("client_admin"),
        )
        assert granted.status_code == 201
    async with signed_in_as(live_server, acme) as browser:
        everything = await browser.get("/admin/audit")
        actions = re.findall(r'data-testid="audit-event" data-action="([^"]+)"', everything.text)
        assert actions.count("support.granted") == 2 and len(set(actions)) > 1
        today = clock.now().date().isoformat()
        filtered = await browser.get(
            "/admin/audit", params={"action": "support.granted", "since": today, "until": today}
        )
        shown = re.findall(r'data-testid="audit-event" data-action="([^"]+)"', filtered.text)
        assert shown == ["support.granted", "support.granted"]
        assert "action=support.granted" in filtered.text  # the export keeps the filter
        yesterday = (clock.now().date() - timedelta(days=1)).isoformat()
        earlier = await browser.get(
            "/admin/audit", params={"action": "support.granted", "until": yesterday}
        )
        assert "No event matches." in earlier.text
        bad = await browser.get("/admin/audit", params={"since": "yesterday"})
        assert bad.status_code == 400 and "since" in bad.text
        bad_actor = await browser.get("/admin/audit", params={"actor_id": "me"})
        assert bad_actor.status_code == 400 and "actor_id" in bad_actor.text

        exported = await browser.get(
            "/admin/audit/export.csv", params={"action": "support.granted"}
        )
        assert exported.headers["content-type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(exported.text)))
        assert [r["action"] for r in rows] == ["support.granted", "support.granted"]
        assert {r["actor_id"] for r in rows} == {str(acme.user_id("client_admin"))}
        assert all('"expires_at"' in r["details"] for r in rows)

        verified = await browser.get("/admin/audit/verify")
        assert 'data-valid="yes"' in verified.text and "Valid: every event" in verified.text
        async with owner.acquire() as conn, conn.transaction():
            await conn.execute("select set_config('app.tenant_id', $1, true)", str(acme.tenant_id))
            changed = await conn.execute(
                "update audit_events set details = '{\"forged\": true}' "
                "where tenant_id = $1 and action = 'support.granted'",
                acme.tenant_id,
            )
        assert changed == "UPDATE 2"
        broken = await browser.get("/admin/audit/verify")
        assert 'data-valid="no"' in broken.text
        assert "digest does not match" in broken.text


async def test_every_admin_page_speaks_german(
    live_server: str, client: httpx.AsyncClient, idle_jobs: Jobs, acme: Accounts, staff: Accounts
) -> None:
    breach_id = await record_breach(client, staff, acme)
    await add_sub_processor(client, staff)
    created = await client.post(
        "/api/v1/instructions", json={"kind": "return_data"}, headers=acme.auth("client_admin")
    )
    instruction_id = created.json()["instruction"]["id"]
    german = {
        "/admin/instructions": "Weisungen an den Auftragsverarbeiter",
        "/admin/instructions/confirm?kind=offboard_tenant": "Karenzfrist von 7 Tagen",
        f"/admin/instructions/{instruction_id}": "Fortschritt je Tabelle",
        "/admin/breaches": "spätestens 7 Arbeitstage nach ihrer Entdeckung",
        f"/admin/breaches/{breach_id}": "Empfang bestätigen",
        "/admin/sub-processors": "Änderungen und Einspruchsfristen",
        "/admin/support": "Dem Support Lesezugriff geben",
        "/admin/processing": "Verzeichnis der Verarbeitungstätigkeiten",
        "/admin/retention": "Aufbewahrungsfristen",
        "/admin/audit": "Prüfprotokoll",
        "/admin/audit/verify": "Gültig: Jedes Ereignis",
    }
    async with signed_in_as(live_server, acme) as browser:
        for path, text in german.items():
            response = await browser.get(path, headers={"Accept-Language": "de-DE,de;q=0.9"})
            assert response.status_code == 200, path
            assert '<html lang="de">' in response.text and text in response.text, path


ADMIN_PAGES = [
    "/admin/instructions",
    "/admin/instructions/confirm?kind=return_data",
    "/admin/breaches",
    "/admin/sub-processors",
    "/admin/support",
    "/admin/processing",
    "/admin/processing/record.json",
    "/admin/processing/record.html",
    "/admin/retention",
    "/admin/audit",
    "/admin/audit/verify",
    "/admin/audit/export.csv",
]


async def test_a_manager_is_refused_every_admin_page_and_odd_forms_are_4xx(
    live_server: str, client: httpx.AsyncClient, acme: Accounts
) -> None:
    async with signed_in_as(live_server, acme, "client_manager") as manager:
        for path in ADMIN_PAGES:
            refused = await manager.get(path)
            assert refused.status_code == 403, path
            assert refused.headers["content-type"].startswith("text/html"), path
            assert "Not allowed" in refused.text, path
        posted = await submit(
            manager, "/home", "/admin/support", {"reason": "Let me in", "hours": "1"}
        )
        assert posted.status_code == 403
    grants = await client.get("/api/v1/support-grants", headers=acme.auth("client_admin"))
    assert grants.json()["items"] == []
    async with signed_in_as(live_server, acme) as admin:
        page = await admin.get("/admin/support")
        token = re.search(r'name="_csrf_token" value="([^"]*)"', page.text)
        assert token
        twice = await admin.post(
            "/admin/support",
            content=f"_csrf_token={token.group(1)}&reason=First+reason&reason=Second&hours=2",
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
        assert 400 <= twice.status_code < 500
        unknown = await submit(
            admin,
            "/admin/processing",
            "/admin/processing/controller",
            {"contact": "acme GmbH", "fax": "0"},
        )
        assert unknown.status_code == 400 and "fax" in unknown.text  # as the API refuses it
        for path in ("/admin/audit?offset=-1", "/admin/audit?until=2026-13-01"):
            assert (await admin.get(path)).status_code == 400, path
    grants = await client.get("/api/v1/support-grants", headers=acme.auth("client_admin"))
    assert grants.json()["items"] == []
