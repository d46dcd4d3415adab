"""Deny by default: every route is public by name or guarded by a Casbin permission,
and every role meets exactly the routes the matrix below allows, over HTTP."""

from __future__ import annotations

import itertools
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute

from tests.accounts import Accounts, log_in_all, seed_platform, seed_tenant
from timeward.authz.enforcer import PolicyEnforcer
from timeward.db.session import Database
from timeward.instructions.executor import ExecutionContext, Outcome, run_instruction
from timeward.paths import POLICY_DIR
from timeward.retention.policy import default_policy
from timeward.services import Services

PUBLIC_ROUTES = {
    ("GET", "/health"),
    ("GET", "/ready"),
    ("GET", "/.well-known/jwks.json"),
    ("POST", "/api/v1/auth/token"),
    ("POST", "/api/v1/auth/refresh"),
    ("POST", "/api/v1/auth/logout"),
    ("POST", "/api/v1/public/privacy-requests"),
    ("GET", "/api/v1/public/instructions/{instruction_id:uuid}"),
    ("GET", "/api/v1/public/instructions/{instruction_id:uuid}/export"),
    ("GET", "/api/v1/public/instructions/{instruction_id:uuid}/certificate"),
}
DOCS_PREFIX = "/docs"
ROLES = ("client_admin", "client_manager", "employee", "platform_admin", "platform_staff")
ANYONE_SIGNED_IN = set(ROLES)


@dataclass
class World:
    tenant: Accounts
    platform: Accounts
    counter: itertools.count[int]
    grants: list[str] = field(default_factory=list)
    instructions: list[str] = field(default_factory=list)
    holds: list[str] = field(default_factory=list)
    finished: str = ""

    def unique(self) -> int:
        return next(self.counter)

    def fresh_grant(self) -> str:
        """A not-yet-revoked grant: each allowed DELETE spends one."""
        return self.grants.pop()

    def fresh_instruction(self) -> str:
        """A scheduled instruction: each allowed cancel or pause spends one."""
        return self.instructions.pop()

    def fresh_hold(self) -> str:
        return self.holds.pop()


RequestFactory = Callable[[World], tuple[str, dict[str, Any] | None]]


def fixed(path: str, body: dict[str, Any] | None = None) -> RequestFactory:
    return lambda _world: (path, body)


