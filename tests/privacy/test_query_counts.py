"""A page of privacy requests costs the same number of SQL statements whatever its size:
the employee's own list and the client admin's queue (JSON and the HTML page) load names,
timelines and exports for the whole page at once, never per row."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from sqlalchemy import event

from tenants.privacy_requests import service
from tenants.privacy_requests.models import RequestType
from tests.privacy.companies import Company, seed_company
from tests.web.pages import page_client, sign_in
from timeward import clock
from timeward.acting import Acting
from timeward.db.session import Database, Scope
from timeward.services import Services

ZIP = b"PK\x05\x06" + bytes(18)  # an empty zip
PAGES = {
    "the employee's own list": ("/api/v1/me/privacy-requests", "employee"),
    "the admin's queue": ("/api/v1/privacy-requests", "client_admin"),
}
# Signed in through the form; the page shows every open request (up to 200) at once.
HTML_PAGES = {"the admin's queue page": ("/admin/privacy-requests", "client_admin")}
ROW = 'data-testid="queue-row"'


@contextmanager
def counted_statements(db: Database) -> Iterator[list[str]]:
    """Every statement the app's engine executes meanwhile (the server shares it)."""
    seen: list[str] = []

    def count(*args: Any) -> None:
        seen.append(args[2])  # (conn, cursor, statement, parameters, context, executemany)

    event.listen(db.engine.sync_engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", count)


async def counted_list(
    client: httpx.AsyncClient, db: Database, path: str, headers: dict[str, str]
) -> tuple[list[dict[str, Any]], int]:
    """The items of a JSON list (up to 200) and the statements its request cost, after a
    first call that fills the caches."""
    await client.get(path, headers=headers)
    with counted_statements(db) as seen:
        response = await client.get(path, params={"limit": 200}, headers=headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items, len(seen)


async def file_more(db: Database, services: Services, company: Company, how_many: int) -> None:
    """The employee's requests, each with its 'filed' step and an export (the service,
    not the route: the route would join same-type filings and throttle)."""
    by = Acting(company.accounts.user_id("employee"), "employee")
    now, digest = clock.now(), hashlib.sha256(ZIP).hexdigest()
    async with db.transaction(Scope.TENANT, company.tenant_id) as session:
        for _ in range(how_many):
            filed = await service.file_own(
                session, services.audit, company.tenant_id, by, RequestType.ACCESS, None, now
            )
            await service.store_export(session, filed, ZIP, digest, "1", now, 7)


async def statements_per_page(
    client: httpx.AsyncClient, live_server: str, db: Database, company: Company, expected_rows: int
) -> dict[str, int]:
    counts = {}
    for page, (path, role) in PAGES.items():
        items, counts[page] = await counted_list(client, db, path, company.auth(role))
        assert len(items) == expected_rows, page
    for page, (path, role) in HTML_PAGES.items():
        async with page_client(live_server) as browser:
            await sign_in(browser, company.accounts.email(role), company.accounts.slug)
            await browser.get(path)
            with counted_statements(db) as seen:
                response = await browser.get(path)
        assert response.status_code == 200, response.text
        assert response.text.count(ROW) == expected_rows, page
        counts[page] = len(seen)
    return counts


async def test_a_page_costs_the_same_statements_for_10_and_200_requests(
    client: httpx.AsyncClient, live_server: str, db: Database, services: Services
) -> None:
    acme = await seed_company(db, client, "acme")
    await file_more(db, services, acme, 10)
    ten = await statements_per_page(client, live_server, db, acme, 10)
    await file_more(db, services, acme, 190)
    two_hundred = await statements_per_page(client, live_server, db, acme, 200)

    assert len(ten) == 3 and all(ten.values()) and two_hundred == ten, (ten, two_hundred)
    queue = (await client.get("/api/v1/privacy-requests", headers=acme.admin)).json()["items"]
    assert {item["subject_name"] for item in queue} == {acme.people["employee"].name}
    mine = await client.get("/api/v1/me/privacy-requests", headers=acme.employee)
    assert all(item["export"]["available"] for item in mine.json()["items"])
    assert all(item["messages"] for item in mine.json()["items"])
