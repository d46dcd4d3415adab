"""The privacy-request tables as migrated: they match the models, tenant_id leads every
key and index of the tenant tables, and the public intake is reachable in auth scope only."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import asyncpg
import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError

from tenants.privacy_requests.models import PrivacyIntake
from tests.workforce.test_schema import LEADING_COLUMNS_SQL, schema_drift
from timeward.db.bootstrap import DatabaseUrls
from timeward.db.session import Database, Scope

TENANT_TABLES = ("privacy_requests", "privacy_request_events", "privacy_exports")


async def test_models_match_migration_0007(database_urls: DatabaseUrls) -> None:
    assert await schema_drift(database_urls, (*TENANT_TABLES, "privacy_intake")) == []


async def test_tenant_id_leads_every_key_and_index(owner: asyncpg.Pool) -> None:
    not_leading = []
    async with owner.acquire() as conn:
        for table in TENANT_TABLES:
            rows = await conn.fetch(LEADING_COLUMNS_SQL, table)
            assert rows, table
            not_leading += [f"{table}.{r['name']}" for r in rows if r["leading"] != "tenant_id"]
    assert not_leading == []


async def test_the_intake_is_reachable_in_auth_scope_only(db: Database) -> None:
    async with db.transaction(Scope.AUTH) as session:
        session.add(
            PrivacyIntake(email="a@b.example", request_type="access", received_at=datetime.now(UTC))
        )
    for scope, tenant in ((Scope.PLATFORM, None), (Scope.TENANT, uuid4())):
        async with db.transaction(scope, tenant) as session:
            count = await session.scalar(select(func.count()).select_from(PrivacyIntake))
        assert count == 0, scope
    with pytest.raises(DBAPIError, match="row-level security"):
        async with db.transaction(Scope.PLATFORM) as session:
            session.add(
                PrivacyIntake(
                    email="c@d.example", request_type="access", received_at=datetime.now(UTC)
                )
            )
