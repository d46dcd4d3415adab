"""One signed POST to a checked address (timeward.webhooks.addresses), timed."""

from __future__ import annotations

import time
from dataclasses import dataclass

import httpx

from timeward.webhooks.addresses import UnsafeTarget, resolve

USER_AGENT = "Timeward-Webhooks/1"


@dataclass(frozen=True)
class Attempt:
    ok: bool
    status_code: int | None
    latency_ms: int
    error: str | None


async def post(
    url: str, body: bytes, headers: dict[str, str], *, private_allowed: bool, seconds: float
) -> Attempt:
    """POST ``body``; 2xx is delivered, anything else (refused address, timeout, other
    status) is a failed attempt with a short reason."""
    started = time.monotonic()
    try:
        target = await resolve(url, private_allowed=private_allowed)
    except UnsafeTarget as exc:
        return Attempt(False, None, 0, f"refused: {exc}")
    written = httpx.URL(url)
    extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
    try:
        async with httpx.AsyncClient(
            follow_redirects=False, timeout=seconds, trust_env=False
        ) as client:
            response = await client.post(
                written.copy_with(host=target.address),
                content=body,
                headers={**headers, "host": written.netloc.decode(), "user-agent": USER_AGENT},
                extensions=extensions,
            )
    except httpx.HTTPError as exc:
        latency = int((time.monotonic() - started) * 1000)
        return Attempt(False, None, latency, type(exc).__name__)
    latency = int((time.monotonic() - started) * 1000)
    ok = 200 <= response.status_code < 300
    return Attempt(ok, response.status_code, latency, None if ok else "status")
