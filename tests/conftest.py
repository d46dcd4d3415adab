"""Fixtures: a freshly migrated database reached as the application role.

Tests connect exactly as the API does (non-owner role, forced RLS); clean-up
truncates as the owner role, since the application role cannot see, let alone
delete, other tenants' rows.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from uuid import UUID

import asyncpg
import httpx
import pytest
from litestar import Litestar

from tests.accounts import Accounts, log_in_all, seed_platform, seed_tenant
from tests.database import admin_url, test_database_name
from tests.live_server import serve_in_background
from timeward.app import create_app
from timeward.config import APP_ROLE_DEFAULT, Settings, WebhookSettings
from timeward.db.bootstrap import DatabaseUrls, RolePasswords, bootstrap_database
from timeward.db.migrate import upgrade_to_head
from timeward.db.session import Database
from timeward.db.urls import with_database
from timeward.identity.service import NewTenant, create_tenant
from timeward.jobs.broker import build_broker
from timeward.jobs.registry import use_broker
from timeward.services import Services

# Fixtures shared across folders live in plain modules, declared once here (pytest only
# reads pytest_plugins in the root conftest).
pytest_plugins = ["tests.fixtures.jobs", "tests.fixtures.clock", "tests.fixtures.sso"]

TEST_PASSWORD = "timeward-test-password"
TEST_MASTER_KEY = "dGltZXdhcmQtdGVzdC1tYXN0ZXIta2V5LTMyYnl0ZXM"


@pytest.fixture(scope="session", autouse=True)
def _in_memory_broker() -> None:
    """Jobs that requests enqueue stay in memory (never a BROKER_URL from the environment);
    tests that run them use the worker fixtures of tests/fixtures/jobs.py."""
    use_broker(build_broker(None))


@pytest.fixture(scope="session")
async def database_urls() -> AsyncIterator[DatabaseUrls]:
    server = admin_url()
    name = test_database_name()
    urls = await bootstrap_database(
        server, name, RolePasswords(TEST_PASSWORD, TEST_PASSWORD), recreate=True
    )
    await asyncio.to_thread(upgrade_to_head, urls.owner_url, APP_ROLE_DEFAULT)
    yield urls
    conn = await asyncpg.connect(with_database(server, "postgres"))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


@pytest.fixture(scope="session")
async def owner(database_urls: DatabaseUrls) -> AsyncIterator[asyncpg.Pool]:
    """A pool connected as the schema owner: for clean-up and tamper tests only."""
    pool = await asyncpg.create_pool(database_urls.owner_url, min_size=1, max_size=2)
    yield pool
    await pool.close()


@pytest.fixture(scope="session")
async def _app_database(database_urls: DatabaseUrls) -> AsyncIterator[Database]:
    database = Database(database_urls.app_url, pool_size=5)
    yield database
    await database.dispose()


async def truncate_all(owner: asyncpg.Pool) -> None:
    async with owner.acquire() as conn:
        tables = await conn.fetch(
            "select tablename from pg_tables where schemaname = 'public' "
            "and tablename not in ('alembic_version', 'signing_keys')"
        )
        names = ", ".join(f'"{row["tablename"]}"' for row in tables)
        await conn.execute(f"TRUNCATE {names} CASCADE")


@pytest.fixture
async def db(_app_database: Database, owner: asyncpg.Pool) -> AsyncIterator[Database]:
    """The application's database handle; every table is emptied after the test."""
    yield _app_database
    await truncate_all(owner)


@pytest.fixture(scope="session")
def settings(database_urls: DatabaseUrls, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(
        database_url=database_urls.app_url,
        database_owner_url=database_urls.owner_url,
        data_dir=tmp_path_factory.mktemp("data"),
        environment="test",
        master_key=TEST_MASTER_KEY,
        # webhook receivers of the tests listen on loopback; retries come quickly
        webhooks=WebhookSettings(private_networks=True, retry_seconds=(1, 1, 1)),
    )


@pytest.fixture(scope="session")
def live_app(settings: Settings, _app_database: Database) -> Litestar:
    return create_app(settings, database=_app_database)


@pytest.fixture(scope="session")
async def live_server(live_app: Litestar) -> AsyncIterator[str]:
    """The real app served by uvicorn on a free loopback port, in the test's event loop."""
    async with serve_in_background(live_app) as base_url:
        yield base_url


@pytest.fixture
def services(live_app: Litestar, live_server: str) -> Services:
    """The running app's own services (key ring, audit log...)."""
    built: Services = live_app.state.services
    return built


@pytest.fixture
async def client(live_server: str, db: Database) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=live_server, timeout=30) as http:
        yield http


TenantFactory = Callable[..., Awaitable[UUID]]


@pytest.fixture
def make_tenant(db: Database) -> TenantFactory:
    async def factory(slug: str, country: str = "DE", subdivision: str | None = None) -> UUID:
        return await create_tenant(
            db, NewTenant(slug=slug, name=f"{slug} Ltd", country=country, subdivision=subdivision)
        )

    return factory


# Logged-in accounts most HTTP tests start from (tests/accounts.py).
@pytest.fixture
async def acme(db: Database, client: httpx.AsyncClient) -> Accounts:
    return await log_in_all(client, await seed_tenant(db, "acme"))


@pytest.fixture
async def bravo(db: Database, client: httpx.AsyncClient) -> Accounts:
    return await log_in_all(client, await seed_tenant(db, "bravo"))


@pytest.fixture
async def staff(db: Database, client: httpx.AsyncClient) -> Accounts:
    return await log_in_all(client, await seed_platform(db))
