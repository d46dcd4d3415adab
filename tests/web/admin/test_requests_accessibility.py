"""axe-core finds no serious or critical violation on the privacy-request console's
pages (the queue, the admin's home with its counts, a request in each of its states and
with each preview), in Chromium; nothing is loaded from another host (the fixture)."""

from __future__ import annotations

from typing import Any

import httpx

from tests.privacy.companies import file_request, seed_company
from tests.web.admin.requests_helpers import BASE, demo_queue, queue_items, request_id_of
from tests.web.test_accessibility import blocking_violations
from tests.web.test_browser import signed_in
from timeward.db.session import Database


async def test_requests_pages_have_no_serious_or_critical_violation(
    open_browser: Any, client: httpx.AsyncClient, db: Database
) -> None:
    acme = await seed_company(db, client, "acme")
    await demo_queue(db, client, acme)
    items = await queue_items(client, acme, open="true")
    objection = await file_request(client, acme, "consent_withdrawal")
    erasure = request_id_of(items, "erasure")
    access = request_id_of(items, "access")
    await client.post(
        f"/api/v1/privacy-requests/{erasure}/identity",
        json={"method": "id_document"},
        headers=acme.admin,
    )
    paths = [
        "/home",
        BASE,
        f"{BASE}?overdue=true",
        f"{BASE}?type=gossip",  # the 400 page
        *(f"{BASE}/{item['id']}" for item in items),
        f"{BASE}/{objection['id']}",
        f"{BASE}/{access}?preview=export",
        f"{BASE}/{erasure}?preview=erasure",
        f"{BASE}/{access}?preview=extension&due_date=2000-01-01&reason=x",  # refused: a page
        f"{BASE}/{access}?preview=refusal&reason=Not+ours",
        f"{BASE}/00000000-0000-0000-0000-000000000000",
    ]
    visit = await open_browser()
    page = await signed_in(visit, acme.accounts.email("client_admin"), "acme")
    found = []
    for path in paths:
        await page.goto(path)
        found += await blocking_violations(page)
    assert found == []
