"""The staff console over HTTP: the staff sign-in and its session (cookie, API
separation, timeouts, sign-out, revocation when the person is disabled or their role
changes, the same throttle as the API), every page for the roles its API twin allows,
bad input as a 4xx page, and a tenant's pages only under a grant the session entered."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import asyncpg
import httpx
import pytest
from sqlalchemy import func, select

from tests.accounts import Accounts
from tests.web.pages import SESSION_COOKIE, page_client, sign_in, submit
from tests.web.staff.console import staff_sign_in
from timeward import clock
from timeward.auth.opaque import digest
from timeward.auth.staff_sessions import StaffSession
from timeward.db.session import Database, Scope

STAFF_PAGES = [
    "/staff",
    "/staff/instructions",
    "/staff/instructions/retry-failed",
    "/staff/legal-holds",
    "/staff/breaches",
    "/staff/sub-processors",
    "/staff/tenants",
    "/staff/support",
    "/staff/team",
]
ADMIN_ONLY = {"/staff/team"}


async def test_staff_sign_in_opens_the_console_with_the_session_cookie(
    live_server: str, acme: Accounts, staff: Accounts
) -> None:
    async with page_client(live_server) as browser:
        signed_in = await staff_sign_in(browser, staff.email("platform_staff"))
        assert signed_in.status_code == 303 and signed_in.headers["location"] == "/staff"
        cookie = signed_in.headers["set-cookie"]
        assert cookie.startswith(f"{SESSION_COOKIE}=platform.")
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
        overview = await browser.get("/staff")
        assert overview.status_code == 200 and "Processor console" in overview.text
        assert (await browser.get("/api/v1/platform/instructions")).status_code == 401
        assert (await browser.get("/home")).status_code == 404  # no tenant of their own
        signed_out = await submit(browser, "/staff", "/sign-out", {})
        assert signed_out.headers["location"] == "/staff/sign-in"
        assert (await browser.get("/staff")).headers["location"] == "/staff/sign-in?next=/staff"


async def test_the_wrong_people_and_passwords_get_the_one_answer_then_a_429(
    live_server: str, acme: Accounts, staff: Accounts
) -> None:
    async with page_client(live_server, "127.0.0.61") as browser:
        tenant_user = await staff_sign_in(browser, acme.email("client_admin"))
        assert tenant_user.status_code == 401
        assert "Wrong e-mail, password or organisation." in tenant_user.text
        on_tenant_page = await sign_in(browser, staff.email("platform_staff"), "platform")
        assert on_tenant_page.status_code == 400 and "/staff/sign-in" in on_tenant_page.text
        statuses = []
        for _ in range(6):
            response = await submit(
                browser,
                "/staff/sign-in",
                "/staff/sign-in",
                {"email": staff.email("platform_admin"), "password": "wrong password!"},
            )
            statuses.append(response.status_code)
        assert statuses[:4] == [401] * 4 and statuses[-1] == 429
        assert int(response.headers["retry-after"]) > 0


@pytest.mark.parametrize(
    "change",
    [
        "update users set status = 'disabled' where id = $1",
        "update platform_staff set role = 'platform_admin' where user_id = $1",
    ],
)
async def test_disabling_or_a_role_change_ends_the_staff_session_at_once(
    live_server: str, owner: asyncpg.Pool, staff: Accounts, change: str
) -> None:
    async with page_client(live_server) as browser:
        await staff_sign_in(browser, staff.email("platform_staff"))
        assert (await browser.get("/staff")).status_code == 200
        async with owner.acquire() as conn:
            await conn.execute(change, staff.user_id("platform_staff"))
        assert (await browser.get("/staff")).status_code == 303


async def test_idle_and_absolute_timeouts_end_a_staff_session(
    live_server: str, staff: Accounts, monkeypatch: pytest.MonkeyPatch
) -> None:
    start = clock.now()
    async with page_client(live_server, "127.0.0.62") as browser:
        await staff_sign_in(browser, staff.email("platform_staff"))
        monkeypatch.setattr(clock, "now", lambda: start + timedelta(minutes=29))
        assert (await browser.get("/staff")).status_code == 200
        monkeypatch.setattr(clock, "now", lambda: start + timedelta(minutes=60))
        assert (await browser.get("/staff")).status_code == 303
        later = start + timedelta(hours=2)
        monkeypatch.setattr(clock, "now", lambda: later)
        await staff_sign_in(browser, staff.email("platform_staff"))
        for minutes in range(25, 12 * 60, 25):
            monkeypatch.setattr(clock, "now", lambda m=minutes: later + timedelta(minutes=m))
            assert (await browser.get("/staff")).status_code == 200, minutes
        monkeypatch.setattr(clock, "now", lambda: later + timedelta(hours=12, minutes=1))
        assert (await browser.get("/staff")).status_code == 303


async def test_every_page_opens_for_the_roles_its_api_twin_allows(
    live_server: str, acme: Accounts, staff: Accounts
) -> None:
    async with page_client(live_server) as admin:
        await staff_sign_in(admin, staff.email("platform_admin"))
        for path in STAFF_PAGES:
            response = await admin.get(path)
            assert response.status_code == 200, (path, response.text[-2000:])
    async with page_client(live_server) as member:
        await staff_sign_in(member, staff.email("platform_staff"))
        for path in STAFF_PAGES:
            expected = 404 if path in ADMIN_ONLY else 200  # as the API answers staff
            assert (await member.get(path)).status_code == expected, path
        overview = await member.get("/staff")
        assert 'href="/staff/team"' not in overview.text  # not offered either
        refused = await submit(
            member, "/staff/legal-holds", "/staff/legal-holds", {"tenant_id": str(acme.tenant_id)}
        )
        assert refused.status_code == 404 and "Not found" in refused.text
    async with page_client(live_server) as employee:
        await sign_in(employee, acme.email("client_admin"), "acme")
        assert (await employee.get("/staff")).status_code == 403


async def test_bad_input_is_a_4xx_page_naming_the_problem(
    live_server: str, acme: Accounts, staff: Accounts
) -> None:
    async with page_client(live_server) as browser:
        await staff_sign_in(browser, staff.email("platform_admin"))
        cases = [
            ("/staff/legal-holds", {"tenant_id": "not-an-id", "scope": "tenant"}, 400),
            (
                "/staff/legal-holds",
                {
                    "tenant_id": str(acme.tenant_id),
                    "scope": "tenant",
                    "basis": "Court order",
                    "reference": "X 1",
                    "subject_user_id": str(acme.user_id("employee")),
                },
                422,  # a tenant hold names no subject: the API's 422
            ),
            ("/staff/breaches", {"title": "Leak", "discovered_at": "yesterday"}, 400),
            ("/staff/tenants", {"slug": "acme", "name": "A", "country": "XX"}, 400),
            ("/staff/team", {"email": "not an address", "role": "platform_staff"}, 400),
            ("/staff/team", {"email": "new@timeward.test", "role": "god"}, 400),
            ("/staff/sub-processors", {"name": "Mailer"}, 400),
            ("/staff/support/enter", {"tenant_id": str(acme.tenant_id)}, 404),
            (f"/staff/tenants/{acme.tenant_id}/status", {"status": "gone"}, 400),
            (f"/staff/instructions/{UUID(int=1)}/status", {"status": "scheduled"}, 404),
            (f"/staff/legal-holds/{UUID(int=1)}/release", {"reason": "done with it"}, 404),
        ]
        for action, fields, status in cases:
            response = await submit(browser, "/staff", action, fields)
            assert response.status_code == status, (action, fields, response.text[-1500:])
            assert response.headers["content-type"].startswith("text/html"), action
            assert 'data-testid="error-detail"' in response.text
        for path in (
            f"/staff/instructions/{UUID(int=1)}",
            f"/staff/breaches/{UUID(int=1)}",
            "/staff/instructions?limit=100000",
        ):
            response = await browser.get(path)
            assert response.status_code in (400, 404), path
            assert response.headers["content-type"].startswith("text/html"), path


async def test_a_staff_cookie_for_a_tenant_page_without_an_entered_grant_is_a_404(
    live_server: str, client: httpx.AsyncClient, acme: Accounts, bravo: Accounts, staff: Accounts
) -> None:
    granted = await client.post(
        "/api/v1/support-grants",
        json={"reason": "Ticket 4711: timesheet totals", "hours": 1},
        headers=acme.auth("client_admin"),
    )
    assert granted.status_code == 201, granted.text
    async with page_client(live_server) as browser:
        await staff_sign_in(browser, staff.email("platform_staff"))
        entered = await submit(
            browser, "/staff/support", "/staff/support/enter", {"tenant_id": str(acme.tenant_id)}
        )
        assert entered.headers["location"] == f"/staff/support/{acme.tenant_id}/employees"
        assert (await browser.get(entered.headers["location"])).status_code == 200
        other = await browser.get(f"/staff/support/{bravo.tenant_id}/employees")
        assert other.status_code == 404  # another tenant: no grant entered there
        no_grant = await submit(
            browser, "/staff/support", "/staff/support/enter", {"tenant_id": str(bravo.tenant_id)}
        )
        assert no_grant.status_code == 404
        revoked = await client.delete(
            f"/api/v1/support-grants/{granted.json()['id']}", headers=acme.auth("client_admin")
        )
        assert revoked.status_code == 200
        gone = await browser.get(f"/staff/support/{acme.tenant_id}/employees")
        assert gone.status_code == 404
        assert 'data-testid="support-banner"' not in (await browser.get("/staff")).text
    async with page_client(live_server) as tenant_admin:
        await sign_in(tenant_admin, acme.email("client_admin"), "acme")
        own = await tenant_admin.get(f"/staff/support/{acme.tenant_id}/employees")
        assert own.status_code == 404  # a tenant's own people use their own pages


async def test_a_platform_admin_changes_a_role_and_disables_staff_from_the_page(
    live_server: str, client: httpx.AsyncClient, staff: Accounts
) -> None:
    member = staff.user_id("platform_staff")
    async with page_client(live_server) as colleague, page_client(live_server) as admin:
        await staff_sign_in(colleague, staff.email("platform_staff"))
        assert (await colleague.get("/staff")).status_code == 200
        await staff_sign_in(admin, staff.email("platform_admin"))
        team = await admin.get("/staff/team")
        assert staff.email("platform_staff") in team.text
        own = await submit(
            admin, "/staff/team", f"/staff/team/{staff.user_id('platform_admin')}",
            {"status": "disabled"},
        )  # fmt: skip
        assert own.status_code == 409  # nobody locks themselves out
        promoted = await submit(
            admin, "/staff/team", f"/staff/team/{member}", {"role": "platform_admin"}
        )
        assert promoted.status_code == 303
        assert (await colleague.get("/staff")).status_code == 303  # their session ended
        listed = await client.get("/api/v1/platform/staff", headers=staff.auth("platform_admin"))
        roles = {m["user_id"]: (m["role"], m["status"]) for m in listed.json()["items"]}
        assert roles[str(member)] == ("platform_admin", "active")
        disabled = await submit(
            admin, "/staff/team", f"/staff/team/{member}", {"status": "disabled"}
        )
        assert disabled.status_code == 303
        refused = await staff_sign_in(colleague, staff.email("platform_staff"))
        assert refused.status_code == 401
        bad = await submit(admin, "/staff/team", f"/staff/team/{member}", {"role": "owner"})
        assert bad.status_code == 400
    changes = await client.get(
        "/api/v1/audit-events",
        params={"action": "staff.status_changed"},
        headers=staff.auth("platform_admin"),
    )
    [event] = changes.json()["items"]
    assert event["subject_id"] == str(member)


async def test_staff_sessions_are_rows_of_the_platform_scope_only(
    live_server: str, db: Database, acme: Accounts, staff: Accounts
) -> None:
    async with page_client(live_server) as browser:
        await staff_sign_in(browser, staff.email("platform_staff"))
        cookie = browser.cookies[SESSION_COOKIE]
    count = select(func.count()).select_from(StaffSession)
    async with db.transaction(Scope.PLATFORM) as session:
        stored = list((await session.scalars(select(StaffSession.token_hash))).all())
    assert stored == [digest(cookie)]  # the digest only, never the secret
    assert acme.tenant_id
    async with db.transaction(Scope.TENANT, acme.tenant_id) as session:
        assert await session.scalar(count) == 0
    async with db.transaction(Scope.AUTH) as session:
        assert await session.scalar(count) == 0
