"""The Casbin enforcer, loaded from policies/ and reloaded when the files change.

``enforce`` is synchronous and in memory. Each process checks the files'
modification times at most once a second, so an edit of policies/ reaches every
process without a restart.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import casbin
from casbin.util import key_match

from timeward.auth.actor import Actor
from timeward.paths import POLICY_DIR

SCOPE_SUBJECT = "scope:"
MAX_DECISIONS = 50_000  # (role, domain, resource, action); domains are tenants


class PolicyEnforcer:
    def __init__(self, policy_dir: Path = POLICY_DIR, check_interval: float = 1.0) -> None:
        self._model = policy_dir / "model.conf"
        self._policy = policy_dir / "policy.csv"
        self._check_interval = check_interval
        self._lock = threading.Lock()
        self._enforcer = self._load()
        self._decisions: dict[tuple[str, str, str, str], bool] = {}
        self._stamp = self._mtimes()
        self._checked_at = time.monotonic()

    def _load(self) -> casbin.Enforcer:
        enforcer = casbin.Enforcer(str(self._model), str(self._policy))
        enforcer.add_named_domain_matching_func("g", key_match)
        return enforcer

    def _mtimes(self) -> tuple[float, float]:
        return (self._model.stat().st_mtime, self._policy.stat().st_mtime)

    def _reload_if_changed(self) -> None:
        now = time.monotonic()
        if now - self._checked_at < self._check_interval:
            return
        with self._lock:
            self._checked_at = now
            stamp = self._mtimes()
            if stamp != self._stamp:
                self._enforcer, self._stamp = self._load(), stamp
                self._decisions = {}

    def allows(self, role: str, domain: str, resource: str, action: str) -> bool:
        self._reload_if_changed()
        # A decision depends only on its four values and the loaded policy: remembered
        # until the policy is reloaded (a page's navigation asks ~15 of them per request).
        decisions = self._decisions
        key = (role, domain, resource, action)
        decision = decisions.get(key)
        if decision is None:
            decision = bool(self._enforcer.enforce(role, domain, resource, action))
            if len(decisions) >= MAX_DECISIONS:
                decisions.clear()
            decisions[key] = decision
        return decision

    def allows_actor(self, actor: Actor, resource: str, action: str) -> bool:
        """A person by their role; a machine client by its scopes, each the Casbin subject
        ``scope:<name>``, which policy.csv grants in tenant domains only: a machine never
        gets more than its scopes, and never a platform permission."""
        if actor.machine is None:
            return self.allows(actor.role, actor.domain, resource, action)
        if actor.tenant_id is None:
            return False
        return any(
            self.allows(f"{SCOPE_SUBJECT}{scope}", actor.domain, resource, action)
            for scope in actor.machine.scopes
        )
