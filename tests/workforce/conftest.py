"""Workforce fixtures: the acme tenant with its workforce (tests/workforce/seed.py)."""

from __future__ import annotations

import httpx
import pytest

from tests.accounts import log_in_all, seed_tenant
from tests.workforce.seed import Workforce, seed_workforce
from timeward.db.session import Database


@pytest.fixture
async def acme_workforce(db: Database, client: httpx.AsyncClient) -> Workforce:
    """acme's logged-in accounts, an employee record per role, a colleague and three sites."""
    return await seed_workforce(client, await log_in_all(client, await seed_tenant(db, "acme")))
