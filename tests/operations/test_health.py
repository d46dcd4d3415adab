"""Probes and the error shape over HTTP."""

from __future__ import annotations

import httpx


async def test_health_and_ready(client: httpx.AsyncClient) -> None:
    health = await client.get("/health")
    ready = await client.get("/ready")
    assert (health.status_code, health.json()) == (200, {"status": "ok"})
    assert (ready.status_code, ready.json()) == (200, {"status": "ok"})


async def test_request_id_is_echoed_or_made(client: httpx.AsyncClient) -> None:
    given = await client.get("/health", headers={"x-request-id": "abcdef123456"})
    made = await client.get("/health")
    assert given.headers["x-request-id"] == "abcdef123456"
    assert len(made.headers["x-request-id"]) == 32


async def test_unknown_route_uses_error_shape(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json() == {"status": 404, "detail": "Not Found"}


async def test_openapi_schema_is_served(client: httpx.AsyncClient) -> None:
    response = await client.get("/docs/openapi.json")
    assert response.status_code == 200
    assert "/health" in response.json()["paths"]


async def test_public_routes_declare_no_security_and_probes_no_client_errors(
    client: httpx.AsyncClient,
) -> None:
    schema = (await client.get("/docs/openapi.json")).json()
    public = {
        ("post", "/api/v1/auth/token"),
        ("post", "/api/v1/auth/refresh"),
        ("post", "/api/v1/public/privacy-requests"),
        ("get", "/.well-known/jwks.json"),
        ("get", "/health"),
        ("get", "/ready"),
    }
    operations = {
        (method, path): operation
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if isinstance(operation, dict)
    }
    links = {key for key in operations if key[1].startswith("/api/v1/public/instructions")}
    assert links, "the public instruction links are documented"
    for key in public | links:
        assert operations[key].get("security") == [], key
    assert operations[("get", "/api/v1/users")].get("security") is None  # the bearer default
    assert schema["security"] == [{"BearerToken": []}]
    for probe in ("/health", "/ready"):
        codes = set(operations[("get", probe)]["responses"])
        assert not codes & {"400", "401", "403", "404", "409", "422", "429"}, (probe, codes)
    assert "503" in operations[("get", "/ready")]["responses"]
