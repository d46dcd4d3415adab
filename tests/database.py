"""Where the test suite gets its PostgreSQL server.

TEST_DATABASE_URL (a superuser URL) when given; else the local server on
127.0.0.1:5432 when one answers; else an embedded server in .pytest-pg/.
Each test session works in a database of its own, dropped at the end.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

from timeward.db.embedded import start_embedded_server

LOCAL_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
REPO_ROOT = Path(__file__).resolve().parents[1]


def _local_server_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return True
    except OSError:
        return False


def admin_url() -> str:
    explicit = os.environ.get("TEST_DATABASE_URL")
    if explicit:
        return explicit
    if _local_server_answers():
        return LOCAL_ADMIN_URL
    return start_embedded_server(REPO_ROOT / ".pytest-pg")


def test_database_name() -> str:
    return os.environ.get("TEST_DATABASE_NAME", f"timeward_test_{os.getpid()}")
