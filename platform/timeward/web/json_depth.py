"""Refuse deeply nested JSON before any route parses it.

msgspec decodes recursively: a body nested 100,000 levels deep raised RecursionError
(a 500). Every request body passes through :class:`DepthCheckedRequest` (the app's
request class), so the cap holds for every route, once.
"""

from __future__ import annotations

import re
from typing import Any

from litestar import Request
from litestar.exceptions import ClientException

MAX_JSON_DEPTH = 32
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_A_BRACKET = bytes(b for b in range(256) if b not in b"[]{}")
_OPENING = frozenset(b"[{")


def nesting_exceeds(body: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether arrays and objects nest deeper than ``limit`` (brackets inside strings aside)."""
    brackets = _STRING.sub(b"", body).translate(None, _NOT_A_BRACKET)
    depth = 0
    for byte in brackets:
        depth += 1 if byte in _OPENING else -1
        if depth > limit:
            return True
    return False


class DepthCheckedRequest(Request[Any, Any, Any]):
    async def body(self) -> bytes:
        body = await super().body()
        if nesting_exceeds(body):
            raise ClientException(
                detail=f"The request body nests deeper than {MAX_JSON_DEPTH} levels."
            )
        return body
