"""The SSRF guard: where a webhook (or an OpenDSR callback) may be sent.

A URL is checked when it is registered and again, on the *resolved* addresses, before
every delivery; the request then goes to the checked address (the name travels in the
Host header and TLS SNI), so a DNS answer changed in between cannot redirect it
(rebinding). Redirects are not followed. Private, loopback, link-local, multicast,
reserved and unspecified addresses are refused unless both the deployment allows it
(``TIMEWARD_WEBHOOKS_PRIVATE_NETWORKS``, development only) and the endpoint opted in.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class UnsafeTarget(Exception):
    """The URL may not be called; the message is safe to show the tenant."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str  # as written in the URL
    port: int
    address: str  # the checked IP address to connect to


def check_url(url: str, *, private_allowed: bool) -> tuple[str, str, int]:
    """Syntax: https (plain http only where private networks are allowed), a host, no
    credentials. Returns (scheme, host, port)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UnsafeTarget("not a valid URL") from exc
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise UnsafeTarget("must be an https:// URL with a host")
    if parts.scheme == "http" and not private_allowed:
        raise UnsafeTarget("must use https")
    if parts.username or parts.password:
        raise UnsafeTarget("must not carry credentials")
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80)


def is_public(address: IpAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return is_public(address.ipv4_mapped)
    return address.is_global and not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


async def resolve(url: str, *, private_allowed: bool) -> Target:
    """Every address the host resolves to must be allowed; the first one is used."""
    scheme, host, port = check_url(url, private_allowed=private_allowed)
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise UnsafeTarget("the host does not resolve") from exc
    addresses = [ipaddress.ip_address(info[4][0]) for info in infos]
    if not addresses:
        raise UnsafeTarget("the host does not resolve")
    if not private_allowed and not all(is_public(a) for a in addresses):
        raise UnsafeTarget("resolves to a private or reserved address")
    return Target(scheme, host, port, str(addresses[0]))
