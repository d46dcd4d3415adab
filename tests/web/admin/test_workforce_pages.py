"""The client admin's workforce pages over HTTP, against the real app and database:
employees (create, edit, search, deactivate, the restriction refusing an edit, bad input
shown on the form again), users and roles (invite, change role, disable), job sites with
their geofence drawn, the location setting and the employee's text; a manager gets a
403 page and another tenant's ids a 404 page on every one of them."""

from __future__ import annotations

import html
import re
from uuid import UUID

import httpx
import pytest

from tests.accounts import PASSWORD, Accounts, mailed_link
from tests.web.pages import csrf_token, page_client, sign_in, submit
from tests.workforce.seed import HQ, seed_workforce, set_location_mode
from timeward.db.session import Database

XSS = "<script>alert(1)</script>"
NOBODY = "00000000-0000-0000-0000-000000000000"


def employee_id_of(response: httpx.Response) -> str:
    assert response.status_code == 303, response.text
    found = re.fullmatch(r"/admin/employees/([0-9a-f-]{36})", response.headers["location"])
    assert found, response.headers["location"]
    return found.group(1)


def problem_text(page: str) -> str:
    found = re.search(r'data-testid="problem">(.*?)</p>', page, re.S)
    assert found, "the page shows no problem"
    return html.unescape(re.sub(r"<[^>]+>", "", found.group(1)))


