"""One e-mail address syntax on every route: a single mailbox that fits in a mail header."""

from __future__ import annotations

import httpx
import pytest

from tests.accounts import Accounts

NOT_ONE_MAILBOX = [
    "first,second@x.test",  # two addresses in a header
    "Eve <eve@x.test>",
    "eve@x.test\n",
    "eve@x.test\r\nBcc: mallory@x.test",
    "ev\x01e@x.test",
    "ev e@x.test",
    '"eve"@x.test',
    "eve@x",
    "eve..x@x.test",
    "eve@x.test;mallory@x.test",
]


@pytest.mark.parametrize("address", NOT_ONE_MAILBOX)
async def test_an_address_that_is_not_one_mailbox_is_refused_on_every_route(
    client: httpx.AsyncClient, acme: Accounts, staff: Accounts, address: str
) -> None:
    password = "a long enough password"
    routes = [
        (
            "/api/v1/users",
            {"email": address, "role": "client_admin", "password": password},
            acme.auth("client_admin"),
        ),
        ("/api/v1/employees", {"name": "Eve", "work_email": address}, acme.auth("client_admin")),
        (
            "/api/v1/public/privacy-requests",
            {"email": address, "text": "What do you hold about me?"},
            {},
        ),
        (
            "/api/v1/platform/staff",
            {"email": address, "role": "platform_staff", "password": password},
            staff.auth("platform_admin"),
        ),
    ]
    for path, body, headers in routes:
        response = await client.post(path, json=body, headers=headers)
        assert response.status_code == 400, (path, response.text)
        assert "email" in str(response.json()["errors"]), (path, response.text)


async def test_a_comma_address_cannot_break_an_employees_privacy_requests(
    client: httpx.AsyncClient, acme: Accounts
) -> None:
    """A client admin `first,second@x.test` made every request of the tenant answer 500."""
    created = await client.post(
        "/api/v1/users",
        json={
            "email": "first,second@x.test",
            "role": "client_admin",
            "password": "a long enough password",
        },
        headers=acme.auth("client_admin"),
    )
    assert created.status_code == 400
    filed = await client.post(
        "/api/v1/me/privacy-requests",
        json={"request_type": "access"},
        headers=acme.auth("employee"),
    )
    assert filed.status_code == 201, filed.text
