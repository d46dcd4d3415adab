"""Opaque bearer secrets (refresh tokens, e-mailed links): random, stored as SHA-256 only."""

from __future__ import annotations

import hashlib
import secrets


def new_secret(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(32)


def digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()
