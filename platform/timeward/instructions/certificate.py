"""Deletion certificates: a canonical JSON payload signed as a compact JWS.

The signature is made with the platform's current signing key (the key ring that signs
access tokens: Ed25519, ``kid`` in the protected header), so anyone can verify a
certificate with ``GET /.well-known/jwks.json`` and any JOSE library. The payload also
carries a SHA-256 ``digest`` of its own canonical form (without the digest), which is the
short fingerprint quoted in the readable rendering.
"""

from __future__ import annotations

import hashlib
import html
import json
from typing import Any

from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from timeward.auth.keys import ALGORITHM, KeyRing

CERTIFICATE_TYPE = "timeward.deletion-certificate.v1"
JWS_TYPE = "timeward-certificate+jws"


class InvalidCertificate(Exception):
    """The certificate's signature or digest does not verify."""


def canonical(value: Any) -> bytes:
    """Sorted keys, no insignificant whitespace, UTF-8: one byte string per payload."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def with_digest(payload: dict[str, Any]) -> dict[str, Any]:
    body = {k: v for k, v in payload.items() if k != "digest"}
    return {**body, "digest": hashlib.sha256(canonical(body)).hexdigest()}


async def sign(keys: KeyRing, payload: dict[str, Any]) -> tuple[str, str, dict[str, Any]]:
    """Returns ``(kid, compact JWS, payload with digest)``."""
    loaded = await keys.current()
    signing = loaded.signing
    kid = str(signing.kid)
    signed = with_digest(payload)
    header = {"alg": ALGORITHM, "kid": kid, "typ": JWS_TYPE, "cty": "json"}
    token = jws.serialize_compact(header, canonical(signed), signing, algorithms=[ALGORITHM])
    return kid, token, signed


def verify(token: str, jwks: dict[str, Any]) -> dict[str, Any]:
    """Check the signature against a published JWKS and the digest; return the payload."""
    try:
        key_set = KeySet.import_key_set(jwks)  # type: ignore[arg-type]
        verified = jws.deserialize_compact(token, key_set, algorithms=[ALGORITHM])
    except (JoseError, ValueError) as exc:
        raise InvalidCertificate(f"signature does not verify: {type(exc).__name__}") from exc
    payload = json.loads(verified.payload)
    if not isinstance(payload, dict) or with_digest(payload) != payload:
        raise InvalidCertificate("digest does not match the payload")
    return payload


def verify_stored(token: str, stored: dict[str, Any], jwks: dict[str, Any]) -> dict[str, Any]:
    """:func:`verify`, and the stored payload (what a page shows) is what was signed."""
    payload = verify(token, jwks)
    if payload != stored:
        raise InvalidCertificate("the stored content differs from what was signed")
    return payload


def _row(*cells: object) -> str:
    return "<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in cells) + "</tr>"


def render_html(payload: dict[str, Any], token: str, kid: str) -> str:
    """A readable, printable rendering; the JWS is included for verification."""
    tenant, instruction = payload["tenant"], payload["instruction"]
    table_rows = "".join(
        _row(
            t["table"],
            t["removed"],
            t["anonymised"],
            t["retained"],
            t["exported"],
            t.get("basis") or "",
        )
        for t in payload["tables"]
    )
    job_ids = ", ".join(payload["execution"]["job_ids"]) or "—"
    title = "Deletion certificate" if instruction["kind"] != "return_data" else "Return certificate"
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title} {html.escape(payload["id"])}</title>
<style>body{{font-family:sans-serif;max-width:60rem;margin:2rem auto}}
table{{border-collapse:collapse;width:100%}}td,th{{border:1px solid #999;padding:.3rem}}
code{{word-break:break-all;font-size:.8rem}}</style></head><body>
<h1>{title}</h1>
<p>Issued {html.escape(payload["issued_at"])} by {html.escape(payload["issuer"])}
(processor) to {html.escape(tenant["name"])} ({html.escape(tenant["id"])}), the controller.</p>
<table>
{_row("Certificate", payload["id"])}
{_row("Instruction", instruction["id"])}
{_row("Kind", instruction["kind"])}
{_row("Received", instruction["received_at"])}
{_row("Due", instruction["due_on"])}
{_row("Instructed by", f"{instruction['requested_by']} ({instruction['requested_by_role']})")}
{_row("Scope", json.dumps(payload["scope"], sort_keys=True))}
{_row("Outcome", payload["outcome"])}
{_row("Started", payload["execution"]["started_at"])}
{_row("Finished", payload["execution"]["finished_at"])}
{_row("Jobs", job_ids)}
{_row("Tenant data key destroyed", payload.get("data_key") or "not applicable")}
{_row("Digest (SHA-256)", payload["digest"])}
</table>
<h2>Per table</h2>
<table><tr><th>table</th><th>removed</th><th>anonymised</th><th>retained</th><th>exported</th>
<th>basis for what was retained</th></tr>{table_rows}</table>
<h2>Verification</h2>
<p>This is a compact JWS (alg Ed25519) signed with key
<code>{html.escape(kid)}</code>; verify it with the keys published at
<code>/.well-known/jwks.json</code>.</p>
<p><code>{html.escape(token)}</code></p>
</body></html>
"""
