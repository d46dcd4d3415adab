"""The client admin's API-client and webhook pages over HTTP against the real app: a
client created with its secret shown once (and working at /oauth/token), a new secret,
revocation refusing the client at once; an endpoint registered for a receiver on
loopback, its secret shown once and verifying what arrives, the delivery log, a manual
redelivery, the endpoint removed; CSRF, bad input, roles and other tenants."""

from __future__ import annotations

import json
import re

import httpx

from tests.accounts import Accounts
from tests.fixtures.jobs import Jobs
from tests.machine.receiver import running_receiver, verify
from tests.web.admin.admin_session import signed_in_as
from tests.web.pages import submit

CLIENTS, WEBHOOKS = "/admin/api-clients", "/admin/webhooks"


def shown(html: str, testid: str) -> str:
    found = re.search(rf'data-testid="{testid}">([^<]+)<', html)
    assert found, testid
    return found.group(1)


async def token_status(client: httpx.AsyncClient, client_id: str, secret: str) -> int:
    response = await client.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret)
    )
    return response.status_code


async def test_a_client_is_created_with_its_secret_shown_once_rotated_and_revoked(
    live_server: str, client: httpx.AsyncClient, acme: Accounts, bravo: Accounts
) -> None:
    async with signed_in_as(live_server, acme) as browser:
        empty = await browser.get(CLIENTS)
        assert "You have no API client." in empty.text
        assert 'href="/admin/api-clients"' in empty.text  # in the navigation
        fields = {
            "name": "Privacy <platform>",
            "scopes": ["instructions:read", "webhooks:manage"],
            "expires_at": "2099-06-30",
        }
        created = await submit(browser, CLIENTS, CLIENTS, fields)
        assert created.status_code == 200, created.text
        assert created.headers["cache-control"] == "no-store"
        client_id, secret = shown(created.text, "client-id"), shown(created.text, "client-secret")
        assert secret.startswith("tws_")
        assert "Privacy &lt;platform&gt;" in created.text  # escaped
        assert await token_status(client, client_id, secret) == 200

        listed = await browser.get(CLIENTS)
        assert client_id in listed.text and secret not in listed.text
        api = await client.get("/api/v1/api-clients", headers=acme.auth("client_admin"))
        [item] = api.json()["items"]
        assert item["scopes"] == ["instructions:read", "webhooks:manage"]
        assert item["expires_at"] == "2099-06-30T00:00:00Z"

        rotated = await submit(browser, CLIENTS, f"{CLIENTS}/{client_id}/rotate", {})
        assert rotated.status_code == 200, rotated.text
        new_secret = shown(rotated.text, "client-secret")
        assert new_secret != secret
        assert await token_status(client, client_id, secret) == 401
        assert await token_status(client, client_id, new_secret) == 200

        # no scope, no name: refused with a page naming the field, nothing created
        for bad, status in (
            ({"name": "x"}, 400),  # the API's struct: a field missing
            ({"scopes": ["instructions:read"]}, 400),
            ({"name": "x", "scopes": ["root"]}, 422),  # the service: no such scope
        ):
            refused = await submit(browser, CLIENTS, CLIENTS, bad)
            assert refused.status_code == status, refused.text
            assert refused.headers["content-type"].startswith("text/html")
        no_csrf = await browser.post(CLIENTS, data={"name": "x", "scopes": "instructions:read"})
        assert no_csrf.status_code == 403
        api = await client.get("/api/v1/api-clients", headers=acme.auth("client_admin"))
        assert len(api.json()["items"]) == 1

        async with signed_in_as(live_server, bravo) as stranger:
            other = await submit(stranger, CLIENTS, f"{CLIENTS}/{client_id}/revoke", {})
            assert other.status_code == 404
        assert await token_status(client, client_id, new_secret) == 200

        revoked = await submit(browser, CLIENTS, f"{CLIENTS}/{client_id}/revoke", {})
        assert revoked.status_code == 303
        after = await browser.get(revoked.headers["location"])
        assert "The API client is revoked" in after.text
        assert shown(after.text, "client-state").strip().startswith("revoked")
        assert await token_status(client, client_id, new_secret) == 401

    async with signed_in_as(live_server, acme, "client_manager") as manager:
        assert (await manager.get(CLIENTS)).status_code == 403
        assert (await manager.get(WEBHOOKS)).status_code == 403
        home = await manager.get("/home")
        assert 'href="/admin/api-clients"' not in home.text


async def test_an_endpoint_is_registered_delivered_to_redelivered_and_removed(
    live_server: str, client: httpx.AsyncClient, acme: Accounts, bravo: Accounts, jobs: Jobs
) -> None:
    with running_receiver() as receiver:
        async with signed_in_as(live_server, acme) as browser:
            fields = {
                "url": receiver.url(),
                "events": ["privacy_request.filed", "breach.notified"],
                "allow_private_network": "on",
            }
            registered = await submit(browser, WEBHOOKS, WEBHOOKS, fields)
            assert registered.status_code == 200, registered.text
            secret = shown(registered.text, "webhook-secret")
            assert secret.startswith("whsec_")
            listed = await browser.get(WEBHOOKS)
            assert receiver.url() in listed.text and secret not in listed.text
            [endpoint] = (
                await client.get("/api/v1/webhooks", headers=acme.auth("client_admin"))
            ).json()["items"]
            page = f"{WEBHOOKS}/{endpoint['id']}"
            assert "Nothing was sent to this endpoint yet." in (await browser.get(page)).text

            filed = await client.post(
                "/api/v1/me/privacy-requests",
                json={"request_type": "access"},
                headers=acme.auth("employee"),
            )
            assert filed.status_code == 201, filed.text
            await jobs.drain(30)
            [first] = receiver.wait_for(1)
            verify(secret, first.headers, first.body)
            assert json.loads(first.body)["type"] == "privacy_request.filed"

            log = await browser.get(page)
            assert shown(log.text, "delivery-state") == "delivered"
            delivery = re.search(r"/deliveries/([0-9a-f-]{36})/redeliver", log.text)
            assert delivery
            again = await submit(
                browser, page, f"{page}/deliveries/{delivery.group(1)}/redeliver", {}
            )
            assert again.status_code == 303
            await jobs.drain(30)
            second = receiver.wait_for(2)[1]
            verify(secret, second.headers, second.body)
            assert second.headers["webhook-id"] == first.headers["webhook-id"]
            assert (await browser.get(page)).text.count('data-testid="delivery"') == 2

            bad = await submit(browser, WEBHOOKS, WEBHOOKS, {"url": "ftp://x", "events": []})
            assert bad.status_code == 400 and "text/html" in bad.headers["content-type"]
            inside = {"url": "https://10.0.0.1/hook", "events": ["breach.notified"]}
            refused = await submit(browser, WEBHOOKS, WEBHOOKS, inside)
            assert refused.status_code == 422, refused.text

            async with signed_in_as(live_server, bravo) as stranger:
                assert (await stranger.get(page)).status_code == 404
                gone = await submit(stranger, WEBHOOKS, f"{page}/delete", {})
                assert gone.status_code == 404

            removed = await submit(browser, page, f"{page}/delete", {})
            assert removed.status_code == 303
            assert "You have no webhook endpoint." in (await browser.get(WEBHOOKS)).text
            assert (await browser.get(page)).status_code == 404
