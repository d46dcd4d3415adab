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
    ("GET", "/privacy-request"),
    ("POST", "/privacy-request"),
    ("GET", "/privacy-request/received"),
    ("GET", "/t/{slug:str}/privacy-request"),
    ("GET", "/static/{file_path:path}"),
    ("POST", "/language"),
}
SIGNED_IN_PAGES = {
    ("GET", "/home"): ("me", "read"),
    ("POST", "/home/clock"): ("clock", "create"),
    ("GET", "/my/time"): ("me_time", "read"),
    ("GET", "/my/data"): ("me", "read"),
    ("GET", "/my/privacy-requests"): ("my_privacy_requests", "read"),
    ("POST", "/my/privacy-requests"): ("my_privacy_requests", "create"),
    ("GET", "/my/privacy-requests/{request_id:uuid}"): ("my_privacy_requests", "read"),
    ("GET", "/my/privacy-requests/{request_id:uuid}/export"): ("my_privacy_requests", "read"),
    ("GET", "/my/notifications"): ("my_notifications", "read"),
    ("POST", "/my/notifications/{notification_id:uuid}/read"): ("my_notifications", "update"),
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
    assert public == PUBLIC_PAGES
    assert guarded == SIGNED_IN_PAGES
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
