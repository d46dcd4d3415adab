"""The API-client and webhook pages in Chromium: a client created, its secret seen once
(gone from every page after), the client revoked and refused at /oauth/token; an endpoint
registered with its signing secret shown once. axe-core finds no serious or critical
violation on these pages."""

from __future__ import annotations

from typing import Any

import httpx

from tests.accounts import Accounts
from tests.fixtures.jobs import Jobs
from tests.web.test_accessibility import blocking_violations
from tests.web.test_browser import signed_in


async def test_api_clients_and_webhooks_in_the_browser(
    open_browser: Any, client: httpx.AsyncClient, idle_jobs: Jobs, acme: Accounts
) -> None:
    visit = await open_browser()
    page = await signed_in(visit, acme.email("client_admin"))
    found: list[str] = []

    await page.click("nav >> text=API clients")
    await page.wait_for_url("**/admin/api-clients")
    found += await blocking_violations(page)
    await page.fill("#name", "Privacy platform")
    await page.check("input[value='instructions:read']")
    await page.check("input[value='privacy-requests:write']")
    await page.click("[data-testid=create-client]")
    secret = (await page.text_content("[data-testid=client-secret]") or "").strip()
    client_id = (await page.text_content("[data-testid=client-id]") or "").strip()
    assert secret.startswith("tws_")
    found += await blocking_violations(page)
    token = await client.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret)
    )
    assert token.status_code == 200, token.text
    assert token.json()["scope"] == "instructions:read privacy-requests:write"

    await page.click("text=Back to the API clients")
    await page.wait_for_url("**/admin/api-clients")
    assert secret not in await page.content()
    await page.go_back()  # the answer is not kept: the browser asks again, nothing is shown
    assert secret not in await page.content()
    await page.goto(page.url.split("/admin/")[0] + "/admin/api-clients")
    await page.click("[data-testid=revoke]")
    await page.wait_for_selector(
        "text=The API client is revoked: its tokens are refused from now on."
    )
    assert "revoked" in (await page.text_content("[data-testid=client-state]") or "")
    refused = await client.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret)
    )
    assert refused.status_code == 401

    await page.click("nav >> text=Webhooks")
    await page.wait_for_url("**/admin/webhooks")
    found += await blocking_violations(page)
    await page.fill("#url", "http://127.0.0.1:9/hook")
    await page.check("input[value='instruction.status_changed']")
    await page.check("input[name=allow_private_network]")
    await page.click("[data-testid=register-endpoint]")
    webhook_secret = (await page.text_content("[data-testid=webhook-secret]") or "").strip()
    assert webhook_secret.startswith("whsec_")
    found += await blocking_violations(page)
    await page.click("text=The endpoint's delivery log")
    await page.wait_for_selector("text=Nothing was sent to this endpoint yet.")
    assert await page.text_content("[data-testid=webhook-url]") == "http://127.0.0.1:9/hook"
    found += await blocking_violations(page)
    assert webhook_secret not in await page.content()
    assert found == []
