"""The Casbin enforcer, loaded from policies/ and reloaded when the files change.

``enforce`` is synchronous and in memory. Each process checks the files'
modification times at most once a second, so an edit of policies/ reaches every
process without a restart. Decisions are memoised per (subject, domain, resource,
action) until the files change: the policy is a pure function of them, and evaluating
Casbin's matcher cost ~7 % of a list request (docs/performance.md, "API request path").
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
MAX_DECISIONS = 20_000


class PolicyEnforcer:
    def __init__(self, policy_dir: Path = POLICY_DIR, check_interval: float = 1.0) -> None:
        self._model = policy_dir / "model.conf"
        self._policy = policy_dir / "policy.csv"
        self._check_interval = check_interval
        self._lock = threading.Lock()
        # One attribute, swapped whole: a decision is always stored with its enforcer.
        self._current: tuple[casbin.Enforcer, dict[tuple[str, str, str, str], bool]]
        self._current = (self._load(), {})
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
                self._current, self._stamp = (self._load(), {}), stamp

    def allows(self, role: str, domain: str, resource: str, action: str) -> bool:
        self._reload_if_changed()
        enforcer, decisions = self._current
        key = (role, domain, resource, action)
        decision = decisions.get(key)
        if decision is None:
            decision = bool(enforcer.enforce(role, domain, resource, action))
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
