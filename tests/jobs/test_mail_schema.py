"""Migration 0022 and the mail models agree (Alembic autogenerate finds no difference),
and the preferences table is isolated by tenant like every tenant table."""

from __future__ import annotations

import asyncpg

from tests.workforce.test_schema import LEADING_COLUMNS_SQL, schema_drift
from timeward.db.bootstrap import DatabaseUrls

MAIL_TABLES = ("outbound_emails", "mail_preferences", "product_news", "tenant_settings")


async def test_models_match_migration_0022(database_urls: DatabaseUrls) -> None:
    assert await schema_drift(database_urls, MAIL_TABLES) == []


async def test_preferences_are_tenant_isolated(owner: asyncpg.Pool) -> None:
    async with owner.acquire() as conn:
        forced = await conn.fetchval(
            "select relforcerowsecurity from pg_class where relname = 'mail_preferences'"
        )
        leading = {
            row["leading"] for row in await conn.fetch(LEADING_COLUMNS_SQL, "mail_preferences")
        }
        news_forced = await conn.fetchval(
            "select relforcerowsecurity from pg_class where relname = 'product_news'"
        )
    assert forced is True and news_forced is True
    assert leading == {"tenant_id"}
