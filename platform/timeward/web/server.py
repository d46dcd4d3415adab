"""How uvicorn serves the app, for `timeward serve` and the tests' live server alike."""

from __future__ import annotations

from typing import Any

from timeward.config import Settings


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """Forwarded headers count only from the configured proxies: uvicorn's own default
    (trust 127.0.0.1) would let anyone on the host, or behind a local proxy that passes the
    header through, choose their address and so dodge every per-address throttle."""
    trusted = list(settings.trusted_proxies)
    return {
        "proxy_headers": bool(trusted),
        "forwarded_allow_ips": trusted,
        "log_config": None,  # ours (configure_logging) stays in charge
        "access_log": False,  # the request-context middleware logs each request
    }
