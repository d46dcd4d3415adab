"""Deny by default: every route is public by name or guarded by a Casbin permission,
and every role meets exactly the routes the matrix below allows, over HTTP."""

from __future__ import annotations

import asyncio
import itertools
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute

from tenants.settings.models import LocationMode
from tenants.settings.service import set_location_policy
from tests.accounts import PASSWORD, Accounts, log_in_all, seed_platform, seed_tenant
from tests.fixtures.sso import FakeProvider
from tests.identity.sso.flows import sso_body
from tests.machine.world import NOBODY, seed_opendsr, seed_webhooks
from tests.privacy.world import PrivacyWorld, seed_privacy_world
from tests.workforce.seed import Workforce, seed_workforce
from timeward import clock
from timeward.authority_requests import service as authority_service
from timeward.authz.enforcer import PolicyEnforcer
from timeward.db.session import Database, Scope
from timeward.instructions.executor import ExecutionContext, Outcome, run_instruction
from timeward.paths import POLICY_DIR
from timeward.privacy_notice.service import refresh_tenant_notice
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
    ("GET", "/api/v1/sub-processors"),
    ("GET", "/api/v1/public/instructions/{instruction_id:uuid}"),
    ("GET", "/api/v1/public/instructions/{instruction_id:uuid}/export"),
    ("GET", "/api/v1/public/instructions/{instruction_id:uuid}/certificate"),
    ("GET", "/api/v1/invitations/{token:str}"),
    ("POST", "/api/v1/invitations/{token:str}/accept"),
    ("POST", "/api/v1/auth/password-reset"),
    ("POST", "/api/v1/auth/password-reset/{token:str}"),
    ("POST", "/oauth/token"),  # the client's secret is the proof (tests/machine/)
    ("GET", "/opendsr/v1/discovery"),
    # an access request's export: the link's token is the proof (tests/machine/)
    ("GET", "/opendsr/v1/results/{tenant_id:uuid}/{request_id:uuid}"),
    ("GET", "/api/v1/public/transparency"),  # yearly counts only (docs/accountability.md)
}
DOCS_PREFIX = "/docs"
ROLES = ("client_admin", "client_manager", "employee", "platform_admin", "platform_staff")
ANYONE_SIGNED_IN = set(ROLES)
TENANT_STAFF = {"client_admin", "client_manager"}
ANY_TENANT_ROLE = {"client_admin", "client_manager", "employee"}


@dataclass
class World:
    tenant: Accounts
    platform: Accounts
    counter: itertools.count[int]
    workforce: Workforce
    grants: list[str] = field(default_factory=list)
    breach_id: str = ""
    sub_processor_id: str = ""
    change_id: str = ""
    entry_id: str = ""  # a pending time entry of the employee (not of any manager)
    instructions: list[str] = field(default_factory=list)
    holds: list[str] = field(default_factory=list)
    finished: str = ""
    privacy: PrivacyWorld = field(default_factory=PrivacyWorld)
    role: str = ""  # the role the matrix is calling as (set before each request is built)
    invitations: dict[str, str] = field(default_factory=dict)  # role -> its own open invitation
    sso_issuer: str = ""  # a provider whose discovery passes (tests/fixtures/sso.py)
    api_clients: list[str] = field(default_factory=list)  # each allowed revocation spends one
    webhooks: list[str] = field(default_factory=list)  # each allowed removal spends one
    delivery: tuple[str, str] = ("", "")  # an endpoint and one of its deliveries
    opendsr: list[str] = field(default_factory=list)  # pending requests: a cancel spends one
    authority: str = ""  # a request from an authority the client was told of, disclosed
    authority_open: list[str] = field(default_factory=list)  # a decision spends one
    authority_orders: list[str] = field(default_factory=list)  # a review spends one

    def unique(self) -> int:
        return next(self.counter)

    def fresh_grant(self) -> str:
        """A not-yet-revoked grant: each allowed DELETE spends one."""
        return self.grants.pop()

    def own_request(self) -> str:
        """The caller's own privacy request (another role's would be a 404 for them)."""
        return self.privacy.own.get(self.role, self.privacy.own["employee"])

    def own_transfer(self, purpose: str) -> str:
        """The caller's own portability request whose transfer awaits confirmation."""
        mine = self.privacy.transfers[purpose]
        return mine.get(self.role, mine["employee"])

    def own_notification(self) -> str:
        return self.privacy.notifications.get(self.role, self.privacy.notifications["employee"])

    def privacy_request(self, purpose: str) -> str:
        return self.privacy.ids[purpose]

    def employee_id(self, role: str = "employee") -> str:
        return str(self.workforce.employees[role])

    def site_id(self, name: str = "hq") -> str:
        return str(self.workforce.sites[name])

    def manual_entry(self) -> dict[str, Any]:
        """A manual entry for the employee on a day of its own, so none overlap."""
        start = datetime.now(UTC).replace(microsecond=0) - timedelta(days=2 + self.unique())
        return {
            "employee_id": self.employee_id(),
            "started_at": start.isoformat(),
            "ended_at": (start + timedelta(hours=8)).isoformat(),
        }

    def fresh_instruction(self) -> str:
        """A scheduled instruction: each allowed cancel or pause spends one."""
        return self.instructions.pop()

    def fresh_hold(self) -> str:
        return self.holds.pop()

    def own_invitation(self) -> str:
        return self.invitations.get(self.role, self.invitations["employee"])


