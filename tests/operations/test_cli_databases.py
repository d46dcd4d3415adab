"""The CLI picks the right server: a configured URL is never replaced by the embedded one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from timeward.db.bootstrap import DatabaseUrls


def test_migrate_with_only_the_owner_url_migrates_that_server(
    database_urls: DatabaseUrls, tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update({"DATABASE_OWNER_URL": database_urls.owner_url, "TIMEWARD_DATA_DIR": str(tmp_path)})
    result = subprocess.run(
        [sys.executable, "-m", "timeward.cli", "migrate"], env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "Database migrated to head."
    assert not (tmp_path / "pgdata").exists(), "no embedded server may be started"


def test_unreachable_owner_url_fails_loudly(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        {
            "DATABASE_OWNER_URL": "postgresql://nobody@127.0.0.1:1/none",
            "TIMEWARD_DATA_DIR": str(tmp_path),
        }
    )
    result = subprocess.run(
        [sys.executable, "-m", "timeward.cli", "migrate"], env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert not (tmp_path / "pgdata").exists()