# (method, route template) -> (roles allowed, how to build a request that succeeds when allowed)
MATRIX: dict[tuple[str, str], tuple[set[str], RequestFactory]] = {
    ("GET", "/api/v1/me"): (ANYONE_SIGNED_IN, fixed("/api/v1/me")),
    ("GET", "/api/v1/users"): ({"client_admin"}, fixed("/api/v1/users")),
    ("POST", "/api/v1/users"): (
        {"client_admin"},
        lambda w: (
            "/api/v1/users",
            {"email": f"new{w.unique()}@x.example", "role": "employee", "password": "p" * 12},
        ),
    ),
    ("PATCH", "/api/v1/users/{user_id:uuid}"): (
        {"client_admin"},
        lambda w: (f"/api/v1/users/{w.tenant.user_id('employee')}", {}),
    ),
    ("GET", "/api/v1/platform/tenants"): (
        {"platform_admin", "platform_staff"},
        fixed("/api/v1/platform/tenants"),
    ),
    ("POST", "/api/v1/platform/tenants"): (
        {"platform_admin"},
        lambda w: (
            "/api/v1/platform/tenants",
            {
                "slug": f"t{w.unique()}-co",
                "name": "New Co",
                "country": "FR",
                "admin_email": f"boss{w.unique()}@x.example",
                "admin_password": "p" * 12,
            },
        ),
    ),
    ("PATCH", "/api/v1/platform/tenants/{tenant_id:uuid}"): (
        {"platform_admin"},
        lambda w: (f"/api/v1/platform/tenants/{w.tenant.tenant_id}", {"status": "active"}),
    ),
    ("GET", "/api/v1/audit-events"): (
        {"client_admin", "platform_admin", "platform_staff"},
        fixed("/api/v1/audit-events"),
    ),
    ("GET", "/api/v1/audit-events/verify"): (
        {"client_admin", "platform_admin", "platform_staff"},
        fixed("/api/v1/audit-events/verify"),
    ),
    ("POST", "/api/v1/support-grants"): (
        {"client_admin"},
        fixed("/api/v1/support-grants", {"reason": "ticket 1", "hours": 1}),
    ),
    ("GET", "/api/v1/support-grants"): ({"client_admin"}, fixed("/api/v1/support-grants")),
    ("DELETE", "/api/v1/support-grants/{grant_id:uuid}"): (
        {"client_admin"},
        lambda w: (f"/api/v1/support-grants/{w.fresh_grant()}", None),
    ),
    ("GET", "/api/v1/platform/support-grants"): (
        {"platform_admin", "platform_staff"},
        fixed("/api/v1/platform/support-grants"),
    ),
    ("POST", "/api/v1/platform/staff"): (
        {"platform_admin"},
        lambda w: (
            "/api/v1/platform/staff",
            {"email": f"op{w.unique()}@x.example", "password": "p" * 12, "role": "platform_staff"},
        ),
    ),
    ("POST", "/api/v1/instructions"): (
        {"client_admin"},
        fixed("/api/v1/instructions", {"kind": "return_data"}),
    ),
    ("GET", "/api/v1/instructions"): ({"client_admin"}, fixed("/api/v1/instructions")),
    ("GET", "/api/v1/instructions/{instruction_id:uuid}"): (
        {"client_admin"},
        lambda w: (f"/api/v1/instructions/{w.finished}", None),
    ),
    ("POST", "/api/v1/instructions/{instruction_id:uuid}/cancel"): (
        {"client_admin"},
        lambda w: (
            f"/api/v1/instructions/{w.fresh_instruction()}/cancel",
            {"reason": "sent by mistake"},
        ),
    ),
    ("GET", "/api/v1/instructions/{instruction_id:uuid}/certificate"): (
        {"client_admin"},
        lambda w: (f"/api/v1/instructions/{w.finished}/certificate", None),
    ),
    ("GET", "/api/v1/instructions/{instruction_id:uuid}/certificate.html"): (
        {"client_admin"},
        lambda w: (f"/api/v1/instructions/{w.finished}/certificate.html", None),
    ),
    ("GET", "/api/v1/instructions/{instruction_id:uuid}/export"): (
        {"client_admin"},
        lambda w: (f"/api/v1/instructions/{w.finished}/export", None),
    ),
    ("GET", "/api/v1/legal-holds"): ({"client_admin"}, fixed("/api/v1/legal-holds")),
    ("GET", "/api/v1/retention"): ({"client_admin"}, fixed("/api/v1/retention")),
    ("PUT", "/api/v1/retention/{category:str}"): (
        {"client_admin"},
        fixed("/api/v1/retention/sent_emails", {"days": 60}),
    ),
    ("GET", "/api/v1/retention/runs"): ({"client_admin"}, fixed("/api/v1/retention/runs")),
    ("GET", "/api/v1/platform/instructions"): (
        {"platform_admin", "platform_staff"},
        fixed("/api/v1/platform/instructions"),
    ),
    ("GET", "/api/v1/platform/instructions/{instruction_id:uuid}"): (
        {"platform_admin", "platform_staff"},
        lambda w: (f"/api/v1/platform/instructions/{w.finished}", None),
    ),
    ("POST", "/api/v1/platform/instructions/{instruction_id:uuid}/status"): (
        {"platform_admin", "platform_staff"},
        lambda w: (
            f"/api/v1/platform/instructions/{w.fresh_instruction()}/status",
            {"status": "paused", "reason": "matrix"},
        ),
    ),
    ("POST", "/api/v1/platform/instructions/retry-failed"): (
        {"platform_admin", "platform_staff"},
        fixed("/api/v1/platform/instructions/retry-failed", {}),
    ),
    ("GET", "/api/v1/platform/instructions/{instruction_id:uuid}/certificate"): (
        {"platform_admin", "platform_staff"},
        lambda w: (f"/api/v1/platform/instructions/{w.finished}/certificate", None),
    ),
    ("GET", "/api/v1/platform/legal-holds"): (
        {"platform_admin", "platform_staff"},
        fixed("/api/v1/platform/legal-holds"),
    ),
    ("POST", "/api/v1/platform/legal-holds"): (
        {"platform_admin"},
        lambda w: (
            "/api/v1/platform/legal-holds",
            {
                "tenant_id": str(w.tenant.tenant_id),
                "scope": "tenant",
                "basis": "Preservation order",
                "reference": f"case {w.unique()}",
                "client_may_be_told": True,
            },
        ),
    ),
    ("POST", "/api/v1/platform/legal-holds/{hold_id:uuid}/release"): (
        {"platform_admin"},
        lambda w: (
            f"/api/v1/platform/legal-holds/{w.fresh_hold()}/release",
            {"reason": "case closed"},
        ),
    ),
}


def registered_routes(app: Litestar) -> list[tuple[str, str, dict[str, Any]]]:
    found = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            for method in sorted(handler.http_methods - {"OPTIONS", "HEAD"}):
                found.append((method, route.path, handler.opt))
    return found


def test_every_route_is_public_by_name_or_guarded(live_app: Litestar) -> None:
    unguarded = []
    for method, path, opt in registered_routes(live_app):
        if path.startswith(DOCS_PREFIX):
            assert opt.get("public"), f"{path} should be public documentation"
            continue
        if opt.get("public"):
            if (method, path) not in PUBLIC_ROUTES:
                unguarded.append(f"{method} {path} is public but not on the allow-list")
        elif "permission" not in opt:
            unguarded.append(f"{method} {path} has no permission")
    assert unguarded == []


