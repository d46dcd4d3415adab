"""The platform/ folder must never shadow the standard-library ``platform``."""

from __future__ import annotations

import platform
import subprocess
import sys

from tests.database import REPO_ROOT


def test_stdlib_platform_importable_under_pytest() -> None:
    assert platform.python_version().startswith("3.")
    assert platform.__file__ is not None and "site-packages" not in platform.__file__
    assert not (REPO_ROOT / "platform" / "__init__.py").exists()


def test_stdlib_platform_importable_from_repo_root() -> None:
    result = subprocess.run(
        [sys.executable, "-c", "import platform; print(platform.python_version())"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == platform.python_version()
