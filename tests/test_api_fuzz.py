"""schemathesis against the app's own OpenAPI schema, with a valid token of each role.

No input may produce a 5xx, and no response may break the schema it documents. The
profile is bounded for CI (``FUZZ_EXAMPLES``, default 8 per operation and role);
raise it for a longer run.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.schemas import BaseSchema
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.accounts import Accounts, seed_platform, seed_tenant, token_pair
from tests.fuzz_server import app_process
from timeward.config import Settings
from timeward.db.session import Database

FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))
ROLES = ("client_admin", "client_manager", "employee", "platform_admin", "platform_staff")


@pytest.fixture(scope="session")
def fuzz_server(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with app_process(settings, tmp_path_factory.mktemp("fuzz")) as base_url:
        yield base_url


@pytest.fixture(scope="session")
def api_schema(fuzz_server: str) -> BaseSchema:
    return schemathesis.openapi.from_url(f"{fuzz_server}/docs/openapi.json")


@pytest.fixture
async def role_headers(db: Database, fuzz_server: str) -> dict[str, dict[str, str]]:
    accounts = [await seed_tenant(db, "fuzzco"), await seed_platform(db)]
    headers = {}
    async with httpx.AsyncClient(base_url=fuzz_server) as http:
        for account in accounts:
            for role in account.users:
                headers[role] = await _bearer(http, account, role)
    return headers


async def _bearer(http: httpx.AsyncClient, accounts: Accounts, role: str) -> dict[str, str]:
    response = await token_pair(http, accounts.email(role), accounts.slug)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def test_no_server_error_and_schema_holds(
    api_schema: BaseSchema, role_headers: dict[str, dict[str, str]], fuzz_server: str
) -> None:
    """Every operation, generated requests sent as every role."""
    for result in api_schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(
            max_examples=FUZZ_EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def send_as_every_role(case: schemathesis.Case) -> None:
            for role in ROLES:
                case.call_and_validate(
                    base_url=fuzz_server,
                    headers=role_headers[role],
                    checks=[not_a_server_error, response_schema_conformance],
                )

        send_as_every_role()


def test_fuzzing_reaches_every_documented_operation(api_schema: BaseSchema) -> None:
    operations = {
        f"{op.ok().method.upper()} {op.ok().path}" for op in api_schema.get_all_operations()
    }
    assert "POST /api/v1/auth/token" in operations and "GET /api/v1/users" in operations
    assert len(operations) >= 15
