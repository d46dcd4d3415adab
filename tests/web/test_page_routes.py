"""Every page route is public by name or declares a permission (the API's route walk in
tests/test_authorization.py leaves pages to this file), sits in the page half of the URL
space (no bearer token, a session cookie), stays out of the OpenAPI schema, and a role
the policy refuses gets a 403 page."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute

from tests.accounts import Accounts
from tests.web.pages import page_client, sign_in
from tests.web.staff.routes import STAFF_PAGES, STAFF_PUBLIC_PAGES
from timeward.web.site import PAGE_PATHS

PUBLIC_PAGES = {
    ("GET", "/"),
    ("GET", "/sign-in"),
    ("POST", "/sign-in"),
    ("GET", "/t/{slug:str}/sign-in"),
    ("POST", "/sign-out"),
    ("GET", "/forgot-password"),
    ("POST", "/forgot-password"),
    ("GET", "/privacy"),
    ("GET", "/transparency"),
    ("GET", "/privacy-request"),
    ("POST", "/privacy-request"),
    ("GET", "/privacy-request/received"),
    ("GET", "/t/{slug:str}/privacy-request"),
    # the recipient of a portability transfer: the link's token is the credential
    ("GET", "/privacy-transfers/{tenant_id:uuid}/{export_id:uuid}"),
    ("GET", "/privacy-transfers/{tenant_id:uuid}/{export_id:uuid}/download"),
    ("GET", "/privacy/notice"),
    ("GET", "/privacy/notice/v/{number:int}"),
    ("GET", "/t/{slug:str}/privacy-notice"),
    ("GET", "/t/{slug:str}/privacy-notice/v/{number:int}"),
    ("GET", "/static/{file_path:path}"),
    ("POST", "/language"),
    ("GET", "/invitations/{token:str}"),
    ("POST", "/invitations/{token:str}"),
    ("GET", "/sso/start"),
    ("GET", "/sso/callback"),
    ("GET", "/sso/signed-out/{slug:str}"),
    # the signed unsubscribe link of optional mail (its signature is the capability)
    ("GET", "/mail/unsubscribe/{token:str}"),
    ("POST", "/mail/unsubscribe/{token:str}"),
}
SIGNED_IN_PAGES = {
    ("GET", "/home"): ("me", "read"),
    ("POST", "/home/clock"): ("clock", "create"),
    ("GET", "/my/time"): ("me_time", "read"),
    ("GET", "/my/data"): ("me", "read"),
    ("POST", "/my/data/directory"): ("me_directory", "update"),
    ("GET", "/my/directory"): ("directory", "read"),
    ("GET", "/my/mail"): ("me_mail", "read"),
    ("POST", "/my/mail"): ("me_mail", "update"),
    ("GET", "/my/privacy-notice"): ("privacy_notice", "read"),
    ("POST", "/my/privacy-notice/answer"): ("privacy_notice_answers", "create"),
    ("GET", "/my/privacy-requests"): ("my_privacy_requests", "read"),
    ("POST", "/my/privacy-requests"): ("my_privacy_requests", "create"),
    ("GET", "/my/privacy-requests/{request_id:uuid}"): ("my_privacy_requests", "read"),
    ("GET", "/my/privacy-requests/{request_id:uuid}/export"): ("my_privacy_requests", "read"),
    ("POST", "/my/privacy-requests/{request_id:uuid}/transfer/confirm"): (
        "my_privacy_requests",
        "update",
    ),
    ("POST", "/my/privacy-requests/{request_id:uuid}/transfer/cancel"): (
        "my_privacy_requests",
        "update",
    ),
    ("GET", "/my/notifications"): ("my_notifications", "read"),
    ("POST", "/my/notifications/{notification_id:uuid}/read"): ("my_notifications", "update"),
    ("GET", "/admin/timesheets"): ("time_entries", "read"),
    ("GET", "/admin/timesheets/employees/{employee_id:uuid}"): ("time_entries", "read"),
    ("GET", "/admin/timesheets/entries/{entry_id:uuid}"): ("time_entries", "read"),
    ("POST", "/admin/timesheets/entries"): ("time_entries", "create"),
    ("POST", "/admin/timesheets/entries/{entry_id:uuid}"): ("time_entries", "update"),
    ("POST", "/admin/timesheets/entries/{entry_id:uuid}/decision"): ("time_entries", "approve"),
    ("GET", "/admin/timesheets/export"): ("time_entries", "export"),
    ("POST", "/admin/timesheets/locks/{month:str}"): ("period_locks", "lock"),
    ("POST", "/admin/timesheets/locks/{month:str}/reopen"): ("period_locks", "reopen"),
    # the client admin's workforce pages (docs/web.md says why the lists need more than read)
    ("GET", "/admin/employees"): ("employee_contact", "read"),
    ("GET", "/admin/employees/new"): ("employees", "create"),
    ("POST", "/admin/employees"): ("employees", "create"),
    ("GET", "/admin/employees/{employee_id:uuid}"): ("employees", "update"),
    ("POST", "/admin/employees/{employee_id:uuid}"): ("employees", "update"),
    ("POST", "/admin/employees/{employee_id:uuid}/deactivate"): ("employees", "update"),
    ("POST", "/admin/employees/{employee_id:uuid}/location-limit-lift"): ("employees", "update"),
    ("GET", "/admin/users"): ("users", "read"),
    ("POST", "/admin/users"): ("users", "create"),
    ("POST", "/admin/users/{user_id:uuid}"): ("users", "update"),
    ("GET", "/admin/sites"): ("sites", "update"),
    ("GET", "/admin/sites/new"): ("sites", "create"),
    ("POST", "/admin/sites"): ("sites", "create"),
    ("GET", "/admin/sites/{site_id:uuid}"): ("sites", "update"),
    ("POST", "/admin/sites/{site_id:uuid}"): ("sites", "update"),
    ("GET", "/admin/settings/location"): ("settings", "read"),
    ("POST", "/admin/settings/location"): ("settings", "update"),
    ("POST", "/admin/settings/directory"): ("settings", "update"),
    ("POST", "/admin/settings/mail"): ("settings", "update"),
    # The client admin's privacy-request console: the permissions of the API twins.
    ("GET", "/admin/privacy-requests"): ("privacy_requests", "read"),
    ("GET", "/admin/privacy-requests/{request_id:uuid}"): ("privacy_requests", "read"),
    ("GET", "/admin/privacy-requests/{request_id:uuid}/export"): ("privacy_requests", "read"),
    **{
        ("POST", f"/admin/privacy-requests/{{request_id:uuid}}/{step}"): ("privacy_requests", act)
        for step, act in (
            ("identity", "decide"),
            ("extension", "decide"),
            ("refusal", "decide"),
            ("completion", "decide"),
            ("export", "fulfil"),
            ("erasure", "fulfil"),
            ("rectification", "fulfil"),
            ("flags", "fulfil"),
            ("restriction-lift", "fulfil"),
        )
    },
    # the client admin's instructions (tests/web/admin/test_instructions_*.py)
    ("GET", "/admin/instructions"): ("instructions", "read"),
    ("GET", "/admin/instructions/confirm"): ("instructions", "create"),
    ("POST", "/admin/instructions"): ("instructions", "create"),
    ("GET", "/admin/instructions/{instruction_id:uuid}"): ("instructions", "read"),
    ("POST", "/admin/instructions/{instruction_id:uuid}/cancel"): ("instructions", "cancel"),
    ("GET", "/admin/instructions/{instruction_id:uuid}/export"): ("instructions", "export"),
    ("GET", "/admin/instructions/{instruction_id:uuid}/certificate"): ("instructions", "read"),
    # the client admin's accountability pages (tests/web/admin/test_accountability_*.py)
    ("GET", "/admin/breaches"): ("breaches", "read"),
    ("GET", "/admin/authority-requests"): ("authority_requests", "read"),
    ("GET", "/admin/breaches/{breach_id:uuid}"): ("breaches", "read"),
    ("POST", "/admin/breaches/{breach_id:uuid}/acknowledge"): ("breaches", "acknowledge"),
    ("GET", "/admin/sub-processors"): ("sub_processor_objections", "create"),
    ("POST", "/admin/sub-processors/changes/{change_id:uuid}/objections"): (
        "sub_processor_objections",
        "create",
    ),
    ("GET", "/admin/support"): ("support_grants", "read"),
    ("POST", "/admin/support"): ("support_grants", "create"),
    ("POST", "/admin/support/{grant_id:uuid}/revoke"): ("support_grants", "delete"),
    ("GET", "/admin/processing"): ("processing_records", "read"),
    ("GET", "/admin/processing/record.json"): ("processing_records", "read"),
    ("GET", "/admin/processing/record.html"): ("processing_records", "read"),
    ("POST", "/admin/processing/controller"): ("processing_records", "update"),
    ("GET", "/admin/retention"): ("retention", "read"),
    ("POST", "/admin/retention/{category:str}"): ("retention", "update"),
    ("GET", "/admin/audit"): ("audit_events", "read"),
    ("GET", "/admin/audit/verify"): ("audit_events", "read"),
    ("GET", "/admin/audit/export.csv"): ("audit_events", "read"),
    ("GET", "/admin/settings/sso"): ("sso_settings", "read"),
    ("POST", "/admin/settings/sso"): ("sso_settings", "update"),
    ("POST", "/admin/settings/sso/remove"): ("sso_settings", "update"),
    # API clients and webhooks (tests/web/admin/test_machine_pages.py): the API twins'
    ("GET", "/admin/api-clients"): ("api_clients", "read"),
    ("POST", "/admin/api-clients"): ("api_clients", "create"),
    ("POST", "/admin/api-clients/{client_id:uuid}/rotate"): ("api_clients", "update"),
    ("POST", "/admin/api-clients/{client_id:uuid}/revoke"): ("api_clients", "delete"),
    ("GET", "/admin/webhooks"): ("webhooks", "read"),
    ("POST", "/admin/webhooks"): ("webhooks", "create"),
    ("GET", "/admin/webhooks/{endpoint_id:uuid}"): ("webhooks", "read"),
    ("POST", "/admin/webhooks/{endpoint_id:uuid}/delete"): ("webhooks", "delete"),
    ("POST", "/admin/webhooks/{endpoint_id:uuid}/enable"): ("webhooks", "update"),
    ("POST", "/admin/webhooks/{endpoint_id:uuid}/deliveries/{delivery_id:uuid}/redeliver"): (
        "webhooks",
        "update",
    ),
}


def page_routes(app: Litestar) -> dict[tuple[str, str], dict[str, Any]]:
    found = {}
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            if handler.opt.get("page"):
                for method in handler.http_methods - {"OPTIONS", "HEAD"}:
                    found[(method, route.path)] = handler.opt
    return found


def test_every_page_is_public_by_name_or_guarded(live_app: Litestar) -> None:
    routes = page_routes(live_app)
    public = {key for key, opt in routes.items() if opt.get("public")}
    guarded = {key: opt["permission"] for key, opt in routes.items() if "permission" in opt}
    assert public == PUBLIC_PAGES | STAFF_PUBLIC_PAGES
    assert guarded == {**SIGNED_IN_PAGES, **STAFF_PAGES}
    assert set(routes) == public | set(guarded)


def test_pages_live_in_the_page_half_and_out_of_the_api_schema(live_app: Litestar) -> None:
    pattern = re.compile(PAGE_PATHS)
    for _, path in page_routes(live_app):
        assert pattern.search(path), path
    for route in live_app.routes:
        if route.path.startswith(("/api/", "/oauth/", "/opendsr/")):
            assert not pattern.search(route.path), route.path
    documented = live_app.openapi_schema.paths or {}
    # the machine clients' endpoints (docs/machine-api.md) are API too
    api_paths = ("/api/", "/health", "/ready", "/.well-known", "/docs", "/oauth/", "/opendsr/")
    assert all(path.startswith(api_paths) for path in documented)


async def test_a_page_the_role_may_not_see_is_a_403_page(
    live_server: str, live_app: Litestar, acme: Accounts, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with page_client(live_server) as browser:
        await sign_in(browser, acme.email("employee"), "acme")
        enforcer = live_app.state.enforcer
        monkeypatch.setattr(enforcer, "allows", lambda *_: False)
        refused = await browser.get("/my/time")
        assert refused.status_code == 403
        assert refused.headers["content-type"].startswith("text/html")
        assert "Not allowed" in refused.text


async def test_unknown_static_files_and_api_errors_keep_their_shape(
    client: httpx.AsyncClient,
) -> None:
    css = await client.get("/static/site.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    missing = await client.get("/api/v1/me")
    assert missing.status_code == 401 and missing.json()["status"] == 401


async def test_the_api_docs_load_nothing_from_another_host(client: httpx.AsyncClient) -> None:
    docs = await client.get("/docs")
    assert docs.status_code == 200
    assert 'src="/static/swagger-ui-bundle.js"' in docs.text.replace("'", '"')
    assert not re.search(r"""(src|href)=["']https?://""", docs.text)
    bundle = await client.get("/static/swagger-ui-bundle.js")
    assert bundle.status_code == 200 and len(bundle.content) > 100_000
