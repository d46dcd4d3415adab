"""schemathesis against the app's own OpenAPI schema, with a valid token of each role.

No input may produce a 5xx, and no response may break the schema it documents. The
profile is bounded for CI (``FUZZ_EXAMPLES``, default 8 per operation and role);
raise it for a longer run. The inputs that once found a 500 are sent as explicit cases
too, and the server's own log (kept beside its data directory) must show no unhandled
exception.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.schemas import BaseSchema
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.accounts import Accounts, seed_platform, seed_tenant, token_pair
from tests.fuzz_server import app_process, server_log
from tests.hostile_inputs import COMMA_EMAIL, DEEP_BODIES, NOBODY, instant_cases
from timeward.config import Settings
from timeward.db.session import Database

FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))
ROLES = ("client_admin", "client_manager", "employee", "platform_admin", "platform_staff")


@pytest.fixture(scope="session")
def fuzz_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@pytest.fixture(scope="session")
def fuzz_server(settings: Settings, fuzz_dir: Path) -> Iterator[str]:
    with app_process(settings, fuzz_dir) as base_url:
        yield base_url


@pytest.fixture
def no_unhandled_exception(fuzz_dir: Path) -> Iterator[None]:
    """What schemathesis may not see (a 500 behind another role's 4xx) the log shows."""
    log = server_log(fuzz_dir)
    start = log.stat().st_size
    yield
    with log.open("rb") as stream:
        stream.seek(start)
        written = stream.read().decode(errors="replace")
    assert "unhandled_exception" not in written, written[-20_000:]


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


@pytest.mark.usefixtures("no_unhandled_exception")
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
            _send_as_every_role(case, role_headers, fuzz_server)

        send_as_every_role()


def _send_as_every_role(
    case: schemathesis.Case, role_headers: dict[str, dict[str, str]], fuzz_server: str
) -> None:
    for role in ROLES:
        case.call_and_validate(
            base_url=fuzz_server,
            headers=role_headers[role],
            checks=[not_a_server_error, response_schema_conformance],
        )


def _explicit_cases(api_schema: BaseSchema) -> Iterator[schemathesis.Case]:
    """The inputs that once found a 500 (issue 12), in the order that exposed them."""
    for result in api_schema.get_all_operations():
        operation = result.ok()
        if operation.body:
            ids = {p.name: NOBODY for p in operation.path_parameters}
            for body in DEEP_BODIES:
                yield operation.Case(path_parameters=ids, body=body, media_type="application/json")
    for method, path, body in instant_cases():
        yield api_schema[path][method].Case(body=body, media_type="application/json")
    new_admin: dict[str, Any] = {
        "email": COMMA_EMAIL,
        "role": "client_admin",
        "password": "a long enough password",
    }
    yield api_schema["/api/v1/users"]["POST"].Case(body=new_admin, media_type="application/json")
    yield api_schema["/api/v1/me/privacy-requests"]["POST"].Case(
        body={"request_type": "access"}, media_type="application/json"
    )


@pytest.mark.usefixtures("no_unhandled_exception")
def test_inputs_that_once_found_a_server_error(
    api_schema: BaseSchema, role_headers: dict[str, dict[str, str]], fuzz_server: str
) -> None:
    for case in _explicit_cases(api_schema):
        _send_as_every_role(case, role_headers, fuzz_server)


def test_fuzzing_reaches_every_documented_operation(api_schema: BaseSchema) -> None:
    operations = {
        f"{op.ok().method.upper()} {op.ok().path}" for op in api_schema.get_all_operations()
    }
    assert "POST /api/v1/auth/token" in operations and "GET /api/v1/users" in operations
    assert len(operations) >= 15
