"""Property: whatever sequence of requests users of several tenants send, with ids of
other tenants' objects mixed in, no response carries another tenant's data.

The CI profile sends ``PROPERTY_REQUESTS`` requests (default 1,500); the full profile
is ``PROPERTY_REQUESTS=10000``. The count actually sent is printed and asserted.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.accounts import TENANT_ROLES, Accounts, log_in_all, seed_tenant
from tests.fuzz_server import app_process
from timeward.config import Settings
from timeward.db.session import Database

TOTAL_REQUESTS = int(os.environ.get("PROPERTY_REQUESTS", "1500"))
REQUESTS_PER_EXAMPLE = 25
TENANTS = ("north", "south", "east")


@dataclass
class TenantData:
    accounts: Accounts
    objects: dict[str, list[str]] = field(default_factory=dict)  # kind -> ids
    markers: set[str] = field(default_factory=set)  # strings only this tenant's data contains


# kind of object -> requests that take such an id: (method, path template, body)
ROUTES: dict[str, list[tuple[str, str, dict[str, object] | None]]] = {
    "user": [
        ("PATCH", "/api/v1/users/{id}", {}),
        ("GET", "/api/v1/audit-events?actor_id={id}", None),
        ("GET", "/api/v1/audit-events?subject_id={id}", None),
    ],
    "grant": [("DELETE", "/api/v1/support-grants/{id}", None)],
    "employee": [
        ("GET", "/api/v1/employees/{id}", None),
        ("PATCH", "/api/v1/employees/{id}", {"job_title": "Foreman"}),
        ("GET", "/api/v1/clock-events?employee_id={id}", None),
        ("GET", "/api/v1/time-entries?employee_id={id}", None),
    ],
    "site": [
        ("GET", "/api/v1/sites/{id}", None),
        ("PATCH", "/api/v1/sites/{id}", {"address": "Elsewhere 1"}),
    ],
    "none": [
        ("GET", "/api/v1/users", None),
        ("GET", "/api/v1/me", None),
        ("GET", "/api/v1/support-grants", None),
        ("GET", "/api/v1/audit-events", None),
        ("GET", "/api/v1/employees", None),
        ("GET", "/api/v1/sites", None),
        ("GET", "/api/v1/me/privacy-requests", None),
        ("GET", "/api/v1/privacy-requests", None),
    ],
}


@pytest.fixture(scope="session")
def property_server(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with app_process(settings, tmp_path_factory.mktemp("property")) as base_url:
        yield base_url


async def _seed(db: Database, http: httpx.AsyncClient, slug: str) -> TenantData:
    accounts = await log_in_all(http, await seed_tenant(db, slug))
    data = TenantData(accounts)
    data.objects["user"] = [str(accounts.user_id(role)) for role in TENANT_ROLES]
    grants = []
    for _ in range(3):
        response = await http.post(
            "/api/v1/support-grants",
            json={"reason": "property test", "hours": 2},
            headers=accounts.auth("client_admin"),
        )
        grants.append(response.json()["id"])
    data.objects["grant"] = grants
    admin = accounts.auth("client_admin")
    employees, sites = [], []
    for n in range(3):
        employee = await http.post(
            "/api/v1/employees",
            json={"name": f"Worker {n} of {slug}", "employee_number": f"{slug}-{n}"},
            headers=admin,
        )
        employees.append(employee.json()["id"])
        site = await http.post("/api/v1/sites", json={"name": f"Yard {n} of {slug}"}, headers=admin)
        sites.append(site.json()["id"])
    data.objects["employee"], data.objects["site"] = employees, sites
    data.markers = {str(accounts.tenant_id), *data.objects["user"], *grants, *employees, *sites}
    data.markers |= {f"Worker {n} of {slug}" for n in range(3)}
    data.markers |= {accounts.email(role) for role in TENANT_ROLES}
    return data


@pytest.fixture
async def world(db: Database, property_server: str) -> dict[str, TenantData]:
    async with httpx.AsyncClient(base_url=property_server) as http:
        return {slug: await _seed(db, http, slug) for slug in TENANTS}


Step = tuple[str, str, str, int, str]  # tenant, role, kind, route index, owner tenant of the id


def steps() -> st.SearchStrategy[Step]:
    return st.tuples(
        st.sampled_from(TENANTS),
        st.sampled_from(TENANT_ROLES),
        st.sampled_from(sorted(ROUTES)),
        st.integers(min_value=0, max_value=10),
        st.sampled_from(TENANTS),
    )


def test_no_response_carries_another_tenants_data(
    world: dict[str, TenantData], property_server: str
) -> None:
    sent = 0
    leaks: list[str] = []
    examples = max(1, TOTAL_REQUESTS // REQUESTS_PER_EXAMPLE)

    with httpx.Client(base_url=property_server, timeout=30) as http:

        def send(step: Step) -> None:
            nonlocal sent
            tenant, role, kind, index, owner = step
            method, template, body = ROUTES[kind][index % len(ROUTES[kind])]
            ids = world[owner].objects.get(kind, [""])
            path = template.format(id=ids[index % len(ids)])
            headers = world[tenant].accounts.auth(role)
            response = http.request(method, path, json=body, headers=headers)
            sent += 1
            assert response.status_code < 500, (method, path, response.text)
            text = response.text
            for other, data in world.items():
                if other != tenant:
                    leaks.extend(
                        f"{method} {path} as {tenant}: {m}" for m in data.markers if m in text
                    )

        @given(st.lists(steps(), min_size=REQUESTS_PER_EXAMPLE, max_size=REQUESTS_PER_EXAMPLE))
        @settings(
            max_examples=examples,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def run(sequence: list[Step]) -> None:
            for step in sequence:
                send(step)

        run()

    print(f"cross-tenant property: {sent} requests, {len(leaks)} leaks")
    assert leaks == []
    assert sent >= TOTAL_REQUESTS


def test_markers_do_appear_in_a_tenants_own_responses(
    world: dict[str, TenantData], property_server: str
) -> None:
    """The detector is not vacuous: the same requests show the caller's own markers."""
    north = world["north"]
    admin = north.accounts.auth("client_admin")
    with httpx.Client(base_url=property_server) as http:
        seen = http.get("/api/v1/users", headers=admin).text
        for path in ("/api/v1/support-grants", "/api/v1/employees", "/api/v1/sites"):
            seen += http.get(path, headers=admin).text
    assert {marker for marker in north.markers if marker in seen} == north.markers
