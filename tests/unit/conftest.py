"""Unit tests run without PostgreSQL (`pytest tests/unit`): a test here that reaches for
the database or the live server fails and belongs in its area's folder instead."""

from __future__ import annotations

import pytest

SERVER_FIXTURES = frozenset({"database_urls", "live_server"})


@pytest.fixture(autouse=True)
def _no_database(request: pytest.FixtureRequest) -> None:
    needed = SERVER_FIXTURES & set(request.fixturenames)
    assert not needed, f"a unit test needs no {sorted(needed)}: move it out of tests/unit"
