"""An OpenDSR client written from the specification, as a controller's privacy tool would
be: it sends requests, follows their status, and verifies the processor's signatures
(a JWS with a detached payload, RFC 7515 appendix F, against the published keys)."""

from __future__ import annotations

import asyncio
import base64
import json
import time
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def verify_detached(signature: str, content: bytes, keys: dict[str, Any]) -> None:
    """Raises if ``signature`` (``header..signature``) is not the processor's over content."""
    protected, empty, signed = signature.split(".")
    assert empty == "", "the payload is detached"
    header = json.loads(_b64url_decode(protected))
    assert header["alg"] in ("Ed25519", "EdDSA")
    [jwk] = [k for k in keys["keys"] if k["kid"] == header["kid"]]
    assert jwk["kty"] == "OKP" and jwk["crv"] == "Ed25519"
    public = Ed25519PublicKey.from_public_bytes(_b64url_decode(jwk["x"]))
    public.verify(_b64url_decode(signed), f"{protected}.{_b64url(content)}".encode())


class OpenDsrClient:
    def __init__(self, client: httpx.AsyncClient, token: str) -> None:
        self._client = client
        self._headers = {"Authorization": f"Bearer {token}"}

    async def discovery(self) -> dict[str, Any]:
        response = await self._client.get("/opendsr/v1/discovery")
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def send(self, body: dict[str, Any]) -> httpx.Response:
        return await self._client.post("/opendsr/v1/requests", json=body, headers=self._headers)

    async def status(self, subject_request_id: str) -> httpx.Response:
        return await self._client.get(
            f"/opendsr/v1/requests/{subject_request_id}", headers=self._headers
        )

    async def cancel(self, subject_request_id: str) -> httpx.Response:
        return await self._client.delete(
            f"/opendsr/v1/requests/{subject_request_id}", headers=self._headers
        )

    async def follow(self, subject_request_id: str, until: str, timeout_s: float = 30) -> Any:
        deadline = time.monotonic() + timeout_s
        while True:
            body = (await self.status(subject_request_id)).json()
            if body["request_status"] == until:
                return body
            assert time.monotonic() < deadline, body
            await asyncio.sleep(0.2)


def erasure(
    subject_request_id: str,
    identities: list[tuple[str, str]],
    callbacks: list[str] | None = None,
    request_type: str = "erasure",
) -> dict[str, Any]:
    """A request body (an erasure unless ``request_type`` says access or portability)."""
    return {
        "api_version": "2.0",
        "regulation": "gdpr",
        "subject_request_id": subject_request_id,
        "subject_request_type": request_type,
        "submitted_time": "2026-12-01T10:00:00Z",
        "subject_identities": [
            {"identity_type": kind, "identity_value": value, "identity_format": "raw"}
            for kind, value in identities
        ],
        "status_callback_urls": callbacks or [],
    }
