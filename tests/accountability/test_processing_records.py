"""Records of processing (Art. 30(2)) over HTTP: the required sections as JSON, a readable
and escaped HTML page, the controller's own details, and the static text's validation."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.accounts import Accounts, log_in_all
from tests.clients import seed_client
from timeward.db.session import Database
from timeward.processing.text import (
    PROCESSING_FILE,
    ProcessingTextError,
    load_processing_text,
    parse_processing_text,
)

OWN = "/api/v1/processing-records"
HOSTING = {
    "name": "Nimbus Compute",
    "purpose": "Hosting and backups",
    "location": "Virginia, USA",
    "data_categories": ["all service data"],
    "transfer_safeguard": "SCCs 2021/914 module 3",
}
MAIL = {
    "name": "PostHaste <b>Mail</b>",
    "purpose": "Delivery of service e-mail",
    "location": "Dublin, Ireland",
    "data_categories": ["e-mail addresses"],
}


async def _registry(client: httpx.AsyncClient, staff: Accounts) -> None:
    for entry in (HOSTING, MAIL):
        response = await client.post(
            "/api/v1/platform/sub-processors", json=entry, headers=staff.auth("platform_admin")
        )
        assert response.status_code == 201


async def test_json_record_has_every_required_section(
    client: httpx.AsyncClient, db: Database, staff: Accounts
) -> None:
    acme = await log_in_all(client, await seed_client(db, "acme", "DE", "BY"))
    await _registry(client, staff)
    admin = acme.auth("client_admin")

    response = await client.get(OWN, headers=admin)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    record = response.json()
    assert set(record) == {
        "generated_at",
        "processor",
        "controller",
        "categories_of_processing",
        "sub_processors",
        "transfers",
        "security_measures",
        "disclosures_to_authorities",  # requests from authorities the client was told of
    }
    assert record["disclosures_to_authorities"] == []
    assert record["processor"]["name"] == "Timeward"
    assert record["processor"]["contact"]
    assert record["controller"] | {"details_updated_at": None} == {
        "name": "acme GmbH",
        "contact": "not provided",
        "dpo": None,
        "representative": None,
        "tenant_id": str(acme.tenant_id),
        "country": "DE",
        "subdivision": "BY",
        "details_updated_at": None,
    }
    with PROCESSING_FILE.open("rb") as file:
        policy = tomllib.load(file)
    assert [c["name"] for c in record["categories_of_processing"]] == [
        c["name"] for c in policy["categories"]
    ]
    assert [m["area"] for m in record["security_measures"]] == [
        m["area"] for m in policy["measures"]
    ]
    assert record["sub_processors"]["registry_version"] == 2
    assert [s["name"] for s in record["sub_processors"]["entries"]] == [
        "Nimbus Compute",
        "PostHaste <b>Mail</b>",
    ]
    assert record["transfers"] == [
        {
            "recipient": "Nimbus Compute",
            "location": "Virginia, USA",
            "safeguard": "SCCs 2021/914 module 3",
        }
    ]

    details = {
        "contact": "Acme GmbH, Hauptstr. 1, 80331 München; privacy@acme.example",
        "dpo": "Dr. D. Schutz, dpo@acme.example",
    }
    updated = await client.put(f"{OWN}/controller", json=details, headers=admin)
    assert updated.status_code == 200, updated.text
    controller = (await client.get(OWN, headers=admin)).json()["controller"]
    assert (controller["contact"], controller["dpo"], controller["representative"]) == (
        details["contact"],
        details["dpo"],
        None,
    )
    events = await client.get(
        "/api/v1/audit-events",
        params={"action": "processing_records.controller_updated"},
        headers=admin,
    )
    assert len(events.json()["items"]) == 1

    platform = await client.get(
        f"/api/v1/platform/processing-records/{acme.tenant_id}",
        headers=staff.auth("platform_staff"),
    )
    assert platform.status_code == 200
    assert platform.json()["controller"]["contact"] == details["contact"]


async def test_html_page_renders_and_escapes_everything(
    client: httpx.AsyncClient, db: Database, staff: Accounts
) -> None:
    evil = '<script>alert("owned")</script> & Sons'
    acme = await log_in_all(client, await seed_client(db, "acme", name=evil))
    await _registry(client, staff)
    admin = acme.auth("client_admin")
    await client.put(
        f"{OWN}/controller", json={"contact": "<img src=x onerror=alert(1)>"}, headers=admin
    )

    pages = [
        await client.get(OWN, headers={**admin, "Accept": "text/html,application/xhtml+xml"}),
        await client.get(OWN, params={"format": "html"}, headers=admin),
        await client.get(
            f"/api/v1/platform/processing-records/{acme.tenant_id}",
            params={"format": "html"},
            headers=staff.auth("platform_staff"),
        ),
    ]
    for page in pages:
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert "default-src 'none'" in page.headers["content-security-policy"]
        html = page.text
        assert html.startswith("<!DOCTYPE html>")
        assert "<script" not in html
        assert "<img" not in html and "<b>" not in html
        assert "&lt;script&gt;alert(&quot;owned&quot;)&lt;/script&gt; &amp; Sons" in html
        assert "&lt;img src=x onerror=alert(1)&gt;" in html
        assert "PostHaste &lt;b&gt;Mail&lt;/b&gt;" in html
        for heading in (
            "Processor",
            "Controller",
            "Categories of processing",
            "Transfers to third countries",
            "Technical and organisational measures",
        ):
            assert f"<h2>{heading}</h2>" in html
        assert "SCCs 2021/914 module 3" in html


async def test_format_and_accept_choose_the_representation(
    client: httpx.AsyncClient, db: Database, staff: Accounts
) -> None:
    acme = await log_in_all(client, await seed_client(db, "acme"))
    admin = acme.auth("client_admin")
    json_wins = await client.get(
        OWN, params={"format": "json"}, headers={**admin, "Accept": "text/html"}
    )
    anything = await client.get(OWN, headers={**admin, "Accept": "*/*"})
    bad = await client.get(OWN, params={"format": "pdf"}, headers=admin)
    assert json_wins.headers["content-type"].startswith("application/json")
    assert anything.headers["content-type"].startswith("application/json")
    assert bad.status_code == 400
    unknown = await client.get(
        "/api/v1/platform/processing-records/00000000-0000-4000-8000-000000000000",
        headers=staff.auth("platform_staff"),
    )
    assert unknown.status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"contact": ""},
        {"contact": "   "},
        {"contact": "x", "dpo": ""},
        {"contact": "x", "y": 1},
    ],
    ids=["missing", "empty", "blank", "empty-dpo", "unknown-field"],
)
async def test_bad_controller_details_are_a_client_error(
    client: httpx.AsyncClient, db: Database, body: dict[str, Any]
) -> None:
    acme = await log_in_all(client, await seed_client(db, "acme"))
    response = await client.put(f"{OWN}/controller", json=body, headers=acme.auth("client_admin"))
    assert response.status_code == 400


def test_the_shipped_processing_text_loads() -> None:
    text = load_processing_text()
    assert text.categories and text.measures
    assert all(c.data_subjects and c.personal_data for c in text.categories)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"measures": [{"area": "A", "items": ["x"]}]}, "at least one"),
        (
            {
                "categories": [
                    {"name": "n", "purpose": "p", "data_subjects": ["s"], "personal_data": []}
                ],
                "measures": [{"area": "A", "items": ["x"]}],
            },
            "non-empty list",
        ),
        (
            {
                "categories": [{"name": "n", "purpose": "p", "data_subjects": ["s"]}],
                "measures": [{"area": "A", "items": ["x"]}],
            },
            "missing key",
        ),
        (
            {
                "categories": [
                    {
                        "name": "n",
                        "purpose": "p",
                        "data_subjects": ["s"],
                        "personal_data": ["d"],
                        "purpse": "typo",
                    }
                ],
                "measures": [{"area": "A", "items": ["x"]}],
            },
            "unknown key",
        ),
        ({"categories": [], "measures": [], "extra": {}}, "unknown table"),
    ],
    ids=["no-categories", "empty-list", "missing-key", "typo", "unknown-table"],
)
def test_processing_text_is_validated(data: dict[str, Any], message: str) -> None:
    with pytest.raises(ProcessingTextError, match=message):
        parse_processing_text(data)


def test_unreadable_processing_text_is_an_error(tmp_path: Path) -> None:
    broken = tmp_path / "processing.toml"
    broken.write_text("[[categories]\n")
    with pytest.raises(ProcessingTextError, match="Cannot read"):
        load_processing_text(broken)
