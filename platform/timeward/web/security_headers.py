"""Headers every response carries, set once for the whole app (a before-send hook, so
routing errors and unexpected 500s get them too).

- ``Cache-Control: no-store`` unless a route set its own: responses carry tokens and
  personal data (lists, exports, certificates) that no browser or proxy should keep.
- ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: no-referrer`` (receipt links
  carry their token in the query), and frame protection: ``X-Frame-Options: DENY`` and
  ``frame-ancestors 'none'`` in the Content-Security-Policy (added to a route's own).
- Web pages (routes marked ``opt["page"]``, their error pages included) get the site's
  policy: every script, style and image from the app itself, no inline script.
- ``Strict-Transport-Security`` only when the request came over HTTPS: directly, or from
  a trusted proxy saying so (``X-Forwarded-Proto``, see ``TIMEWARD_TRUSTED_PROXIES``).
"""

from __future__ import annotations

from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope

HSTS = "max-age=31536000; includeSubDomains"
FRAME_ANCESTORS = "frame-ancestors 'none'"
PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)
ALWAYS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}


def _is_page(scope: Scope) -> bool:
    handler = scope.get("route_handler")
    return bool(handler is not None and handler.opt.get("page"))


async def add_security_headers(message: Message, scope: Scope) -> None:
    if message["type"] != "http.response.start":
        return
    headers = MutableScopeHeaders.from_message(message)
    for name, value in ALWAYS.items():
        headers[name] = value
    if "cache-control" not in headers:
        headers["cache-control"] = "no-store"
    policy = headers.get("content-security-policy")
    if policy is None and _is_page(scope):
        headers["content-security-policy"] = PAGE_POLICY
    elif policy is None:
        headers["content-security-policy"] = FRAME_ANCESTORS
    elif "frame-ancestors" not in policy:
        headers["content-security-policy"] = f"{policy.rstrip('; ')}; {FRAME_ANCESTORS}"
    if scope.get("scheme") == "https":
        headers["strict-transport-security"] = HSTS
