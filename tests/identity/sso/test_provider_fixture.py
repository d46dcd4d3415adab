"""The SSO tests skip, saying why, where the test provider cannot run (no Node.js, or
`npm ci` not run in tests/oidc_provider); they never pass silently without it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fixtures import sso


def test_without_node_the_reason_names_node(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sso.shutil, "which", lambda _name: None)
    assert sso.provider_missing() == (
        "the SSO tests need Node.js (node) to run the test OpenID provider"
    )


def test_without_the_installed_package_the_reason_says_npm_ci(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(sso.shutil, "which", lambda _name: "/usr/bin/node")
    monkeypatch.setattr(sso, "PROVIDER_DIR", tmp_path / "tests" / "oidc_provider")
    reason = sso.provider_missing()
    assert reason is not None and "npm ci" in reason and "tests/oidc_provider" in reason


def test_the_committed_provider_is_pinned_by_its_lock_file() -> None:
    package = (sso.PROVIDER_DIR / "package.json").read_text()
    lock = (sso.PROVIDER_DIR / "package-lock.json").read_text()
    assert '"oidc-provider": "9.13.3"' in package
    assert '"node_modules/oidc-provider"' in lock
