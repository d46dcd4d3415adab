"""Database errors a client can cause map to 4xx, not 500 (pure logic)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from sqlalchemy.exc import IntegrityError

from timeward.web.errors import unexpected_exception_handler


class _Orig(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


def _status(sqlstate: str) -> int:
    exc = IntegrityError("insert ...", {}, _Orig(sqlstate))
    request: Any = SimpleNamespace(url=SimpleNamespace(path="/x"))
    return unexpected_exception_handler(request, exc).status_code


def test_unique_violation_lost_to_a_race_is_a_conflict() -> None:
    assert _status("23505") == 409


def test_other_integrity_errors_stay_server_errors() -> None:
    assert _status("23503") == 500