def test_matrix_covers_every_guarded_route(live_app: Litestar) -> None:
    guarded = {
        (method, path)
        for method, path, opt in registered_routes(live_app)
        if not opt.get("public") and not path.startswith(DOCS_PREFIX)
    }
    assert guarded == set(MATRIX)


@pytest.fixture
async def world(db: Database, client: httpx.AsyncClient, services: Services) -> World:
    tenant = await log_in_all(client, await seed_tenant(db, "matrix"))
    platform = await log_in_all(client, await seed_platform(db))
    world = World(tenant, platform, itertools.count())
    for _ in range(len(ROLES) + 1):  # one per request the matrix makes on the route
        grant = await client.post(
            "/api/v1/support-grants",
            json={"reason": "matrix", "hours": 1},
            headers=tenant.auth("client_admin"),
        )
        world.grants.append(grant.json()["id"])
    for _ in range(2 * (len(ROLES) + 1)):  # cancel and pause each spend one
        created = await client.post(
            "/api/v1/instructions",
            json={"kind": "return_data"},
            headers=tenant.auth("client_admin"),
        )
        world.instructions.append(created.json()["instruction"]["id"])
    for n in range(len(ROLES) + 1):
        hold = await client.post(
            "/api/v1/platform/legal-holds",
            json={
                "tenant_id": str(tenant.tenant_id),
                "scope": "tenant",
                "basis": "Preservation order",
                "reference": f"matrix {n}",
                "client_may_be_told": False,
            },
            headers=platform.auth("platform_admin"),
        )
        world.holds.append(hold.json()["id"])
    world.finished = await _finished_instruction(client, tenant, services)
    return world


async def _finished_instruction(
    client: httpx.AsyncClient, tenant: Accounts, services: Services
) -> str:
    """A return_data instruction run to its certificate by the real executor, in-process."""
    created = await client.post(
        "/api/v1/instructions", json={"kind": "return_data"}, headers=tenant.auth("client_admin")
    )
    instruction_id = created.json()["instruction"]["id"]
    context = ExecutionContext(
        database=services.database,
        audit=services.audit,
        keys=services.keys,
        master_key=services.settings.resolve_master_key(),
        policy=default_policy(),
    )
    assert tenant.tenant_id
    result = await run_instruction(context, tenant.tenant_id, UUID(instruction_id))
    assert result.outcome == Outcome.FINISHED
    return str(instruction_id)


def _headers(world: World, role: str) -> dict[str, str]:
    accounts = world.platform if role.startswith("platform") else world.tenant
    return accounts.auth(role)


async def test_authorization_matrix(client: httpx.AsyncClient, world: World) -> None:
    outcomes = {}
    for (method, template), (allowed, build) in MATRIX.items():
        for role in ROLES:
            path, body = build(world)
            response = await client.request(method, path, json=body, headers=_headers(world, role))
            denied_status = 404 if role.startswith("platform") else 403
            if role in allowed:
                ok = response.status_code < 300
            else:
                ok = response.status_code == denied_status
            outcomes[(method, template, role)] = (ok, response.status_code)
        path, body = build(world)
        anonymous = await client.request(method, path, json=body)
        outcomes[(method, template, "anonymous")] = (
            anonymous.status_code == 401,
            anonymous.status_code,
        )
    failures = {key: status for key, (ok, status) in outcomes.items() if not ok}
    assert failures == {}


def test_policy_edit_reaches_a_running_enforcer(tmp_path: Path) -> None:
    policy_dir = tmp_path / "policies"
    shutil.copytree(POLICY_DIR, policy_dir)
    enforcer = PolicyEnforcer(policy_dir, check_interval=0)
    assert not enforcer.allows("employee", "tenant:x", "users", "read")
    policy = policy_dir / "policy.csv"
    time.sleep(0.01)
    policy.write_text(policy.read_text() + "p, employee, tenant:*, users, read\n")
    assert enforcer.allows("employee", "tenant:x", "users", "read")
    assert not enforcer.allows("employee", "platform", "users", "read")


SHARED_RESOURCES = {"me", "audit_events"}


def test_tenant_and_platform_resources_do_not_overlap() -> None:
    sides: dict[str, set[str]] = {"tenant": set(), "platform": set()}
    for line in (POLICY_DIR / "policy.csv").read_text().splitlines():
        fields = [f.strip() for f in line.split(",")]
        if fields[0] == "p":
            side = "platform" if fields[2] == "platform" else "tenant"
            sides[side].add(fields[3])
    assert sides["tenant"] & sides["platform"] == SHARED_RESOURCES
