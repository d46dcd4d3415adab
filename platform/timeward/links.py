"""Absolute links for messages (mail, notifications), built on TIMEWARD_PUBLIC_URL.

The app and the job runtime set the base from their settings at start
(:func:`use_public_url`); a message then calls :func:`link` with an API path.
"""

from __future__ import annotations

from timeward.config import Settings

_base = [Settings().public_url]


def use_public_url(public_url: str) -> None:
    _base[0] = public_url.rstrip("/")


def link(path: str) -> str:
    """``path`` starts with ``/``, e.g. ``/api/v1/breaches/<id>``."""
    return f"{_base[0].rstrip('/')}{path}"