RequestFactory = Callable[[World], tuple[str, dict[str, Any] | None]]


def fixed(path: str, body: dict[str, Any] | None = None) -> RequestFactory:
    return lambda _world: (path, body)


def breach_body(world: World) -> dict[str, Any]:
    return {
        "title": f"Incident {world.unique()}",
        "discovered_at": "2026-11-02T09:00:00Z",
        "description": "A misconfigured backup bucket was readable.",
        "data_categories": ["names"],
        "subject_categories": ["employees"],
        "measures_taken": "Access closed.",
        "affected": {"tenant_ids": [str(world.tenant.tenant_id)]},
    }


def authority_body(world: World, **order: Any) -> dict[str, Any]:
    return {
        "tenant_id": str(world.tenant.tenant_id),
        "authority": "Public prosecutor",
        "instrument": "search warrant",
        "reference": f"matrix {world.unique()}",
        "received_at": "2026-11-02T09:00:00Z",
        "subject_ids": [world.employee_id()],
        "categories": ["employees"],
        "order": order or {"kind": "none"},
    }


def sub_processor_body(world: World) -> dict[str, Any]:
    return {
        "name": f"Mailer {world.unique()}",
        "purpose": "Sending service e-mail",
        "location": "Dublin, Ireland",
        "data_categories": ["e-mail addresses"],
    }


PLATFORM = {"platform_admin", "platform_staff"}