def field_value(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" type="[a-z]+" value="([^"]*)"', html)
    assert found, f"no field {name}"
    return found.group(1)


FULL = {
    "name": "Ada Lovelace",
    "employee_number": "A-17",
    "job_title": "Analyst",
    "hire_date": "2025-03-01",
    "work_email": "ada@acme.example",
    "phone": "+49 30 555 0101",
    "postal_address": "Unter den Linden 1, 10117 Berlin",
    "marketing_opt_in": "on",
}


async def test_an_admin_adds_an_employee_edits_them_and_finds_them(
    live_server: str, client: httpx.AsyncClient, acme: Accounts
) -> None:
    async with page_client(live_server) as browser:
        await sign_in(browser, acme.email("client_admin"), "acme")
        linked = {**FULL, "user_id": str(acme.user_id("employee"))}
        added = await submit(browser, "/admin/employees/new", "/admin/employees", linked)
        employee_id = employee_id_of(added)
        page = await browser.get(f"/admin/employees/{employee_id}")
        assert "The employee was added." in page.text
        for name in ("name", "employee_number", "job_title", "work_email", "phone"):
            assert field_value(page.text, name) == FULL[name]
        assert field_value(page.text, "hire_date") == "2025-03-01"
        assert f'<option value="{acme.user_id("employee")}" selected>' in page.text
        assert f'href="/admin/privacy-requests?employee={employee_id}"' in page.text

        edited = {**linked, "job_title": "Lead analyst", "status": "active"}
        edited.pop("marketing_opt_in")
        saved = await submit(
            browser, f"/admin/employees/{employee_id}", f"/admin/employees/{employee_id}", edited
        )
        assert saved.status_code == 303
        found = await browser.get("/admin/employees", params={"q": "lovel", "status": ""})
        assert found.text.count('data-testid="employee-row"') == 1
        assert "Ada Lovelace" in found.text and "ada@acme.example" in found.text
        by_number = await browser.get("/admin/employees", params={"q": "a-17"})
        assert "Ada Lovelace" in by_number.text
        nothing = await browser.get("/admin/employees", params={"q": "100%_"})
        assert "No employee matches this search." in nothing.text
        bogus = await browser.get("/admin/employees", params={"status": "fired"})
        assert bogus.status_code == 400 and "status must be empty or one of" in bogus.text
        endless = await browser.get("/admin/employees", params={"q": "x" * 201})
        assert endless.status_code == 422 and "Invalid q: a search of at most 200" in endless.text

        left = await submit(
            browser,
            f"/admin/employees/{employee_id}",
            f"/admin/employees/{employee_id}/deactivate",
            {},
        )
        assert left.status_code == 303
        active = await browser.get("/admin/employees", params={"status": "active"})
        assert "Ada Lovelace" not in active.text
    api = await client.get(f"/api/v1/employees/{employee_id}", headers=acme.auth("client_admin"))
    record = api.json()
    assert record["job_title"] == "Lead analyst" and record["marketing_opt_in"] is False
    assert record["status"] == "left" and record["user_id"] == str(acme.user_id("employee"))
    assert record["contact"]["postal_address"] == FULL["postal_address"]
    # the API twin searches with the same service
    admin = acme.auth("client_admin")
    searched = await client.get("/api/v1/employees", params={"q": "LOVEL"}, headers=admin)
    assert [item["id"] for item in searched.json()["items"]] == [employee_id]
    too_long = await client.get("/api/v1/employees", params={"q": "x" * 201}, headers=admin)
    assert too_long.status_code == 422 and too_long.json()["errors"][0]["key"] == "q"


@pytest.mark.parametrize(
    ("fields", "status", "field", "words"),
    [
        ({"name": ""}, 400, "Name", "This field is required."),
        ({"phone": "call me"}, 400, "Phone", "not in the expected form"),
        ({"hire_date": "2025-02-30"}, 400, "Hire date", "A date as YYYY-MM-DD"),
        ({"work_email": "not an address"}, 400, "Work e-mail", "not in the expected form"),
        ({"name": "x" * 201}, 400, "Name", "At most 200 characters."),
        ({"user_id": NOBODY}, 422, "User account", "no user account"),
        ({"employee_number": "E001"}, 409, "", "already has this employee number"),
    ],
)
async def test_bad_employee_input_comes_back_on_the_form_with_what_was_typed(
    live_server: str,
    client: httpx.AsyncClient,
    acme: Accounts,
    fields: dict[str, str],
    status: int,
    field: str,
    words: str,
) -> None:
    await seed_workforce(client, acme)  # E001 is taken
    async with page_client(live_server) as browser:
        await sign_in(browser, acme.email("client_admin"), "acme")
        answer = await submit(
            browser, "/admin/employees/new", "/admin/employees", {**FULL, **fields}
        )
        assert answer.status_code == status
        assert answer.headers["content-type"].startswith("text/html")
        assert problem_text(answer.text).startswith(field)
        assert words in problem_text(answer.text)
        assert field_value(answer.text, "job_title") == "Analyst"  # nothing typed is lost
        assert "Unter den Linden 1" in answer.text
    listed = await client.get(
        "/api/v1/employees", params={"limit": 200}, headers=acme.auth("client_admin")
    )
    assert "Ada Lovelace" not in listed.text


async def test_a_restriction_refuses_an_edit_until_it_is_lifted(
    live_server: str, client: httpx.AsyncClient, acme: Accounts
) -> None:
    workforce = await seed_workforce(client, acme)
    colleague = workforce.employees["colleague"]
    restricted = await client.patch(
        f"/api/v1/employees/{colleague}",
        json={"processing_restricted": True},
        headers=acme.auth("client_admin"),
    )
    assert restricted.status_code == 200
    path = f"/admin/employees/{colleague}"
    async with page_client(live_server) as browser:
        await sign_in(browser, acme.email("client_admin"), "acme")
        form = await browser.get(path)
        assert 'data-testid="restricted"' in form.text
        fields = {
            "name": "Colleague of acme",
            "employee_number": "E100",
            "job_title": "Renamed while frozen",
            "status": "active",
            "processing_restricted": "on",
        }
        refused = await browser.post(path, data={"_csrf_token": csrf_token(form.text), **fields})
        assert refused.status_code == 409
        assert "restricted" in problem_text(refused.text)
        assert field_value(refused.text, "job_title") == "Renamed while frozen"
        gone = await browser.post(f"{path}/deactivate", data={"_csrf_token": csrf_token(form.text)})
        assert gone.status_code == 409 and "restricted" in problem_text(gone.text)
        record = (
            await client.get(f"/api/v1/employees/{colleague}", headers=workforce.admin)
        ).json()
        assert record["job_title"] is None and record["status"] == "active"

        lifted = await submit(
            browser, path, path, {**fields, "job_title": "", "processing_restricted": ""}
        )
        assert lifted.status_code == 303
        again = await submit(browser, path, path, {**fields, "processing_restricted": ""})
        assert again.status_code == 303
    record = (await client.get(f"/api/v1/employees/{colleague}", headers=workforce.admin)).json()
    assert record["job_title"] == "Renamed while frozen"
    assert record["processing_restricted"] is False


async def test_markup_in_a_name_is_shown_as_text(
    live_server: str, client: httpx.AsyncClient, acme: Accounts
) -> None:
    async with page_client(live_server) as browser:
        await sign_in(browser, acme.email("client_admin"), "acme")
        added = await submit(browser, "/admin/employees/new", "/admin/employees", {"name": XSS})
        employee_id = employee_id_of(added)
        for path in ("/admin/employees", f"/admin/employees/{employee_id}"):
            page = await browser.get(path)
            assert XSS not in page.text
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


ADMIN_PAGES = [
    ("GET", "/admin/employees"),
    ("GET", "/admin/employees/new"),
    ("POST", "/admin/employees"),
    ("GET", "/admin/employees/{employee}"),
    ("POST", "/admin/employees/{employee}"),
    ("POST", "/admin/employees/{employee}/deactivate"),
    ("GET", "/admin/users"),
    ("POST", "/admin/users"),
    ("POST", "/admin/users/{user}"),
    ("GET", "/admin/sites"),
    ("GET", "/admin/sites/new"),
    ("POST", "/admin/sites"),
    ("GET", "/admin/sites/{site}"),
    ("POST", "/admin/sites/{site}"),
    ("GET", "/admin/settings/location"),
    ("POST", "/admin/settings/location"),
    ("POST", "/admin/settings/directory"),
]


async def _visit(
    browser: httpx.AsyncClient, token: str, method: str, template: str, ids: dict[str, str]
) -> httpx.Response:
    path = template.format(**ids)
    if method == "GET":
        return await browser.get(path)
    return await browser.post(path, data={"_csrf_token": token, "name": "x", "role": "employee"})


@pytest.mark.parametrize("role", ["client_manager", "employee"])
async def test_a_manager_or_employee_gets_a_403_page_on_every_admin_page(
    live_server: str, client: httpx.AsyncClient, acme: Accounts, role: str
) -> None:
    workforce = await seed_workforce(client, acme)
    ids = {
        "employee": str(workforce.employees["colleague"]),
        "user": str(acme.user_id("employee")),
        "site": str(workforce.sites["hq"]),
    }
    async with page_client(live_server) as browser:
        await sign_in(browser, acme.email(role), "acme")
        home = await browser.get("/home")
        for _, template in ADMIN_PAGES:  # no navigation to pages they may not open
            assert f'href="{template}"' not in home.text
        token = csrf_token(home.text)
        for method, template in ADMIN_PAGES:
            answer = await _visit(browser, token, method, template, ids)
            assert answer.status_code == 403, (method, template)
            assert "Not allowed" in answer.text
    record = await client.get(f"/api/v1/employees/{ids['employee']}", headers=workforce.admin)
    assert record.json()["name"] == "Colleague of acme"


async def test_another_tenants_ids_are_404_pages(
    live_server: str, client: httpx.AsyncClient, acme: Accounts, bravo: Accounts
) -> None:
    theirs = await seed_workforce(client, bravo)
    ids = {
        "employee": str(theirs.employees["colleague"]),
        "user": str(bravo.user_id("employee")),
        "site": str(theirs.sites["hq"]),
    }
    async with page_client(live_server) as browser:
        await sign_in(browser, acme.email("client_admin"), "acme")
        token = csrf_token((await browser.get("/admin/employees")).text)
        for method, template in ADMIN_PAGES:
            if "{" not in template:
                continue
            answer = await _visit(browser, token, method, template, ids)
            assert answer.status_code == 404, (method, template, answer.text)
            assert "Not found" in answer.text
    record = await client.get(f"/api/v1/employees/{ids['employee']}", headers=theirs.admin)
    assert record.json()["name"] == "Colleague of bravo" and record.json()["status"] == "active"
    users = await client.get("/api/v1/users", headers=bravo.auth("client_admin"))
    assert {u["role"] for u in users.json()["items"] if u["email"].startswith("employee")} == {
        "employee"
    }


async def test_invite_change_a_role_and_disable(
    live_server: str, client: httpx.AsyncClient, acme: Accounts, db: Database
) -> None:
    async with page_client(live_server) as browser:
        await sign_in(browser, acme.email("client_admin"), "acme")
        bad = await submit(
            browser, "/admin/users", "/admin/users", {"email": "not-an-address", "role": "employee"}
        )
        assert bad.status_code == 400 and problem_text(bad.text).startswith("E-mail")
        assert 'value="not-an-address"' in bad.text
        invited = await submit(
            browser,
            "/admin/users",
            "/admin/users",
            {"email": "new.hire@acme.example", "role": "client_manager"},
        )
        assert invited.status_code == 303
        users = await browser.get("/admin/users")
        assert "The invitation was sent by e-mail." in users.text
        row = re.search(r'data-email="new.hire@acme.example">(.*?)</tr>', users.text, re.S)
        assert row and "pending" in row.group(1) and "waits for the person" in row.group(1)
        assert await mailed_link(db, acme.tenant_id, "new.hire@acme.example", "invitations")

        employee = acme.user_id("employee")
        changed = await submit(
            browser, "/admin/users", f"/admin/users/{employee}", {"role": "client_manager"}
        )
        assert changed.status_code == 303
        disabled = await submit(
            browser, "/admin/users", f"/admin/users/{employee}", {"status": "disabled"}
        )
        assert disabled.status_code == 303
        mine = await submit(
            browser,
            "/admin/users",
            f"/admin/users/{acme.user_id('client_admin')}",
            {"role": "employee"},
        )
        assert mine.status_code == 409 and "your own role" in problem_text(mine.text)
        nonsense = await submit(
            browser, "/admin/users", f"/admin/users/{employee}", {"role": "owner"}
        )
        assert nonsense.status_code == 400 and problem_text(nonsense.text).startswith("Role")
    listed = await client.get("/api/v1/users", headers=acme.auth("client_admin"))
    by_email = {u["email"]: u for u in listed.json()["items"]}
    assert by_email[acme.email("employee")]["role"] == "client_manager"
    assert by_email[acme.email("employee")]["status"] == "disabled"
    assert by_email[acme.email("client_admin")]["role"] == "client_admin"
    assert by_email["new.hire@acme.example"]["status"] == "pending"


async def test_a_site_with_a_geofence_is_drawn_by_the_app(
    live_server: str, client: httpx.AsyncClient, acme: Accounts
) -> None:
    workforce = await seed_workforce(client, acme)  # geofence mode, hq and yard fenced
    async with page_client(live_server) as browser:
        await sign_in(browser, acme.email("client_admin"), "acme")
        fence = {"latitude": "52.5230", "longitude": "13.4140", "radius_m": "300"}
        partial = await submit(
            browser, "/admin/sites/new", "/admin/sites", {"name": "Depot", "latitude": "52.5"}
        )
        assert partial.status_code == 400 and "Geofence" in problem_text(partial.text)
        assert field_value(partial.text, "name") == "Depot"
        too_big = await submit(
            browser,
            "/admin/sites/new",
            "/admin/sites",
            {"name": "Depot", **fence, "radius_m": "20000"},
        )
        assert too_big.status_code == 400 and "radius" in problem_text(too_big.text).lower()
        taken = await submit(
            browser, "/admin/sites/new", "/admin/sites", {"name": "hq site", **fence}
        )
        assert taken.status_code == 409 and "already has this name" in problem_text(taken.text)
        added = await submit(
            browser,
            "/admin/sites/new",
            "/admin/sites",
            {"name": "Depot", "address": "Dock 4", **fence},
        )
        assert added.status_code == 303
        site_path = added.headers["location"]
        page = await browser.get(site_path)
        assert 'data-testid="geofence-preview"' in page.text
        assert 'data-testid="fence"' in page.text and "300 m around 52.523, 13.414" in page.text
        assert 'data-testid="scale-label">200 m<' in page.text
        assert 'data-testid="neighbour"' in page.text  # hq's fence, 130 m away, shows too
        assert "<img" not in page.text and "style=" not in page.text
        listed = await browser.get("/admin/sites")
        assert "Depot" in listed.text and "300 m around 52.523, 13.414" in listed.text

        await set_location_mode(client, workforce, "off")
        page = await browser.get(site_path)
        assert 'data-testid="no-preview"' in page.text
        assert 'data-testid="geofence-preview"' not in page.text
        archived = await submit(
            browser, site_path, site_path, {"name": "Depot", "address": "Dock 4", "active": ""}
        )
        assert archived.status_code == 303
        page = await browser.get(site_path)
        assert 'data-testid="no-geofence"' in page.text
    site_id = UUID(site_path.rsplit("/", 1)[1])
    stored = (await client.get(f"/api/v1/sites/{site_id}", headers=workforce.admin)).json()
    assert stored["geofence"] is None and stored["active"] is False  # the form cleared both
    hq = await client.get(f"/api/v1/sites/{workforce.sites['hq']}", headers=workforce.admin)
    assert hq.json()["geofence"] == HQ


async def test_the_location_setting_and_the_text_employees_see(
    live_server: str, client: httpx.AsyncClient, acme: Accounts
) -> None:
    await seed_workforce(client, acme)
    async with page_client(live_server) as browser:
        await sign_in(browser, acme.email("client_admin"), "acme")
        page = await browser.get("/admin/settings/location")
        assert "only that yes/no answer" in page.text  # the default, geofence
        bad = await submit(
            browser,
            "/admin/settings/location",
            "/admin/settings/location",
            {"location_mode": "precise", "precise_location_days": "365"},
        )
        assert bad.status_code == 400
        assert problem_text(bad.text).startswith("Days precise positions are kept")
        assert 'value="365"' in bad.text
        saved = await submit(
            browser,
            "/admin/settings/location",
            "/admin/settings/location",
            {"location_mode": "precise", "precise_location_days": "12"},
        )
        assert saved.status_code == 303
        page = await browser.get("/admin/settings/location")
        assert "for at most 12 days" in page.text
    async with page_client(live_server, "127.0.0.2") as browser:
        await sign_in(browser, acme.email("employee"), "acme")
        home = await browser.get("/home")
        assert "for at most 12 days" in home.text


async def test_the_invitation_link_page(
    live_server: str, client: httpx.AsyncClient, acme: Accounts, db: Database
) -> None:
    created = await client.post(
        "/api/v1/users",
        json={"email": "linked@acme.example", "role": "employee"},
        headers=acme.auth("client_admin"),
    )
    assert created.status_code == 201
    token = await mailed_link(db, acme.tenant_id, "linked@acme.example", "invitations")
    async with page_client(live_server) as browser:
        unknown = await browser.get("/invitations/iv_not-a-real-link")
        assert unknown.status_code == 404 and "Not found" in unknown.text
        page = await browser.get(f"/invitations/{token}")
        assert "acme GmbH" in page.text and "linked@acme.example" in page.text
        differ = await submit(
            browser,
            f"/invitations/{token}",
            f"/invitations/{token}",
            {"password": "a long own passphrase", "password_again": "something else"},
        )
        assert differ.status_code == 400 and "not the same" in differ.text
        weak = await submit(
            browser,
            f"/invitations/{token}",
            f"/invitations/{token}",
            {"password": "short", "password_again": "short"},
        )
        assert weak.status_code == 422 and "at least 12 characters" in weak.text
        own = "a long own passphrase"
        accepted = await submit(
            browser,
            f"/invitations/{token}",
            f"/invitations/{token}",
            {"password": own, "password_again": own},
        )
        assert accepted.status_code == 303 and accepted.headers["location"] == "/t/acme/sign-in"
        used = await browser.get(f"/invitations/{token}")
        assert used.status_code == 404
        signed = await sign_in(browser, "linked@acme.example", "acme", own)
        assert signed.status_code == 303 and signed.headers["location"] == "/home"


async def test_an_existing_identity_confirms_its_own_password_on_the_link(
    live_server: str, client: httpx.AsyncClient, acme: Accounts, bravo: Accounts, db: Database
) -> None:
    someone = bravo.email("employee")  # already has a password, set at bravo
    async with page_client(live_server) as browser:
        await sign_in(browser, acme.email("client_admin"), "acme")
        invited = await submit(
            browser, "/admin/users", "/admin/users", {"email": someone, "role": "employee"}
        )
        assert invited.status_code == 303
    token = await mailed_link(db, acme.tenant_id, someone, "invitations")
    async with page_client(live_server, "127.0.0.3") as browser:
        page = await browser.get(f"/invitations/{token}")
        assert "You already have a Timeward account" in page.text
        assert 'name="password_again"' not in page.text
        wrong = await submit(
            browser, f"/invitations/{token}", f"/invitations/{token}", {"password": "guess"}
        )
        assert wrong.status_code == 403 and "not the current password" in wrong.text
        right = await submit(
            browser, f"/invitations/{token}", f"/invitations/{token}", {"password": PASSWORD}
        )
        assert right.status_code == 303
        signed = await sign_in(browser, someone, "acme")
        assert signed.status_code == 303 and signed.headers["location"] == "/home"


async def test_the_admin_pages_speak_german(live_server: str, acme: Accounts) -> None:
    async with page_client(live_server) as browser:
        browser.headers["accept-language"] = "de-DE,de;q=0.9"
        await sign_in(browser, acme.email("client_admin"), "acme")
        users = await browser.get("/admin/users")
        assert "Benutzer und Rollen" in users.text and "Einladung senden" in users.text
        refused = await submit(
            browser, "/admin/sites/new", "/admin/sites", {"name": "", "radius_m": "abc"}
        )
        assert refused.status_code == 400
        assert problem_text(refused.text) == "Name: Dieses Feld ist erforderlich."