# (method, route template) -> (roles allowed, how to build a request that succeeds when allowed)
MATRIX: dict[tuple[str, str], tuple[set[str], RequestFactory]] = {
    ("GET", "/api/v1/me"): (ANYONE_SIGNED_IN, fixed("/api/v1/me")),
    ("POST", "/api/v1/me/password"): (
        ANYONE_SIGNED_IN,
        lambda w: (
            "/api/v1/me/password",
            {"current_password": PASSWORD, "new_password": f"a brand new secret {w.unique()}"},
        ),
    ),
    ("GET", "/api/v1/me/invitations"): (ANY_TENANT_ROLE, fixed("/api/v1/me/invitations")),
    ("POST", "/api/v1/me/invitations/{invitation_id:uuid}/accept"): (
        ANY_TENANT_ROLE,
        lambda w: (f"/api/v1/me/invitations/{w.own_invitation()}/accept", None),
    ),
    ("GET", "/api/v1/users"): ({"client_admin"}, fixed("/api/v1/users")),
    ("POST", "/api/v1/users"): (
        {"client_admin"},
        lambda w: (
            "/api/v1/users",
            {"email": f"new{w.unique()}@x.example", "role": "employee"},
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
    ("POST", "/api/v1/platform/breaches"): (
        PLATFORM,
        lambda w: ("/api/v1/platform/breaches", breach_body(w)),
    ),
    ("GET", "/api/v1/platform/breaches"): (PLATFORM, fixed("/api/v1/platform/breaches")),
    ("POST", "/api/v1/platform/product-news"): (
        {"platform_admin"},
        fixed("/api/v1/platform/product-news", {"subject": "New reports", "body": "They exist."}),
    ),
    ("GET", "/api/v1/platform/product-news"): (PLATFORM, fixed("/api/v1/platform/product-news")),
    ("GET", "/api/v1/platform/breaches/{breach_id:uuid}"): (
        PLATFORM,
        lambda w: (f"/api/v1/platform/breaches/{w.breach_id}", None),
    ),
    ("POST", "/api/v1/platform/breaches/{breach_id:uuid}/follow-ups"): (
        PLATFORM,
        lambda w: (
            f"/api/v1/platform/breaches/{w.breach_id}/follow-ups",
            {"information": "The copy was also indexed by a search engine."},
        ),
    ),
    ("POST", "/api/v1/platform/authority-requests"): (
        PLATFORM,
        lambda w: ("/api/v1/platform/authority-requests", authority_body(w)),
    ),
    ("GET", "/api/v1/platform/authority-requests"): (
        PLATFORM,
        fixed("/api/v1/platform/authority-requests"),
    ),
    ("GET", "/api/v1/platform/authority-requests/{request_id:uuid}"): (
        PLATFORM,
        lambda w: (f"/api/v1/platform/authority-requests/{w.authority}", None),
    ),
    ("GET", "/api/v1/platform/authority-requests/{request_id:uuid}/disclosure"): (
        PLATFORM,
        lambda w: (f"/api/v1/platform/authority-requests/{w.authority}/disclosure", None),
    ),
    ("POST", "/api/v1/platform/authority-requests/{request_id:uuid}/decision"): (
        PLATFORM,
        lambda w: (
            f"/api/v1/platform/authority-requests/{w.authority_open.pop()}/decision",
            {"decision": "refuse", "reason": "No legal basis"},
        ),
    ),
    ("POST", "/api/v1/platform/authority-requests/{request_id:uuid}/order-review"): (
        PLATFORM,
        lambda w: (
            f"/api/v1/platform/authority-requests/{w.authority_orders.pop()}/order-review",
            {"lift": True},
        ),
    ),
    ("GET", "/api/v1/authority-requests"): ({"client_admin"}, fixed("/api/v1/authority-requests")),
    ("GET", "/api/v1/authority-requests/{request_id:uuid}"): (
        {"client_admin"},
        lambda w: (f"/api/v1/authority-requests/{w.authority}", None),
    ),
    ("GET", "/api/v1/breaches"): ({"client_admin"}, fixed("/api/v1/breaches")),
    ("GET", "/api/v1/breaches/{breach_id:uuid}"): (
        {"client_admin"},
        lambda w: (f"/api/v1/breaches/{w.breach_id}", None),
    ),
    ("POST", "/api/v1/breaches/{breach_id:uuid}/acknowledge"): (
        {"client_admin"},
        lambda w: (f"/api/v1/breaches/{w.breach_id}/acknowledge", None),
    ),
    ("POST", "/api/v1/platform/sub-processors"): (
        {"platform_admin"},
        lambda w: ("/api/v1/platform/sub-processors", sub_processor_body(w)),
    ),
    ("PATCH", "/api/v1/platform/sub-processors/{sub_processor_id:uuid}"): (
        {"platform_admin"},
        lambda w: (
            f"/api/v1/platform/sub-processors/{w.sub_processor_id}",
            {"purpose": f"Purpose {w.unique()}"},
        ),
    ),
    ("GET", "/api/v1/platform/sub-processors/objections"): (
        PLATFORM,
        fixed("/api/v1/platform/sub-processors/objections"),
    ),
    ("POST", "/api/v1/sub-processors/changes/{change_id:uuid}/objections"): (
        {"client_admin"},
        lambda w: (
            f"/api/v1/sub-processors/changes/{w.change_id}/objections",
            {"reason": "We do not agree."},
        ),
    ),
    ("GET", "/api/v1/processing-records"): ({"client_admin"}, fixed("/api/v1/processing-records")),
    ("PUT", "/api/v1/processing-records/controller"): (
        {"client_admin"},
        fixed("/api/v1/processing-records/controller", {"contact": "privacy@matrix.example"}),
    ),
    ("GET", "/api/v1/platform/processing-records/{tenant_id:uuid}"): (
        PLATFORM,
        lambda w: (f"/api/v1/platform/processing-records/{w.tenant.tenant_id}", None),
    ),
    ("GET", "/api/v1/platform/staff"): ({"platform_admin"}, fixed("/api/v1/platform/staff")),
    ("PATCH", "/api/v1/platform/staff/{user_id:uuid}"): (
        {"platform_admin"},
        lambda w: (f"/api/v1/platform/staff/{w.platform.user_id('platform_staff')}", {}),
    ),
    ("POST", "/api/v1/platform/staff"): (
        {"platform_admin"},
        lambda w: (
            "/api/v1/platform/staff",
            {"email": f"op{w.unique()}@x.example", "role": "platform_staff"},
        ),
    ),
    # Workforce (platform roles get nothing here: 404)
    ("GET", "/api/v1/employees"): (TENANT_STAFF, fixed("/api/v1/employees")),
    ("POST", "/api/v1/employees"): (
        {"client_admin"},
        lambda w: ("/api/v1/employees", {"name": f"New hire {w.unique()}"}),
    ),
    ("GET", "/api/v1/employees/{employee_id:uuid}"): (
        TENANT_STAFF,
        lambda w: (f"/api/v1/employees/{w.employee_id()}", None),
    ),
    ("PATCH", "/api/v1/employees/{employee_id:uuid}"): (
        {"client_admin"},
        lambda w: (f"/api/v1/employees/{w.employee_id()}", {"job_title": f"Role {w.unique()}"}),
    ),
    ("GET", "/api/v1/sites"): (ANY_TENANT_ROLE, fixed("/api/v1/sites")),
    ("POST", "/api/v1/sites"): (
        {"client_admin"},
        lambda w: ("/api/v1/sites", {"name": f"Site {w.unique()}"}),
    ),
    ("GET", "/api/v1/sites/{site_id:uuid}"): (
        ANY_TENANT_ROLE,
        lambda w: (f"/api/v1/sites/{w.site_id()}", None),
    ),
    ("PATCH", "/api/v1/sites/{site_id:uuid}"): (
        {"client_admin"},
        lambda w: (f"/api/v1/sites/{w.site_id()}", {"address": f"Street {w.unique()}"}),
    ),
    ("GET", "/api/v1/settings/location"): ({"client_admin"}, fixed("/api/v1/settings/location")),
    ("GET", "/api/v1/settings/sso"): ({"client_admin"}, fixed("/api/v1/settings/sso")),
    ("PUT", "/api/v1/settings/sso"): (
        {"client_admin"},
        lambda w: ("/api/v1/settings/sso", sso_body(w.sso_issuer, allowed_domains=["m.example"])),
    ),
    ("DELETE", "/api/v1/settings/sso"): ({"client_admin"}, fixed("/api/v1/settings/sso")),
    ("PUT", "/api/v1/settings/location"): (
        {"client_admin"},
        fixed("/api/v1/settings/location", {"location_mode": "geofence"}),
    ),
    ("GET", "/api/v1/settings/regional"): ({"client_admin"}, fixed("/api/v1/settings/regional")),
    ("PUT", "/api/v1/settings/regional"): (
        {"client_admin"},
        fixed("/api/v1/settings/regional", {"time_zone": "Europe/Berlin"}),
    ),
    ("GET", "/api/v1/settings/directory"): ({"client_admin"}, fixed("/api/v1/settings/directory")),
    # switches the directory on before the next row reads it (a 404 while it is off)
    ("PUT", "/api/v1/settings/directory"): (
        {"client_admin"},
        fixed("/api/v1/settings/directory", {"enabled": True}),
    ),
    ("GET", "/api/v1/settings/mail"): ({"client_admin"}, fixed("/api/v1/settings/mail")),
    ("PUT", "/api/v1/settings/mail"): (
        {"client_admin"},
        fixed("/api/v1/settings/mail", {"digest_default": "opt_in"}),
    ),
    ("GET", "/api/v1/me/mail-preferences"): (
        ANY_TENANT_ROLE,
        fixed("/api/v1/me/mail-preferences"),
    ),
    # every member may receive the product news (with their consent)
    ("PUT", "/api/v1/me/mail-preferences/{topic:str}"): (
        ANY_TENANT_ROLE,
        fixed("/api/v1/me/mail-preferences/product_news", {"subscribed": False}),
    ),
    ("GET", "/api/v1/directory"): (ANY_TENANT_ROLE, fixed("/api/v1/directory")),
    ("GET", "/api/v1/privacy-notice"): (ANY_TENANT_ROLE, fixed("/api/v1/privacy-notice")),
    ("GET", "/api/v1/privacy-notice/versions/{number:int}"): (
        ANY_TENANT_ROLE,
        fixed("/api/v1/privacy-notice/versions/1"),
    ),
    # version 2 is the significant change the world publishes
    ("POST", "/api/v1/privacy-notice/answers"): (
        ANY_TENANT_ROLE,
        fixed("/api/v1/privacy-notice/answers", {"kind": "tenant", "number": 2}),
    ),
    ("GET", "/api/v1/platform/privacy-notices"): (
        PLATFORM,
        fixed("/api/v1/platform/privacy-notices"),
    ),
    ("POST", "/api/v1/platform/privacy-notices"): (
        {"platform_admin"},
        lambda w: (
            "/api/v1/platform/privacy-notices",
            {"title": "Notice", "body": f"Text {uuid4()}", "summary": "s", "significant": False},
        ),
    ),
    ("GET", "/api/v1/me/directory"): (ANY_TENANT_ROLE, fixed("/api/v1/me/directory")),
    ("PUT", "/api/v1/me/directory"): (
        ANY_TENANT_ROLE,
        fixed("/api/v1/me/directory", {"listed": True}),
    ),
    # Every tenant role has an employee record: each clocks in once, then out once.
    ("POST", "/api/v1/clock/in"): (
        ANY_TENANT_ROLE,
        lambda w: ("/api/v1/clock/in", {"site_id": w.site_id()}),
    ),
    ("POST", "/api/v1/clock/out"): (ANY_TENANT_ROLE, fixed("/api/v1/clock/out", {})),
    ("GET", "/api/v1/me/employee"): (ANY_TENANT_ROLE, fixed("/api/v1/me/employee")),
    ("GET", "/api/v1/me/clock-policy"): (ANY_TENANT_ROLE, fixed("/api/v1/me/clock-policy")),
    ("GET", "/api/v1/me/clock-events"): (ANY_TENANT_ROLE, fixed("/api/v1/me/clock-events")),
    ("GET", "/api/v1/me/time-entries"): (ANY_TENANT_ROLE, fixed("/api/v1/me/time-entries")),
    ("GET", "/api/v1/clock-events"): (TENANT_STAFF, fixed("/api/v1/clock-events")),
    ("GET", "/api/v1/time-entries"): (TENANT_STAFF, fixed("/api/v1/time-entries")),
    ("POST", "/api/v1/time-entries"): (
        TENANT_STAFF,
        lambda w: ("/api/v1/time-entries", w.manual_entry()),
    ),
    ("GET", "/api/v1/time-entries/{entry_id:uuid}"): (
        TENANT_STAFF,
        lambda w: (f"/api/v1/time-entries/{w.entry_id}", None),
    ),
    ("PATCH", "/api/v1/time-entries/{entry_id:uuid}"): (
        TENANT_STAFF,
        lambda w: (f"/api/v1/time-entries/{w.entry_id}", {"notes": f"Checked {w.unique()}"}),
    ),
    ("POST", "/api/v1/time-entries/{entry_id:uuid}/approval"): (
        TENANT_STAFF,
        lambda w: (f"/api/v1/time-entries/{w.entry_id}/approval", {"state": "approved"}),
    ),
    ("GET", "/api/v1/timesheets"): (TENANT_STAFF, fixed("/api/v1/timesheets?month=2026-10")),
    ("GET", "/api/v1/timesheets/export"): (
        TENANT_STAFF,
        fixed("/api/v1/timesheets/export?month=2026-10&format=xlsx"),
    ),
    ("GET", "/api/v1/period-locks"): (TENANT_STAFF, fixed("/api/v1/period-locks")),
    # A month long past, so the world's entries stay open; closing it twice is allowed.
    ("PUT", "/api/v1/period-locks/{month:str}"): (
        {"client_admin"},
        fixed("/api/v1/period-locks/2001-01"),
    ),
    ("POST", "/api/v1/period-locks/{month:str}/reopen"): (
        {"client_admin"},
        fixed("/api/v1/period-locks/2001-01/reopen", {"reason": "Matrix"}),
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
    # Data-subject requests: every member their own; the queue is the client admin's only.
    ("POST", "/api/v1/me/privacy-requests"): (
        ANY_TENANT_ROLE,
        fixed("/api/v1/me/privacy-requests", {"request_type": "access"}),
    ),
    ("GET", "/api/v1/me/privacy-requests"): (ANY_TENANT_ROLE, fixed("/api/v1/me/privacy-requests")),
    ("GET", "/api/v1/me/privacy-requests/{request_id:uuid}"): (
        ANY_TENANT_ROLE,
        lambda w: (f"/api/v1/me/privacy-requests/{w.own_request()}", None),
    ),
    ("GET", "/api/v1/me/privacy-requests/{request_id:uuid}/export"): (
        ANY_TENANT_ROLE,
        lambda w: (f"/api/v1/me/privacy-requests/{w.own_request()}/export", None),
    ),
    ("POST", "/api/v1/me/privacy-requests/{request_id:uuid}/transfer/confirmation"): (
        ANY_TENANT_ROLE,
        lambda w: (
            f"/api/v1/me/privacy-requests/{w.own_transfer('confirm')}/transfer/confirmation",
            None,
        ),
    ),
    ("POST", "/api/v1/me/privacy-requests/{request_id:uuid}/transfer/cancellation"): (
        ANY_TENANT_ROLE,
        lambda w: (
            f"/api/v1/me/privacy-requests/{w.own_transfer('cancel')}/transfer/cancellation",
            None,
        ),
    ),
    ("GET", "/api/v1/privacy-requests"): ({"client_admin"}, fixed("/api/v1/privacy-requests")),
    ("GET", "/api/v1/privacy-requests/{request_id:uuid}"): (
        {"client_admin"},
        lambda w: (f"/api/v1/privacy-requests/{w.privacy_request('read')}", None),
    ),
    ("POST", "/api/v1/privacy-requests/{request_id:uuid}/identity"): (
        {"client_admin"},
        lambda w: (
            f"/api/v1/privacy-requests/{w.privacy_request('verify')}/identity",
            {"method": "id_document"},
        ),
    ),
    ("POST", "/api/v1/privacy-requests/{request_id:uuid}/extension"): (
        {"client_admin"},
        lambda w: (
            f"/api/v1/privacy-requests/{w.privacy_request('extend')}/extension",
            w.privacy.extension(),
        ),
    ),
    ("POST", "/api/v1/privacy-requests/{request_id:uuid}/refusal"): (
        {"client_admin"},
        lambda w: (
            f"/api/v1/privacy-requests/{w.privacy_request('refuse')}/refusal",
            {"reason": "Matrix"},
        ),
    ),
    ("POST", "/api/v1/privacy-requests/{request_id:uuid}/completion"): (
        {"client_admin"},
        lambda w: (f"/api/v1/privacy-requests/{w.privacy_request('complete')}/completion", {}),
    ),
    ("POST", "/api/v1/privacy-requests/{request_id:uuid}/export"): (
        {"client_admin"},
        lambda w: (f"/api/v1/privacy-requests/{w.privacy_request('export')}/export", None),
    ),
    ("GET", "/api/v1/privacy-requests/{request_id:uuid}/export"): (
        {"client_admin"},
        lambda w: (f"/api/v1/privacy-requests/{w.privacy_request('read')}/export", None),
    ),
    ("POST", "/api/v1/privacy-requests/{request_id:uuid}/erasure"): (
        {"client_admin"},
        lambda w: (f"/api/v1/privacy-requests/{w.privacy_request('erase')}/erasure", None),
    ),
    ("POST", "/api/v1/privacy-requests/{request_id:uuid}/rectification"): (
        {"client_admin"},
        lambda w: (
            f"/api/v1/privacy-requests/{w.privacy_request('rectify')}/rectification",
            {"job_title": f"Corrected {w.unique()}"},
        ),
    ),
    ("POST", "/api/v1/privacy-requests/{request_id:uuid}/flags"): (
        {"client_admin"},
        lambda w: (f"/api/v1/privacy-requests/{w.privacy_request('flags')}/flags", None),
    ),
    ("GET", "/api/v1/privacy-requests/{request_id:uuid}/export-preview"): (
        {"client_admin"},
        lambda w: (f"/api/v1/privacy-requests/{w.privacy_request('read')}/export-preview", None),
    ),
    ("GET", "/api/v1/privacy-requests/{request_id:uuid}/erasure-preview"): (
        {"client_admin"},
        lambda w: (
            f"/api/v1/privacy-requests/{w.privacy_request('preview')}/erasure-preview",
            None,
        ),
    ),
    ("POST", "/api/v1/privacy-requests/{request_id:uuid}/restriction-lift"): (
        {"client_admin"},
        lambda w: (
            f"/api/v1/privacy-requests/{w.privacy_request('lift')}/restriction-lift",
            {"reason": "Matrix"},
        ),
    ),
    ("POST", "/api/v1/employees/{employee_id:uuid}/location-limit-lift"): (
        {"client_admin"},
        lambda w: (
            f"/api/v1/employees/{w.privacy.limited_employee}/location-limit-lift",
            {"reason": "Matrix"},
        ),
    ),
    # Machine clients (docs/machine-api.md)
    ("POST", "/api/v1/api-clients"): (
        {"client_admin"},
        fixed("/api/v1/api-clients", {"name": "Matrix", "scopes": ["instructions:read"]}),
    ),
    ("GET", "/api/v1/api-clients"): ({"client_admin"}, fixed("/api/v1/api-clients")),
    ("POST", "/api/v1/api-clients/{client_id:uuid}/rotate"): (
        {"client_admin"},
        lambda w: (f"/api/v1/api-clients/{w.api_clients[0]}/rotate", None),
    ),
    ("DELETE", "/api/v1/api-clients/{client_id:uuid}"): (
        {"client_admin"},
        lambda w: (f"/api/v1/api-clients/{w.api_clients.pop()}", None),
    ),
    # Webhooks (docs/machine-api.md); loopback is allowed to the tests' deployment
    ("POST", "/api/v1/webhooks"): (
        {"client_admin"},
        fixed(
            "/api/v1/webhooks",
            {
                "url": "http://127.0.0.1:9/hook",
                "events": ["breach.notified"],
                "allow_private_network": True,
            },
        ),
    ),
    ("GET", "/api/v1/webhooks"): ({"client_admin"}, fixed("/api/v1/webhooks")),
    ("DELETE", "/api/v1/webhooks/{endpoint_id:uuid}"): (
        {"client_admin"},
        lambda w: (f"/api/v1/webhooks/{w.webhooks.pop()}", None),
    ),
    ("POST", "/api/v1/webhooks/{endpoint_id:uuid}/enable"): (
        {"client_admin"},
        lambda w: (f"/api/v1/webhooks/{w.webhooks.pop()}/enable", None),
    ),
    ("GET", "/api/v1/webhooks/{endpoint_id:uuid}/deliveries"): (
        {"client_admin"},
        lambda w: (f"/api/v1/webhooks/{w.delivery[0]}/deliveries", None),
    ),
    ("POST", "/api/v1/webhooks/{endpoint_id:uuid}/deliveries/{delivery_id:uuid}/redeliver"): (
        {"client_admin"},
        lambda w: (f"/api/v1/webhooks/{w.delivery[0]}/deliveries/{w.delivery[1]}/redeliver", None),
    ),
    # OpenDSR (docs/machine-api.md): a client admin's token works as a machine client's
    ("POST", "/opendsr/v1/requests"): ({"client_admin"}, fixed("/opendsr/v1/requests", NOBODY)),
    ("GET", "/opendsr/v1/requests/{subject_request_id:str}"): (
        {"client_admin"},
        fixed("/opendsr/v1/requests/matrix-nobody"),
    ),
    ("DELETE", "/opendsr/v1/requests/{subject_request_id:str}"): (
        {"client_admin"},
        lambda w: (f"/opendsr/v1/requests/{w.opendsr.pop()}", None),
    ),
    ("GET", "/api/v1/me/notifications"): (ANY_TENANT_ROLE, fixed("/api/v1/me/notifications")),
    ("POST", "/api/v1/me/notifications/{notification_id:uuid}/read"): (
        ANY_TENANT_ROLE,
        lambda w: (f"/api/v1/me/notifications/{w.own_notification()}/read", None),
    ),
}


def registered_routes(app: Litestar) -> list[tuple[str, str, dict[str, Any]]]:
    found = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            if handler.opt.get("page"):
                continue  # web pages (cookie sessions): walked by tests/web/test_page_routes.py
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
async def world(
    db: Database, client: httpx.AsyncClient, services: Services, fake_provider: FakeProvider
) -> World:
    tenant = await log_in_all(client, await seed_tenant(db, "matrix"))
    platform = await log_in_all(client, await seed_platform(db))
    world = World(tenant, platform, itertools.count(), await seed_workforce(client, tenant))
    world.sso_issuer = fake_provider.issuer()
    for _ in range(len(ROLES) + 1):  # one per request the matrix makes on the route
        grant = await client.post(
            "/api/v1/support-grants",
            json={"reason": "matrix", "hours": 1},
            headers=tenant.auth("client_admin"),
        )
        world.grants.append(grant.json()["id"])
    admin = platform.auth("platform_admin")
    breach = await client.post("/api/v1/platform/breaches", json=breach_body(world), headers=admin)
    world.breach_id = breach.json()["id"]
    added = await client.post(
        "/api/v1/platform/sub-processors", json=sub_processor_body(world), headers=admin
    )
    world.sub_processor_id = added.json()["sub_processor_id"]
    world.change_id = added.json()["id"]
    created = await client.post(
        "/api/v1/time-entries", json=world.manual_entry(), headers=tenant.auth("client_admin")
    )
    assert created.status_code == 201, created.text
    world.entry_id = created.json()["id"]
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
    world.privacy = await seed_privacy_world(client, db, services, tenant)
    world.invitations = await _invitations_elsewhere(client, db, tenant)
    for _ in range(len(ROLES) + 2):  # one more than the revocations: rotated, never revoked
        made = await client.post(
            "/api/v1/api-clients",
            json={"name": "Matrix", "scopes": ["instructions:read"]},
            headers=tenant.auth("client_admin"),
        )
        world.api_clients.append(made.json()["client"]["id"])
    world.webhooks, world.delivery = await seed_webhooks(client, db, tenant, 3 * (len(ROLES) + 1))
    world.opendsr = await seed_opendsr(client, tenant, world.employee_id(), NOBODY, len(ROLES) + 2)
    await _seed_authority_requests(client, db, world)
    await _significant_notice_change(services, tenant)
    return world


async def _seed_authority_requests(client: httpx.AsyncClient, db: Database, world: World) -> None:
    """Open requests (each decision spends one), orders awaiting review (each review spends
    one) and one the client was told of with a disclosure stored (as the jobs would)."""
    admin = world.platform.auth("platform_admin")
    path = "/api/v1/platform/authority-requests"
    review = {"kind": "until_reviewed", "review_on": "2999-01-01"}
    for _ in range(len(ROLES) + 1):
        made = await client.post(path, json=authority_body(world), headers=admin)
        world.authority_open.append(made.json()["id"])
        made = await client.post(path, json=authority_body(world, **review), headers=admin)
        world.authority_orders.append(made.json()["id"])
    made = await client.post(path, json=authority_body(world), headers=admin)
    world.authority = made.json()["id"]
    async with db.transaction(Scope.PLATFORM) as session:
        told = await authority_service.get_request(session, UUID(world.authority))
        told.notified_at = datetime.now(UTC)
        await authority_service.store_disclosure(session, told, b"PK matrix", "0" * 64, {})


async def _significant_notice_change(services: Services, tenant: Accounts) -> None:
    """The tenant's notice at version 1, then precise location: version 2, significant."""
    assert tenant.tenant_id
    processor = services.settings.processor
    async with services.database.transaction(Scope.TENANT, tenant.tenant_id) as session:
        await refresh_tenant_notice(session, services.audit, tenant.tenant_id, processor)
        await set_location_policy(
            session, tenant.tenant_id, LocationMode.PRECISE, 30, None, clock.now()
        )
        changed = await refresh_tenant_notice(session, services.audit, tenant.tenant_id, processor)
    assert changed is not None and changed.number == 2 and changed.significant


async def _invitations_elsewhere(
    client: httpx.AsyncClient, db: Database, tenant: Accounts
) -> dict[str, str]:
    """Another tenant invites every tenant role's person: each role's own invitation id."""
    other = await log_in_all(client, await seed_tenant(db, "matrix-other"))
    invitations = {}
    for role in ANY_TENANT_ROLE:
        await client.post(
            "/api/v1/users",
            json={"email": tenant.email(role), "role": "employee"},
            headers=other.auth("client_admin"),
        )
        mine = await client.get("/api/v1/me/invitations", headers=tenant.auth(role))
        invitations[role] = mine.json()["items"][0]["id"]
    return invitations


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
            world.role = role
            path, body = build(world)
            response = await client.request(method, path, json=body, headers=_headers(world, role))
            denied_status = 404 if role.startswith("platform") else 403
            if role in allowed:
                ok = response.status_code < 300
            else:
                ok = response.status_code == denied_status
            outcomes[(method, template, role)] = (ok, response.status_code)
        world.role = "anonymous"
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


SHARED_RESOURCES = {"me", "me_password", "audit_events"}


def test_tenant_and_platform_resources_do_not_overlap() -> None:
    sides: dict[str, set[str]] = {"tenant": set(), "platform": set()}
    for line in (POLICY_DIR / "policy.csv").read_text().splitlines():
        fields = [f.strip() for f in line.split(",")]
        if fields[0] == "p":
            side = "platform" if fields[2] == "platform" else "tenant"
            sides[side].add(fields[3])
    assert sides["tenant"] & sides["platform"] == SHARED_RESOURCES


async def test_guard_holds_under_concurrent_requests(
    client: httpx.AsyncClient, world: World
) -> None:
    """Casbin is not thread-safe: the guard must not run it on worker threads."""
    headers = world.tenant.auth("client_admin")
    paths = ["/api/v1/me", "/api/v1/users", "/api/v1/audit-events"] * 40
    responses = await asyncio.gather(*(client.get(path, headers=headers) for path in paths))
    assert {response.status_code for response in responses} == {200}


@pytest.mark.parametrize(
    ("path", "side", "role"),
    [
        ("/api/v1/audit-events", "tenant", "client_admin"),
        ("/api/v1/instructions", "tenant", "client_admin"),
        ("/api/v1/breaches", "tenant", "client_admin"),
        ("/api/v1/authority-requests", "tenant", "client_admin"),
        ("/api/v1/platform/authority-requests", "platform", "platform_staff"),
        ("/api/v1/platform/instructions", "platform", "platform_staff"),
        ("/api/v1/platform/breaches", "platform", "platform_staff"),
        ("/api/v1/platform/sub-processors/objections", "platform", "platform_staff"),
        ("/api/v1/users", "tenant", "client_admin"),
    ],
)
async def test_page_size_is_bounded_on_every_paginated_list(
    client: httpx.AsyncClient, world: World, path: str, side: str, role: str
) -> None:
    accounts = world.platform if side == "platform" else world.tenant
    too_big = await client.get(path, params={"limit": 201}, headers=accounts.auth(role))
    negative = await client.get(path, params={"offset": -1}, headers=accounts.auth(role))
    fine = await client.get(path, params={"limit": 200}, headers=accounts.auth(role))
    assert (too_big.status_code, negative.status_code, fine.status_code) == (400, 400, 200)


async def test_recent_purge_reports_bound_their_count(
    client: httpx.AsyncClient, world: World
) -> None:
    headers = world.tenant.auth("client_admin")
    too_big = await client.get("/api/v1/retention/runs", params={"limit": 201}, headers=headers)
    fine = await client.get("/api/v1/retention/runs", params={"limit": 200}, headers=headers)
    assert (too_big.status_code, fine.status_code) == (400, 200)
